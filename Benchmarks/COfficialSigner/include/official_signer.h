#ifndef OFFICIAL_SIGNER_H
#define OFFICIAL_SIGNER_H

/// Loads the official Lighter signer shared library (lighter-sdk 1.1.8) with dlopen and creates its client.
/// Returns NULL on success, or a message describing what failed (never containing the key).
const char *official_signer_open(const char *library_path, const char *private_key_hex, int chain_id,
                                 int api_key_index, long long account_index);

/// Signs one limit CreateOrder with an explicit nonce (no network) and frees the returned strings.
/// Returns 0 on success, 1 if the signer reported an error, -1 if the library is not open.
int official_signer_sign_create_order(long long nonce, long long client_order_index);

#endif
