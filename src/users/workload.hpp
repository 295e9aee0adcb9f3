// Seeded users of an app: the lane transactions a population of counter or token users would send,
// with a configurable share of deliberately invalid ones (malformed payloads, bad signatures,
// replays, overdrafts, ...), and the built-in apps' operations they are made of. For the demo's
// embedded L1, `basalt exec`, `tx load`, benchmarks and tests; deterministic in its seed. Not
// consensus code: execution never depends on it.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "crypto/schnorr.hpp"
#include "exec/abi.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"
#include "state/store.hpp"

namespace basalt::users {

using exec::Exit;
using exec::ResourceId;

struct WorkloadParams {
  std::string app = "counter";  // "counter" or "token"
  std::uint64_t seed = 1;
  std::uint32_t tx_per_block = 10;
  std::uint32_t invalid_permille = 50;  // share of transactions built to fail
  std::uint32_t accounts = 1000;        // counters or token holders
  std::uint32_t exit_permille = 20;     // token: share of valid transactions that withdraw
  kaspa::LaneId lane;
};

// The mint authority the built-in token guest trusts by default (guest/apps/token.c): a public demo
// key, the secret SHA-256("basalt token demo authority").
crypto::SecretKey token_demo_authority();
// The token's account id for an x-only key: SHA-256("basalt.token.account.v1" || key).
ResourceId token_account_id(const crypto::SchnorrPublicKey& key);
// The counter workload's resource i: SHA-256("basalt.counter.v1" || le_u32 i).
ResourceId counter_resource(std::uint32_t i);

// Token operations, signed as guest/apps/token.c checks them.
core::Bytes token_mint(const crypto::SecretKey& authority, const crypto::SchnorrPublicKey& to,
                       std::uint64_t amount, std::uint64_t nonce);
core::Bytes token_transfer(const crypto::SecretKey& from, const crypto::SchnorrPublicKey& to,
                           std::uint64_t amount, std::uint64_t nonce);
// Burns exit.amount tokens of `from` and sends as many sompi to the exit's L1 address.
core::Bytes token_withdraw(const crypto::SecretKey& from, const Exit& exit, std::uint64_t nonce);

class Workload {
 public:
  explicit Workload(WorkloadParams params);

  // The transactions for the next block, produced in `round` (non-decreasing). A token account
  // sends at most one transaction per round and spends only what it held before the round, so
  // that the order in which L1 accepts one round's blocks cannot turn an intended success into a
  // failure (the simulator's round is its step).
  std::vector<kaspa::Transaction> next_block(std::uint64_t round);
  // A state where every account already exists (each counter at 0; each token holder with
  // `balance`, nonce 0), as writes for a first batch; the users then act as its owners. For
  // benchmarks that need a populated state before the first transaction.
  std::vector<state::ResourceWrite> genesis(std::uint64_t balance);
  std::uint64_t generated() const { return generated_; }
  std::uint64_t generated_invalid() const { return invalid_; }
  // Token: the exits of the withdrawals generated so far (valid ones only), and their sum.
  std::uint64_t generated_exits() const { return exits_; }
  std::uint64_t generated_exit_amount() const { return exit_amount_; }

 private:
  struct Holder {
    std::optional<crypto::SecretKey> key;
    crypto::SchnorrPublicKey pub;
    ResourceId id;
    std::uint64_t balance = 0;   // as of the start of this call
    std::uint64_t incoming = 0;  // credited during this call, spendable from the next
    std::uint64_t nonce = 0;
    std::uint64_t last_round = 0;
  };
  kaspa::Transaction wrap(core::Bytes payload);
  core::Bytes counter_tx();
  core::Bytes token_tx();
  core::Bytes malformed_payload();
  Holder& holder(std::uint32_t i);

  WorkloadParams params_;
  std::mt19937_64 rng_;
  std::uint64_t round_ = 0;
  std::uint64_t generated_ = 0;
  std::uint64_t invalid_ = 0;
  std::uint64_t exits_ = 0;
  std::uint64_t exit_amount_ = 0;
  std::vector<std::optional<Holder>> holders_;
  std::vector<std::uint32_t> credited_;  // holders with credits of this round
  std::optional<crypto::SecretKey> authority_;
};

}  // namespace basalt::users
