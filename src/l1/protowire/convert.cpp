#include "l1/protowire/convert.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>

#include "kaspa/limits.hpp"

namespace basalt::l1::protowire {

namespace {

using core::Error;
using core::ErrorCode;

Error bad(const std::string& field, const std::string& why) {
  return Error{ErrorCode::kInvalid, field + ": " + why};
}

void fill_spk(const kaspa::ScriptPublicKey& spk, ::protowire::RpcScriptPublicKey* m) {
  m->set_version(spk.version);
  m->set_scriptpublickey(core::to_hex(spk.script));
}

core::Result<kaspa::ScriptPublicKey> spk_from_rpc(const Field& f,
                                                  const ::protowire::RpcScriptPublicKey& m) {
  kaspa::ScriptPublicKey spk;
  BASALT_ASSIGN_OR_RETURN(spk.version, narrow<std::uint16_t>(f, ".version", m.version()));
  BASALT_ASSIGN_OR_RETURN(spk.script, hex_field(f, ".scriptPublicKey", m.scriptpublickey(),
                                                kaspa::kMaxScriptPublicKeyLen));
  return spk;
}

core::Result<kaspa::TxInput> input_from_rpc(const Field& f, std::uint16_t version,
                                            const ::protowire::RpcTransactionInput& m,
                                            std::uint64_t max_signature_script) {
  kaspa::TxInput in;
  BASALT_ASSIGN_OR_RETURN(in.previous_outpoint, from_rpc(m.previousoutpoint()));
  BASALT_ASSIGN_OR_RETURN(in.signature_script, hex_field(f, ".signatureScript", m.signaturescript(),
                                                         max_signature_script));
  in.sequence = m.sequence();
  auto commit = compute_commit(version, m.sigopcount(), m.computebudget());
  if (!commit.ok()) return Error{ErrorCode::kInvalid, f.name(".") + commit.error().context()};
  in.compute_commit = *commit;
  return in;
}

core::Result<kaspa::CovenantBinding> binding_from_rpc(const Field& f,
                                                      const ::protowire::RpcCovenantBinding& m) {
  kaspa::CovenantBinding c;
  BASALT_ASSIGN_OR_RETURN(c.authorizing_input,
                          narrow<std::uint16_t>(f, ".authorizing_input", m.authorizing_input()));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, hash_field(f, ".covenant_id", m.covenant_id()));
  c.covenant_id = kaspa::CovenantId(id);
  return c;
}

core::Result<kaspa::TxOutput> output_from_rpc(int i, const ::protowire::RpcTransactionOutput& m) {
  kaspa::TxOutput out;
  out.value = m.amount();
  BASALT_ASSIGN_OR_RETURN(out.script_public_key,
                          spk_from_rpc({"outputs", i, ".scriptPublicKey"}, m.scriptpublickey()));
  if (m.has_covenant()) {
    BASALT_ASSIGN_OR_RETURN(out.covenant,
                            binding_from_rpc({"outputs", i, ".covenant"}, m.covenant()));
  }
  return out;
}

core::Result<kaspa::Transaction> tx_from_rpc(const ::protowire::RpcTransaction& m,
                                             std::uint64_t max_signature_script) {
  kaspa::Transaction tx;
  BASALT_ASSIGN_OR_RETURN(tx.version, narrow<std::uint16_t>({"version"}, "", m.version()));
  if (static_cast<std::uint64_t>(m.inputs_size()) > kaspa::kMaxTxInputs)
    return bad("inputs", "more than " + std::to_string(kaspa::kMaxTxInputs));
  if (static_cast<std::uint64_t>(m.outputs_size()) > kaspa::kMaxTxOutputs)
    return bad("outputs", "more than " + std::to_string(kaspa::kMaxTxOutputs));
  tx.inputs.reserve(m.inputs_size());
  for (int i = 0; i < m.inputs_size(); ++i) {
    BASALT_ASSIGN_OR_RETURN(kaspa::TxInput in, input_from_rpc({"inputs", i}, tx.version,
                                                              m.inputs(i), max_signature_script));
    tx.inputs.push_back(std::move(in));
  }
  tx.outputs.reserve(m.outputs_size());
  for (int i = 0; i < m.outputs_size(); ++i) {
    BASALT_ASSIGN_OR_RETURN(kaspa::TxOutput out, output_from_rpc(i, m.outputs(i)));
    tx.outputs.push_back(std::move(out));
  }
  tx.lock_time = m.locktime();
  auto lane = kaspa::LaneId::from_hex(m.subnetworkid());
  if (!lane.ok()) return bad("subnetworkId", "not a 20-byte subnetwork id");
  tx.subnetwork_id = *lane;
  tx.gas = m.gas();
  BASALT_ASSIGN_OR_RETURN(tx.payload,
                          hex_field({"payload"}, "", m.payload(), kaspa::kMaxPayloadLen));
  return tx;
}

void fill_binding(const kaspa::CovenantBinding& c, ::protowire::RpcCovenantBinding* m) {
  m->set_authorizing_input(c.authorizing_input);
  m->set_covenant_id(c.covenant_id.hex());
}

void fill_inputs_and_fields(const kaspa::Transaction& tx, ::protowire::RpcTransaction& m) {
  m.set_version(tx.version);
  for (const kaspa::TxInput& in : tx.inputs) {
    auto* i = m.add_inputs();
    i->mutable_previousoutpoint()->set_transactionid(in.previous_outpoint.transaction_id.hex());
    i->mutable_previousoutpoint()->set_index(in.previous_outpoint.index);
    i->set_signaturescript(core::to_hex(in.signature_script));
    i->set_sequence(in.sequence);
    if (in.compute_commit.kind == kaspa::ComputeCommit::Kind::kComputeBudget) {
      i->set_computebudget(in.compute_commit.value);
    } else {
      i->set_sigopcount(in.compute_commit.value);
    }
  }
  m.set_locktime(tx.lock_time);
  m.set_subnetworkid(tx.subnetwork_id.hex());
  m.set_gas(tx.gas);
  m.set_payload(core::to_hex(tx.payload));
}

}  // namespace

