// SHA-256 from the system's libcrypto (Debian libssl-dev; libssl3 at run time), through
// the EVP interface that OpenSSL 3 keeps (the SHA256_Init family is deprecated). The
// tool needs one hash; this replaces swift-crypto, which compiled all of BoringSSL for it.
#include <openssl/evp.h>
