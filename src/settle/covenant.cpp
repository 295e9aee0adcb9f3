#include "settle/covenant.hpp"

#include "crypto/sha256.hpp"
#include "kaspa/covenant.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/script.hpp"

namespace basalt::settle {

namespace {

namespace op = kaspa::op;
using core::Bytes;

void push(Bytes& s, core::ByteSpan data) {
  kaspa::push_data(s, data);
}
void push_byte(Bytes& s, std::uint8_t b) {
  push(s, Bytes{b});
}
void ops(Bytes& s, std::initializer_list<std::uint8_t> codes) {
  s.insert(s.end(), codes.begin(), codes.end());
}

// The body for a given own length (the body reads itself back from the signature script, so it
// embeds its length; body() finds the fixed point).
Bytes body_with_length(const CovenantPins& p, std::int64_t length) {
  Bytes s;
  // [R, nlt, ns, anchor, prev_tip, prev_state] -> alt: prev_state, prev_tip
  ops(s, {op::kToAltStack, op::kToAltStack, op::kChainblockSeqCommit, op::kToAltStack});
  // [R, nlt, ns]: the next redeem = 0x20 nlt 0x20 ns || own body, must be output 0's P2SH.
  ops(s, {op::k2Dup, op::kSwap});
  push_byte(s, 0x20);
  ops(s, {op::kSwap, op::kCat});
  push_byte(s, 0x20);
  ops(s, {op::kCat, op::kSwap, op::kCat});
  ops(s, {op::kFalse, op::kFalse, op::kTxInputScriptSigLen, op::kDup});
  push(s, kaspa::script_number(length));
  ops(s, {op::kSub, op::kSwap, op::kTxInputScriptSigSubstr, op::kCat, op::kBlake2b});
  push(s, Bytes{0x00, 0x00, op::kBlake2b, 0x20});
  ops(s, {op::kSwap, op::kCat});
  push_byte(s, op::kEqual);
  ops(s, {op::kCat, op::kFalse, op::kTxOutputSpk, op::kEqualVerify});
  // The journal: prev_state prev_tip new_state new_tip seq_commit covenant_id pins zero lane_key.
  ops(s, {op::kSwap, op::kCat, op::kFromAltStack, op::kCat, op::kFromAltStack, op::kFromAltStack,
          op::kSwap, op::kCat, op::kSwap, op::kCat});
  ops(s, {op::kFalse, op::kInputCovenantId, op::kCat});
  push(s, p.tx_image_id.hash().bytes);
  ops(s, {op::kCat});
  push(s, p.batch_image_id.hash().bytes);
  ops(s, {op::kCat});
  push(s, core::Hash32::zero().bytes);
  ops(s, {op::kCat});
  push(s, p.lane_key.hash().bytes);
  ops(s, {op::kCat, op::kSha256});
  push(s, p.aggregate_image_id.hash().bytes);
  push_byte(s, kaspa::kZkTagBasaltReexec);
  ops(s, {op::kZkPrecompile, op::kVerify});
  // Input 0; output 0 is the covenant's only output, and keeps its value.
  ops(s, {op::kTxInputIndex, op::kFalse, op::kEqualVerify});
  ops(s, {op::kFalse, op::kInputCovenantId, op::kCovOutputCount, op::kTrue, op::kEqualVerify});
  ops(s, {op::kFalse, op::kInputCovenantId, op::kFalse, op::kCovOutputIdx, op::kFalse,
          op::kEqualVerify});
  ops(s, {op::kFalse, op::kTxOutputAmount, op::kFalse, op::kTxInputAmount, op::kEqualVerify});
  ops(s, {op::kTrue});
  return s;
}

Bytes body(const CovenantPins& p) {
  std::int64_t length = 0;
  for (;;) {
    Bytes b = body_with_length(p, length);
    if (static_cast<std::int64_t>(b.size()) == length) return b;
    length = static_cast<std::int64_t>(b.size());
  }
}

}  // namespace

CovenantScript::CovenantScript(const CovenantPins& pins) : pins_(pins), body_(body(pins)) {}

core::Bytes CovenantScript::redeem(const CovenantState& s) const {
  Bytes r;
  push(r, s.lane_tip.hash().bytes);
  push(r, s.state.bytes);
  r.insert(r.end(), body_.begin(), body_.end());
  return r;
}

kaspa::ScriptPublicKey CovenantScript::spk(const CovenantState& s) const {
  return kaspa::p2sh_script(redeem(s));
}

Genesis genesis_transaction(const CovenantScript& covenant, const CovenantState& initial,
                            std::uint64_t value, const kaspa::Outpoint& funding,
                            const kaspa::UtxoEntry& funding_entry, const crypto::SecretKey& key,
                            std::uint64_t fee) {
  Genesis g;
  kaspa::Transaction& tx = g.tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = kaspa::kNativeLaneId;
  kaspa::TxInput in;
  in.previous_outpoint = funding;
  in.compute_commit = {kaspa::ComputeCommit::Kind::kComputeBudget, 0};
  tx.inputs.push_back(in);
  const kaspa::ScriptPublicKey spk = covenant.spk(initial);
  const kaspa::AuthorizedOutput out{0, value, spk};
  g.covenant_id = kaspa::covenant_id(funding, std::span(&out, 1));
  tx.outputs.push_back({value, spk, kaspa::CovenantBinding{0, g.covenant_id}});
  tx.outputs.push_back(
      {funding_entry.amount - value - fee, kaspa::p2pk_script(key.public_key()), std::nullopt});
  const core::Hash32 aux = crypto::sha256(kaspa::serialize_transaction(tx));
  kaspa::sign_p2pk_input(tx, 0, funding_entry, key, aux);
  return g;
}

kaspa::Transaction settlement_transaction(const CovenantScript& covenant,
                                          kaspa::CovenantId covenant_id, const SettlementSpend& s,
                                          const kaspa::Outpoint& fee_utxo,
                                          const kaspa::UtxoEntry& fee_entry,
                                          const crypto::SecretKey& fee_key, std::uint64_t fee) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = kaspa::kNativeLaneId;
  kaspa::TxInput cov;
  cov.previous_outpoint = s.covenant;
  cov.compute_commit = {kaspa::ComputeCommit::Kind::kComputeBudget, 0};
  push(cov.signature_script, s.receipt);
  push(cov.signature_script, s.journal.new_lane_tip.bytes);
  push(cov.signature_script, s.journal.new_state.bytes);
  push(cov.signature_script, s.anchor.hash().bytes);
  push(cov.signature_script, covenant.redeem(s.from));
  tx.inputs.push_back(std::move(cov));
  kaspa::TxInput fee_in;
  fee_in.previous_outpoint = fee_utxo;
  fee_in.compute_commit = {kaspa::ComputeCommit::Kind::kComputeBudget, 0};
  tx.inputs.push_back(fee_in);
  const CovenantState next{s.journal.new_state, kaspa::LaneTip(s.journal.new_lane_tip)};
  tx.outputs.push_back(
      {s.covenant_entry.amount, covenant.spk(next), kaspa::CovenantBinding{0, covenant_id}});
  tx.outputs.push_back(
      {fee_entry.amount - fee, kaspa::p2pk_script(fee_key.public_key()), std::nullopt});
  const core::Hash32 aux = crypto::sha256(kaspa::serialize_transaction(tx));
  kaspa::sign_p2pk_input(tx, 1, fee_entry, fee_key, aux);
  return tx;
}

}  // namespace basalt::settle
