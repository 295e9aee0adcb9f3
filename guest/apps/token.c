/* The token app (docs/abi.md, "token"): accounts keyed by SHA-256("basalt.token.account.v1" || the
   owner's x-only public key), each holding balance u64 LE || next nonce u64 LE. Every operation is
   signed (BIP-340) over SHA-256("basalt.token.v1" || authority key || the operation's bytes before
   the signature) and consumes one account's next nonce: the sender's for a transfer, the
   recipient's for a mint (so that mints to different accounts never contend for one counter).

     mint      0x01 || to_key[32] || amount u64 || nonce u64 || sig[64]   signed by the authority
     transfer  0x02 || from_key[32] || to_key[32] || amount u64 || nonce u64 || sig[64]
     withdraw  0x03 || from_key[32] || kind u8 || dest[32] || amount u64 || nonce u64 || sig[64]

   A withdrawal burns `amount` tokens and sends as many sompi out of the app to the L1 address
   (kind, dest) as an exit (docs/abi.md §3.1): one token is one sompi of the covenant's value.

   The authority's key is built into the image (BASALT_TOKEN_AUTHORITY), so the image id pins it.
   Every account an operation touches must be declared writable. A recipient account is created on
   first credit; a transfer to oneself only consumes the nonce. */
#include "basalt/guest.h"
#include "basalt/hash.h"
#include "basalt/tx.h"

#ifndef BASALT_TOKEN_AUTHORITY
/* The demo authority: the x-only key of the secret SHA-256("basalt token demo authority"). A
   public, well-known key: build with -DBASALT_TOKEN_AUTHORITY=... for anything but demos. */
#define BASALT_TOKEN_AUTHORITY                                                                    \
  0x92, 0x9f, 0xf7, 0x22, 0x97, 0x67, 0x87, 0x5d, 0x14, 0x1c, 0xf6, 0xf1, 0x23, 0xb4, 0x90, 0xb1, \
      0x8e, 0xfd, 0x0f, 0xa7, 0xe7, 0xa5, 0xc5, 0x55, 0x9a, 0xb2, 0x1f, 0x0d, 0xa4, 0x20, 0x8d,   \
      0x71
#endif

static const uint8_t kAuthority[32] = {BASALT_TOKEN_AUTHORITY};

enum {
  kMalformed = 100,      /* unknown operation or wrong length */
  kAccessMismatch = 101, /* an account the operation needs is not declared writable */
  kUnknownAccount = 102, /* transfer from an account that does not exist */
  kBadSignature = 103,
  kReplayedNonce = 104, /* a nonce already used */
  kNonceGap = 105,      /* a nonce above the account's next one */
  kOverdraft = 106,
  kBalanceOverflow = 107,
  kCorruptAccount = 108, /* account data that is not 16 bytes */
};

enum { kMint = 1, kTransfer = 2, kWithdraw = 3 };

static void account_id(const uint8_t key[32], uint8_t id[32]) {
  static const char tag[] = "basalt.token.account.v1";
  basalt_sha256_ctx c;
  basalt_sha256_init(&c);
  basalt_sha256_update(&c, tag, sizeof(tag) - 1);
  basalt_sha256_update(&c, key, 32);
  basalt_sha256_final(&c, id);
}

static uint32_t check_signature(const uint8_t key[32], const uint8_t* signed_bytes, uint32_t len,
                                const uint8_t sig[64]) {
  static const char tag[] = "basalt.token.v1";
  uint8_t msg[32];
  basalt_sha256_ctx c;
  basalt_sha256_init(&c);
  basalt_sha256_update(&c, tag, sizeof(tag) - 1);
  basalt_sha256_update(&c, kAuthority, 32);
  basalt_sha256_update(&c, signed_bytes, len);
  basalt_sha256_final(&c, msg);
  return basalt_schnorr_verify(key, msg, sig) ? 0 : kBadSignature;
}

typedef struct {
  uint64_t balance;
  uint64_t nonce;
} account;

