#include "client/claim.hpp"

#include "kaspa/address.hpp"
#include "kaspa/mass.hpp"
#include "settle/covenant.hpp"

namespace basalt::client {

using core::Error;
using core::ErrorCode;
using nlohmann::json;

namespace {

core::Result<exec::Exit> parse_exit(const json& j) {
  exec::Exit e;
  BASALT_ASSIGN_OR_RETURN(e.kind, exec::exit_kind_from_name(j.value("kind", "")));
  BASALT_ASSIGN_OR_RETURN(e.key, core::Hash32::from_hex(j.value("key", "")));
  if (!j.contains("amount") || !j["amount"].is_number_unsigned()) {
    return Error{ErrorCode::kInvalid, "the node lists an exit without an amount"};
  }
  e.amount = j["amount"].get<std::uint64_t>();
  if (e.amount == 0 || e.amount > exec::kMaxExitAmount) {
    return Error{ErrorCode::kOutOfRange,
                 "the node lists an exit of " + std::to_string(e.amount) + " sompi"};
  }
  return e;
}

core::Result<std::size_t> choose(const json& exits, const zk::ExitTree& tree,
                                 const ExitChoice& choice) {
  if (choice.index) {
    if (*choice.index >= tree.exits().size()) {
      return Error{ErrorCode::kInvalid,
                   "the settlement has " + std::to_string(tree.exits().size()) +
                       " exits; there is no exit " + std::to_string(*choice.index)};
    }
    if (tree.claimed(*choice.index)) {
      return Error{ErrorCode::kInvalid,
                   "exit " + std::to_string(*choice.index) + " is claimed already (by " +
                       exits[*choice.index].value("claim_tx", std::string("?")) + ")"};
    }
    return *choice.index;
  }
  for (std::size_t i = 0; i < tree.exits().size(); ++i) {
    if (!tree.claimed(i) && exits[i].value("address", "") == choice.address &&
        (!choice.amount || tree.exits()[i].amount == *choice.amount)) {
      return i;
    }
  }
  return Error{ErrorCode::kNotFound, "no unclaimed exit of this settlement pays " + choice.address};
}

// The newest accepted or confirmed settlement covering `batch`.
core::Result<std::uint64_t> settlement_covering(const ApiClient& api, std::uint64_t batch) {
  std::string before;
  for (int page = 0; page < 1000; ++page) {
    BASALT_ASSIGN_OR_RETURN(const auto reply, api.get("/v1/settlements?limit=100" + before));
    const json& list = reply.second.value("settlements", json::array());
    for (const json& s : list) {
      const std::string status = s.value("status", "");
      if ((status == "accepted" || status == "confirmed") &&
          s.value("first_batch", 0ull) <= batch && batch <= s.value("last_batch", 0ull)) {
        return s.value("seq", 0ull);
      }
      // Older settlements cover older batches only.
      if (status == "confirmed" && s.value("last_batch", 0ull) < batch) {
        return Error{ErrorCode::kNotFound,
                     "no settlement covers batch " + std::to_string(batch) + " yet"};
      }
    }
    if (list.empty()) break;
    before = "&before=" + std::to_string(list.back().value("seq", 0ull));
  }
  return Error{ErrorCode::kNotFound,
               "no settlement covers batch " + std::to_string(batch) + " yet"};
}

core::Result<std::pair<std::uint64_t, ExitChoice>> withdrawal_unchecked(const ApiClient& api,
                                                                        const std::string& tx_id) {
  BASALT_ASSIGN_OR_RETURN(const auto reply, api.get("/v1/txs/" + tx_id));
  const auto& [status, body] = reply;
  if (status != 200) {
    return Error{ErrorCode::kNotFound,
                 body.value("error", "transaction " + tx_id + " is not executed")};
  }
  const json& exits = body.value("exits", json::array());
  if (exits.empty()) {
    return Error{ErrorCode::kNotFound, "transaction " + tx_id + " made no exit"};
  }
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t seq,
                          settlement_covering(api, body.value("batch", 0ull)));
  return std::pair{
      seq, ExitChoice{std::nullopt, exits[0].value("address", ""), exits[0].value("amount", 0ull)}};
}

core::Result<ClaimPlan> plan_unchecked(const json& body, std::uint64_t seq,
                                       const ExitChoice& choice) {
  if (!body.contains("exits") || !body["exits"].is_array()) {
    return Error{ErrorCode::kInvalid, "the node's answer lists no exits"};
  }
  const json& exits = body["exits"];
  std::vector<exec::Exit> list;
  for (const json& j : exits) {
    BASALT_ASSIGN_OR_RETURN(exec::Exit e, parse_exit(j));
    list.push_back(e);
  }
  if (list.empty())
    return Error{ErrorCode::kNotFound, "settlement " + std::to_string(seq) + " has no exits"};
  BASALT_ASSIGN_OR_RETURN(zk::ExitTree tree, zk::ExitTree::build(std::move(list)));
  for (std::size_t i = 0; i < exits.size(); ++i) {
    if (exits[i].value("claimed", false)) tree.claim(i);
  }
  BASALT_ASSIGN_OR_RETURN(const std::size_t exit, choose(exits, tree, choice));
  const json output = body.value("exit_output", json());
  if (!output.is_object()) {
    return Error{ErrorCode::kInvalid, "settlement " + std::to_string(seq) +
                                          "'s exit output is not on L1 yet (settlement " +
                                          body.value("status", std::string("?")) + ")"};
  }
  // The exits the node lists must rebuild the output it names: a claim of anything else would only
  // be refused by L1.
  BASALT_ASSIGN_OR_RETURN(const kaspa::Address at,
                          kaspa::Address::parse(output.value("address", "")));
  const kaspa::Address rebuilt = kaspa::Address::p2sh(at.prefix, tree.redeem());
  if (rebuilt.to_string() != at.to_string() || output.value("amount", 0ull) != tree.total()) {
    return Error{ErrorCode::kVerifyFailed,
                 "the exits the node lists do not rebuild the exit "
                 "output it names (" +
                     at.to_string() + ")"};
  }
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 tx, core::Hash32::from_hex(output.value("tx_id", "")));
  const kaspa::Outpoint where{kaspa::TxId(tx), output.value("index", 0u)};
  return ClaimPlan{std::move(tree), where, exit};
}

}  // namespace

