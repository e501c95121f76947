// Calls the Go c-shared signer shipped in lighter-sdk 1.1.8 through dlopen; signatures follow its 1.1.8 header.
#include "official_signer.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    uint8_t txType;
    char *txInfo;
    char *txHash;
    char *messageToSign;
    char *err;
} SignedTxResponse;

typedef char *(*CreateClientFn)(char *url, char *private_key, int chain_id, int api_key_index, long long account_index);
typedef SignedTxResponse (*SignCreateOrderFn)(long long market_index, long long client_order_index, long long base_amount,
                                              int price, int is_ask, int order_type, int time_in_force, int reduce_only,
                                              int trigger_price, long long order_expiry, long long integrator_account_index,
                                              int integrator_taker_fee, int integrator_maker_fee, uint8_t stp_behavior,
                                              uint8_t stp_equality, uint8_t skip_nonce, long long nonce, int api_key_index,
                                              long long account_index);
typedef void (*FreeFn)(void *ptr);

static SignCreateOrderFn sign_create_order;
static FreeFn free_fn;
static int api_key;
static long long account;

const char *official_signer_open(const char *library_path, const char *private_key_hex, int chain_id,
                                 int api_key_index, long long account_index) {
    void *handle = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) return "dlopen failed (is .venv-ci with lighter-sdk==1.1.8 installed?)";
    CreateClientFn create_client = (CreateClientFn)dlsym(handle, "CreateClient");
    sign_create_order = (SignCreateOrderFn)dlsym(handle, "SignCreateOrder");
    free_fn = (FreeFn)dlsym(handle, "Free");
    if (create_client == NULL || sign_create_order == NULL || free_fn == NULL) return "missing symbol in signer library";
    char *err = create_client("http://127.0.0.1:1", (char *)private_key_hex, chain_id, api_key_index, account_index);
    if (err != NULL) {
        free_fn(err);
        sign_create_order = NULL;
        return "CreateClient reported an error";
    }
    api_key = api_key_index;
    account = account_index;
    return NULL;
}

static void release(char *p) {
    if (p != NULL) free_fn(p);
}

int official_signer_sign_create_order(long long nonce, long long client_order_index) {
    if (sign_create_order == NULL) return -1;
    SignedTxResponse r = sign_create_order(1, client_order_index, 1000, 300000, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0,
                                           nonce, api_key, account);
    int failed = r.err != NULL;
    release(r.txInfo);
    release(r.txHash);
    release(r.messageToSign);
    release(r.err);
    return failed;
}
