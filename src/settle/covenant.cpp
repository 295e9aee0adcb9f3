#include "settle/covenant.hpp"

#include "crypto/sha256.hpp"
#include "kaspa/covenant.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/script.hpp"
#include "zk/exits.hpp"

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
  // [R, exit_root, exit_total, nlt, ns, anchor, prev_tip, prev_state] -> alt: prev_state, prev_tip
  ops(s, {op::kToAltStack, op::kToAltStack, op::kChainblockSeqCommit, op::kToAltStack});
  // [R, nlt, ns]: the next redeem = 0x20 nlt 0x20 ns || own body, must be output 0's P2SH.
  ops(s, {op::k2Dup, op::kSwap});
  push_byte(s, 0x20);
  ops(s, {op::kSwap, op::kCat});
  push_byte(s, 0x20);
  ops(s, {op::kCat, op::kSwap, op::kCat});
  kaspa::emit_cat_own_tail(s, length);
  ops(s, {op::kBlake2b});
  kaspa::emit_p2sh_spk_of_hash(s);
  ops(s, {op::kFalse, op::kTxOutputSpk, op::kEqualVerify});
  // The journal: prev_state prev_tip new_state new_tip seq_commit covenant_id pins
  // permission_spk_hash lane_key.
  ops(s, {op::kSwap, op::kCat, op::kFromAltStack, op::kCat, op::kFromAltStack, op::kFromAltStack,
          op::kSwap, op::kCat, op::kSwap, op::kCat});
  ops(s, {op::kFalse, op::kInputCovenantId, op::kCat});
  push(s, p.tx_image_id.hash().bytes);
  ops(s, {op::kCat});
  push(s, p.batch_image_id.hash().bytes);
  ops(s, {op::kCat, op::kToAltStack});
  // [R, exit_root, exit_total]: without exits (an empty total) the root is empty too, the
  // covenant keeps its value and the permission hash is zero; with exits, output 1 pays the total
  // into the exit script committing to (root, total), output 0 keeps the rest, and the permission
  // hash is the exit script's P2SH hash.
  ops(s, {op::kDup, op::kFalse, op::kEqual, op::kIf});
  ops(s, {op::kDrop, op::kFalse, op::kEqualVerify});
  ops(s, {op::kFalse, op::kTxOutputAmount, op::kFalse, op::kTxInputAmount, op::kEqualVerify});
  push(s, core::Hash32::zero().bytes);
  ops(s, {op::kElse});
  ops(s, {op::kDup, op::kTrue, op::kTxOutputAmount, op::kEqualVerify});
  ops(s, {op::kDup, op::kFalse, op::kTxOutputAmount, op::kAdd, op::kFalse, op::kTxInputAmount,
          op::kEqualVerify});
  zk::emit_exit_prefix(s);
  push(s, zk::exit_script_body());
  ops(s, {op::kCat, op::kBlake2b, op::kDup});
  kaspa::emit_p2sh_spk_of_hash(s);
  ops(s, {op::kTrue, op::kTxOutputSpk, op::kEqualVerify});
  ops(s, {op::kEndIf});
  ops(s, {op::kFromAltStack, op::kSwap, op::kCat});
  push(s, p.lane_key.hash().bytes);
  ops(s, {op::kCat, op::kSha256});
  push(s, p.aggregate_image_id.hash().bytes);
  push_byte(s, kaspa::kZkTagBasaltReexec);
  ops(s, {op::kZkPrecompile, op::kVerify});
  // Input 0; output 0 is the covenant's only output.
  ops(s, {op::kTxInputIndex, op::kFalse, op::kEqualVerify});
  ops(s, {op::kFalse, op::kInputCovenantId, op::kCovOutputCount, op::kTrue, op::kEqualVerify});
  ops(s, {op::kFalse, op::kInputCovenantId, op::kFalse, op::kCovOutputIdx, op::kFalse,
          op::kEqualVerify});
  ops(s, {op::kTrue});
  return s;
}