/* The declared writable account of `key`; *exists says whether it holds data. */
static uint32_t open_account(basalt_tx* tx, const uint8_t key[32], basalt_resource** out,
                             account* a) {
  uint8_t id[32];
  account_id(key, id);
  basalt_resource* r = basalt_tx_find(tx, id);
  if (r == 0 || r->access != BASALT_ACCESS_WRITE) return kAccessMismatch;
  a->balance = 0;
  a->nonce = 0;
  if (r->len == 16) {
    a->balance = basalt_le64(r->data);
    a->nonce = basalt_le64(r->data + 8);
  } else if (r->len != 0) {
    return kCorruptAccount;
  }
  *out = r;
  return 0;
}

static void store_account(basalt_resource* r, const account* a) {
  uint8_t d[16];
  basalt_put_le64(d, a->balance);
  basalt_put_le64(d + 8, a->nonce);
  basalt_resource_set(r, d, 16);
}

static uint32_t use_nonce(account* a, uint64_t nonce) {
  if (nonce < a->nonce) return kReplayedNonce;
  if (nonce > a->nonce) return kNonceGap;
  a->nonce += 1;
  return 0;
}

static uint32_t handle(basalt_tx* tx) {
  const uint8_t* d = tx->app_data;
  const uint32_t n = tx->app_data_len;
  if (n < 1) return kMalformed;
  uint32_t err;
  if (d[0] == kMint) {
    if (n != 1 + 32 + 8 + 8 + 64) return kMalformed;
    const uint8_t* to = d + 1;
    const uint64_t amount = basalt_le64(d + 33);
    const uint64_t nonce = basalt_le64(d + 41);
    if ((err = check_signature(kAuthority, d, 49, d + 49)) != 0) return err;
    basalt_resource* to_r;
    account dest;
    if ((err = open_account(tx, to, &to_r, &dest)) != 0) return err;
    if ((err = use_nonce(&dest, nonce)) != 0) return err;
    if (dest.balance + amount < dest.balance) return kBalanceOverflow;
    dest.balance += amount;
    store_account(to_r, &dest);
    return 0;
  }
  if (d[0] == kTransfer) {
    if (n != 1 + 32 + 32 + 8 + 8 + 64) return kMalformed;
    const uint8_t* from = d + 1;
    const uint8_t* to = d + 33;
    const uint64_t amount = basalt_le64(d + 65);
    const uint64_t nonce = basalt_le64(d + 73);
    basalt_resource *from_r, *to_r;
    account src, dest;
    if ((err = open_account(tx, from, &from_r, &src)) != 0) return err;
    if (from_r->len == 0) return kUnknownAccount;
    if ((err = check_signature(from, d, 81, d + 81)) != 0) return err;
    if ((err = use_nonce(&src, nonce)) != 0) return err;
    if (src.balance < amount) return kOverdraft;
    src.balance -= amount;
    store_account(from_r, &src);
    if ((err = open_account(tx, to, &to_r, &dest)) != 0) return err;
    if (dest.balance + amount < dest.balance) return kBalanceOverflow;
    dest.balance += amount;
    store_account(to_r, &dest);
    return 0;
  }
  if (d[0] == kWithdraw) {
    if (n != 1 + 32 + 1 + 32 + 8 + 8 + 64) return kMalformed;
    const uint8_t* from = d + 1;
    const uint8_t kind = d[33];
    const uint8_t* dest = d + 34;
    const uint64_t amount = basalt_le64(d + 66);
    const uint64_t nonce = basalt_le64(d + 74);
    basalt_resource* from_r;
    account src;
    if ((err = open_account(tx, from, &from_r, &src)) != 0) return err;
    if (from_r->len == 0) return kUnknownAccount;
    if ((err = check_signature(from, d, 82, d + 82)) != 0) return err;
    if ((err = use_nonce(&src, nonce)) != 0) return err;
    if (src.balance < amount) return kOverdraft;
    src.balance -= amount;
    store_account(from_r, &src);
    return basalt_tx_exit(tx, kind, dest, amount);
  }
  return kMalformed;
}

int main(void) {
  return basalt_tx_main(handle);
}