core::Result<std::pair<std::uint64_t, ExitChoice>> withdrawal(const ApiClient& api,
                                                              const std::string& tx_id) {
  try {
    return withdrawal_unchecked(api, tx_id);
  } catch (const json::exception& e) {
    return Error{ErrorCode::kInvalid,
                 "the node's answers about " + tx_id + " are malformed: " + e.what()};
  }
}

core::Result<ClaimPlan> plan_from_exits(const json& body, std::uint64_t seq,
                                        const ExitChoice& choice) {
  // The node's answer is outside input: a field of another type is an error, not an exception.
  try {
    return plan_unchecked(body, seq, choice);
  } catch (const json::exception& e) {
    return Error{ErrorCode::kInvalid, "the node's exits of settlement " + std::to_string(seq) +
                                          " are malformed: " + e.what()};
  }
}

core::Result<ClaimPlan> plan_claim(const ApiClient& api, std::uint64_t seq,
                                   const ExitChoice& choice) {
  BASALT_ASSIGN_OR_RETURN(const auto reply,
                          api.get("/v1/settlements/" + std::to_string(seq) + "/exits"));
  const auto& [status, body] = reply;
  if (status == 404) return Error{ErrorCode::kNotFound, "no settlement " + std::to_string(seq)};
  if (status != 200) {
    return Error{ErrorCode::kUnavailable, "GET /v1/settlements/" + std::to_string(seq) +
                                              "/exits: HTTP " + std::to_string(status)};
  }
  return plan_from_exits(body, seq, choice);
}

core::Result<kaspa::Transaction> build_claim(const ApiClient& api, const ClaimPlan& plan,
                                             const crypto::SecretKey& fee_key,
                                             std::optional<std::uint64_t> fee) {
  BASALT_ASSIGN_OR_RETURN(const std::vector<Output> outputs, spendable(api, fee_key));
  const std::optional<Output> best = largest_output(outputs);
  if (!best) return Error{ErrorCode::kNotFound, "the fee key has no spendable output"};
  const auto with = [&](std::uint64_t f) {
    return settle::exit_claim_transaction(plan.tree, plan.exit, plan.exit_output, best->first,
                                          best->second, fee_key, f);
  };
  const std::uint64_t paid = fee ? *fee : kaspa::minimum_fee(with(0));
  if (paid >= best->second.amount) {
    return Error{ErrorCode::kOutOfRange,
                 "the fee key's largest output (" + std::to_string(best->second.amount) +
                     " sompi) does not cover the fee of " + std::to_string(paid) + " sompi"};
  }
  return with(paid);
}

}  // namespace basalt::client