// A script spend with a fee: input 0 spends `script_input` with `signature_script`, input 1 the
// P2PK output `fee_utxo` of `fee_key` (signed); `outputs`, then the change back to the key.
kaspa::Transaction spend_with_fee(const kaspa::Outpoint& script_input, Bytes signature_script,
                                  std::vector<kaspa::TxOutput> outputs,
                                  const kaspa::Outpoint& fee_utxo,
                                  const kaspa::UtxoEntry& fee_entry,
                                  const crypto::SecretKey& fee_key, std::uint64_t fee) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = kaspa::kNativeLaneId;
  for (const kaspa::Outpoint& op : {script_input, fee_utxo}) {
    kaspa::TxInput in;
    in.previous_outpoint = op;
    in.compute_commit = {kaspa::ComputeCommit::Kind::kComputeBudget, 0};
    tx.inputs.push_back(std::move(in));
  }
  tx.inputs[0].signature_script = std::move(signature_script);
  tx.outputs = std::move(outputs);
  tx.outputs.push_back(
      {fee_entry.amount - fee, kaspa::p2pk_script(fee_key.public_key()), std::nullopt});
  const core::Hash32 aux = crypto::sha256(kaspa::serialize_transaction(tx));
  kaspa::sign_p2pk_input(tx, 1, fee_entry, fee_key, aux);
  return tx;
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
  Bytes witness;
  push(witness, s.receipt);
  push(witness,
       s.exit_total > 0 ? Bytes(s.exit_root.bytes.begin(), s.exit_root.bytes.end()) : Bytes{});
  push(witness, kaspa::script_number(static_cast<std::int64_t>(s.exit_total)));
  push(witness, s.journal.new_lane_tip.bytes);
  push(witness, s.journal.new_state.bytes);
  push(witness, s.anchor.hash().bytes);
  push(witness, covenant.redeem(s.from));
  const CovenantState next{s.journal.new_state, kaspa::LaneTip(s.journal.new_lane_tip)};
  std::vector<kaspa::TxOutput> outputs{{s.covenant_entry.amount - s.exit_total, covenant.spk(next),
                                        kaspa::CovenantBinding{0, covenant_id}}};
  if (s.exit_total > 0) {
    outputs.push_back({s.exit_total, kaspa::p2sh_script(zk::exit_redeem(s.exit_root, s.exit_total)),
                       std::nullopt});
  }
  return spend_with_fee(s.covenant, std::move(witness), std::move(outputs), fee_utxo, fee_entry,
                        fee_key, fee);
}

kaspa::Transaction exit_claim_transaction(const zk::ExitTree& tree, std::size_t i,
                                          const kaspa::Outpoint& exit_output,
                                          const kaspa::Outpoint& fee_utxo,
                                          const kaspa::UtxoEntry& fee_entry,
                                          const crypto::SecretKey& fee_key, std::uint64_t fee) {
  const exec::Exit& e = tree.exits()[i];
  std::vector<kaspa::TxOutput> outputs{{e.amount, exec::exit_script_public_key(e), std::nullopt}};
  zk::ExitTree after = tree;
  after.claim(i);
  if (after.total() > 0)
    outputs.push_back({after.total(), kaspa::p2sh_script(after.redeem()), std::nullopt});
  return spend_with_fee(exit_output, tree.claim_witness(i), std::move(outputs), fee_utxo, fee_entry,
                        fee_key, fee);
}

std::optional<std::size_t> claimed_exit(const zk::ExitTree& tree, const kaspa::Transaction& tx) {
  if (tx.outputs.empty()) return std::nullopt;
  const kaspa::TxOutput& paid = tx.outputs[0];
  for (std::size_t i = 0; i < tree.exits().size(); ++i) {
    const exec::Exit& e = tree.exits()[i];
    if (tree.claimed(i) || e.amount != paid.value ||
        exec::exit_script_public_key(e) != paid.script_public_key) {
      continue;
    }
    zk::ExitTree after = tree;
    after.claim(i);
    if (after.total() == 0) return i;
    if (tx.outputs.size() > 1 && tx.outputs[1].value == after.total() &&
        tx.outputs[1].script_public_key == kaspa::p2sh_script(after.redeem())) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace basalt::settle
