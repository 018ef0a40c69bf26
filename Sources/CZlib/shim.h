#ifndef SNAPDEPOT_CZLIB_SHIM_H
#define SNAPDEPOT_CZLIB_SHIM_H

#include <zlib.h>

#endif
