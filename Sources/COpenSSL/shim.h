#ifndef SNAPDEPOT_COPENSSL_SHIM_H
#define SNAPDEPOT_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>

// BN_num_bytes is a macro, which Swift cannot call.
static inline int snapdepot_BN_num_bytes(const BIGNUM *bn) { return BN_num_bytes(bn); }

// Composite macros that Swift does not import.
static const int snapdepot_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;
static const int snapdepot_EVP_PKEY_KEYPAIR = EVP_PKEY_KEYPAIR;
// OSSL_PARAM_BLD keeps the name pointer until OSSL_PARAM_BLD_to_param, so Swift's temporary
// C strings cannot be used for parameter names: these live for the whole process.
static const char *const snapdepot_RSA_N = OSSL_PKEY_PARAM_RSA_N;
static const char *const snapdepot_RSA_E = OSSL_PKEY_PARAM_RSA_E;
static const char *const snapdepot_RSA_D = OSSL_PKEY_PARAM_RSA_D;
static const char *const snapdepot_RSA_FACTOR1 = OSSL_PKEY_PARAM_RSA_FACTOR1;
static const char *const snapdepot_RSA_FACTOR2 = OSSL_PKEY_PARAM_RSA_FACTOR2;
static const char *const snapdepot_RSA_EXPONENT1 = OSSL_PKEY_PARAM_RSA_EXPONENT1;
static const char *const snapdepot_RSA_EXPONENT2 = OSSL_PKEY_PARAM_RSA_EXPONENT2;
static const char *const snapdepot_RSA_COEFFICIENT1 = OSSL_PKEY_PARAM_RSA_COEFFICIENT1;

#endif
