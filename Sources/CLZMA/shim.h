#ifndef SNAPDEPOT_CLZMA_SHIM_H
#define SNAPDEPOT_CLZMA_SHIM_H

#include <lzma.h>

// Macros built from other macros, which Swift does not import.
static const lzma_vli snapdepot_LZMA_FILTER_LZMA2 = LZMA_FILTER_LZMA2;
static const lzma_vli snapdepot_LZMA_VLI_UNKNOWN = LZMA_VLI_UNKNOWN;

#endif