std::string Field::name(std::string_view last) const {
  std::string n(base);
  if (index >= 0) n += "[" + std::to_string(index) + "]";
  n += middle;
  n += last;
  return n;
}

Error field_error(const Field& f, std::string_view last, const std::string& why) {
  return bad(f.name(last), why);
}

core::Result<core::Bytes> hex_field(const Field& f, std::string_view last, std::string_view hex,
                                    std::uint64_t max_bytes) {
  if (hex.size() > 2 * max_bytes)
    return bad(f.name(last), "longer than " + std::to_string(max_bytes) + " bytes");
  auto b = core::from_hex(hex);
  if (!b.ok()) return bad(f.name(last), "not hex");
  return std::move(b).value();
}

core::Result<core::Hash32> hash_field(const Field& f, std::string_view last, std::string_view hex) {
  if (hex.size() != 64) return bad(f.name(last), "not a 32-byte hash");
  auto h = core::Hash32::from_hex(hex);
  if (!h.ok()) return bad(f.name(last), "not hex");
  return *h;
}

core::Result<kaspa::ComputeCommit> compute_commit(std::uint16_t version, std::uint64_t sig_op_count,
                                                  std::uint64_t compute_budget) {
  kaspa::ComputeCommit c;
  if (version >= kaspa::kTxVersionToccata) {
    if (sig_op_count != 0) return bad("sigOpCount", "set on a v1 transaction");
    BASALT_ASSIGN_OR_RETURN(c.value, narrow<std::uint16_t>({"computeBudget"}, "", compute_budget));
    c.kind = kaspa::ComputeCommit::Kind::kComputeBudget;
  } else {
    if (compute_budget != 0) return bad("computeBudget", "set on a v0 transaction");
    BASALT_ASSIGN_OR_RETURN(c.value, narrow<std::uint8_t>({"sigOpCount"}, "", sig_op_count));
    c.kind = kaspa::ComputeCommit::Kind::kSigOpCount;
  }
  return c;
}

::protowire::RpcOutpoint to_rpc(const kaspa::Outpoint& o) {
  ::protowire::RpcOutpoint m;
  m.set_transactionid(o.transaction_id.hex());
  m.set_index(o.index);
  return m;
}

std::string hash_bytes(const core::Hash32& h) {
  return std::string(reinterpret_cast<const char*>(h.bytes.data()), h.bytes.size());
}

core::Result<core::Hash32> hash_from_bytes(const std::string& bytes) {
  if (bytes.size() != 32) return Error{ErrorCode::kInvalid, "not 32 bytes"};
  core::Hash32 h;
  std::copy(bytes.begin(), bytes.end(), h.bytes.begin());
  return h;
}

core::Result<kaspa::Outpoint> from_rpc(const ::protowire::RpcOutpoint& m) {
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id,
                          hash_field({"outpoint"}, ".transactionId", m.transactionid()));
  return kaspa::Outpoint{kaspa::TxId(id), m.index()};
}

::protowire::RpcTransaction to_rpc(const kaspa::Transaction& tx) {
  ::protowire::RpcTransaction m;
  fill_inputs_and_fields(tx, m);
  for (const kaspa::TxOutput& out : tx.outputs) {
    auto* o = m.add_outputs();
    o->set_amount(out.value);
    fill_spk(out.script_public_key, o->mutable_scriptpublickey());
    if (out.covenant) fill_binding(*out.covenant, o->mutable_covenant());
  }
  m.set_storage_mass(tx.storage_mass);
  return m;
}

core::Result<kaspa::Transaction> from_rpc(const ::protowire::RpcTransaction& m,
                                          std::uint64_t max_signature_script) {
  BASALT_ASSIGN_OR_RETURN(kaspa::Transaction tx, tx_from_rpc(m, max_signature_script));
  tx.storage_mass = m.storage_mass();
  return tx;
}

std::string blue_work_hex(const kaspa::BlueWork& w) {
  const std::string hex = core::to_hex(w.be);
  const std::size_t first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

::protowire::RpcUtxoEntry to_rpc(const kaspa::UtxoEntry& e) {
  ::protowire::RpcUtxoEntry m;
  m.set_amount(e.amount);
  fill_spk(e.script_public_key, m.mutable_scriptpublickey());
  m.set_iscoinbase(e.is_coinbase);
  if (e.covenant_id) m.set_covenant_id(e.covenant_id->hex());
  return m;
}

core::Result<kaspa::UtxoEntry> from_rpc(const ::protowire::RpcUtxoEntry& m) {
  kaspa::UtxoEntry e;
  e.amount = m.amount();
  BASALT_ASSIGN_OR_RETURN(e.script_public_key,
                          spk_from_rpc({"utxoEntry.scriptPublicKey"}, m.scriptpublickey()));
  e.is_coinbase = m.iscoinbase();
  if (!m.covenant_id().empty()) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 id,
                            hash_field({"utxoEntry"}, ".covenant_id", m.covenant_id()));
    e.covenant_id = kaspa::CovenantId(id);
  }
  return e;
}

}  // namespace basalt::l1::protowire
