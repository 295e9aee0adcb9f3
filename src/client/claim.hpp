// Claiming an exit on the client side: the exit tree rebuilt from what a node says of a
// settlement's exits (GET /v1/settlements/{seq}/exits), checked against the exit output it names,
// and the claim transaction (settle::exit_claim_transaction) paid by a fee key. Anyone may submit a
// claim: it can only pay the exit's own address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "client/api_client.hpp"
#include "zk/exits.hpp"

namespace basalt::client {

struct ClaimPlan {
  zk::ExitTree tree;            // as L1 holds it now: the claimed exits emptied
  kaspa::Outpoint exit_output;  // where it holds them
  std::size_t exit = 0;         // the one to claim
};

// Which exit: by its index in the settlement, or the first unclaimed one paying `address` (and,
// when given, exactly `amount`).
struct ExitChoice {
  std::optional<std::size_t> index;
  std::string address;
  std::optional<std::uint64_t> amount;
};

// The settlement and exit of a withdrawal: the transaction's first exit, in the accepted or
// confirmed settlement that covers its batch. Errors: kNotFound (the transaction is not executed,
// made no exit, or no settlement covers it yet); kUnavailable (the node).
core::Result<std::pair<std::uint64_t, ExitChoice>> withdrawal(const ApiClient& api,
                                                              const std::string& tx_id);

// Errors: kNotFound (no such settlement, no exit paying the address); kInvalid (the exit index is
// out of range or the exit is claimed; the exit output is not on L1 yet); kVerifyFailed (the exits
// the node lists do not rebuild the exit output it names); kUnavailable (the node).
core::Result<ClaimPlan> plan_claim(const ApiClient& api, std::uint64_t seq,
                                   const ExitChoice& choice);

// The same from the node's answer to GET /v1/settlements/{seq}/exits, whatever its shape. Errors:
// kInvalid (a field missing or of another type, an unknown exit kind), kOutOfRange (an amount
// outside 1..exec::kMaxExitAmount), and those of plan_claim but kUnavailable.
core::Result<ClaimPlan> plan_from_exits(const nlohmann::json& body, std::uint64_t seq,
                                        const ExitChoice& choice);

// The claim, its fee paid from the largest spendable output of `fee_key` (the change returns to
// it): kaspad's minimum fee for its mass unless `fee` is given. Errors: kNotFound (no spendable
// output), kOutOfRange (the output does not cover the fee), kUnavailable.
core::Result<kaspa::Transaction> build_claim(const ApiClient& api, const ClaimPlan& plan,
                                             const crypto::SecretKey& fee_key,
                                             std::optional<std::uint64_t> fee);

}  // namespace basalt::client
