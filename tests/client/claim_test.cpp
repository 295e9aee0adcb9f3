// A claim planned from a node's answer (client::plan_from_exits): the answer is outside input, so
// each way it can be wrong — a missing or mistyped field, an unknown kind, an amount out of range,
// exits that do not rebuild the exit output it names — is an error saying so, never an exception.
#include "client/claim.hpp"

#include <gtest/gtest.h>

#include "kaspa/address.hpp"

namespace basalt::client {
namespace {

using nlohmann::json;

const std::vector<exec::Exit> kExits = {
    {exec::ExitKind::kSchnorrP2pk, core::Hash32::filled(0xb0), 250},
    {exec::ExitKind::kP2sh, core::Hash32::filled(0xb1), 1000}};

std::string address_of(const exec::Exit& e) {
  return kaspa::Address::from_script(kaspa::AddressPrefix::kSimnet, exec::exit_script_public_key(e))
      ->to_string();
}

// What a node answers for a settlement with kExits, exit 0 claimed when `first_claimed`.
json answer(bool first_claimed) {
  zk::ExitTree tree = zk::ExitTree::build(kExits).value();
  json exits = json::array();
  for (const exec::Exit& e : kExits) {
    exits.push_back({{"kind", exec::exit_kind_name(e.kind)},
                     {"key", e.key.hex()},
                     {"amount", e.amount},
                     {"address", address_of(e)},
                     {"claimed", false},
                     {"claim_tx", nullptr}});
  }
  if (first_claimed) {
    tree.claim(0);
    exits[0]["claimed"] = true;
    exits[0]["claim_tx"] = core::Hash32::filled(0xc1).hex();
  }
  return {{"seq", 4},
          {"status", "confirmed"},
          {"exits", exits},
          {"exit_output",
           {{"tx_id", core::Hash32::filled(0xc0).hex()},
            {"index", 1},
            {"amount", tree.total()},
            {"address",
             kaspa::Address::p2sh(kaspa::AddressPrefix::kSimnet, tree.redeem()).to_string()}}}};
}

// The error's code; nullopt (and a failure) when the answer was taken.
std::optional<core::ErrorCode> refused(const json& body,
                                       const ExitChoice& choice = {0, "", std::nullopt}) {
  auto plan = plan_from_exits(body, 4, choice);
  EXPECT_FALSE(plan.ok()) << body.dump();
  if (plan.ok()) return std::nullopt;
  return plan.error().code();
}

TEST(ClaimPlan, AWellFormedAnswerGivesTheExitAndWhereItIsHeld) {
  auto plan = plan_from_exits(answer(true), 4, {std::nullopt, address_of(kExits[1]), 1000});
  ASSERT_TRUE(plan.ok()) << plan.error().to_string();
  EXPECT_EQ(plan->exit, 1u);
  EXPECT_TRUE(plan->tree.claimed(0));
  EXPECT_EQ(plan->exit_output, (kaspa::Outpoint{kaspa::TxId(core::Hash32::filled(0xc0)), 1}));
}

TEST(ClaimPlan, EachWayTheAnswerCanBeWrongIsAnError) {
  EXPECT_EQ(refused(json("not an object")), core::ErrorCode::kInvalid);
  EXPECT_EQ(refused(json::object()), core::ErrorCode::kInvalid);
  json bad = answer(false);
  bad["exits"][0]["kind"] = "p2pk_ecdsa";
  EXPECT_EQ(refused(bad), core::ErrorCode::kUnknownTag);
  bad = answer(false);
  bad["exits"][0].erase("amount");
  EXPECT_EQ(refused(bad), core::ErrorCode::kInvalid);
  bad = answer(false);
  bad["exits"][0]["amount"] = 0u;
  EXPECT_EQ(refused(bad), core::ErrorCode::kOutOfRange);
  bad = answer(false);
  bad["exits"][0]["amount"] = "250";
  EXPECT_EQ(refused(bad), core::ErrorCode::kInvalid);
  bad = answer(false);
  bad["exits"][1]["claimed"] = "yes";  // a field of another type
  EXPECT_EQ(refused(bad), core::ErrorCode::kInvalid);
  bad = answer(false);
  bad["exits"][0]["key"] = "b0b0";  // truncated
  EXPECT_TRUE(refused(bad).has_value());
  bad = answer(false);
  bad["exit_output"] = nullptr;  // not on L1 yet
  EXPECT_EQ(refused(bad), core::ErrorCode::kInvalid);
  bad = answer(false);
  bad["exit_output"]["amount"] = 1249u;  // the exits do not rebuild it
  EXPECT_EQ(refused(bad), core::ErrorCode::kVerifyFailed);
  bad = answer(false);
  bad["exits"][1]["amount"] = 999u;
  EXPECT_EQ(refused(bad), core::ErrorCode::kVerifyFailed);
  // Choices that the answer cannot satisfy.
  EXPECT_EQ(refused(answer(true)), core::ErrorCode::kInvalid);  // exit 0 is claimed
  EXPECT_EQ(refused(answer(false), {7, "", std::nullopt}), core::ErrorCode::kInvalid);
  EXPECT_EQ(refused(answer(false), {std::nullopt, "kaspasim:qq", std::nullopt}),
            core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace basalt::client
