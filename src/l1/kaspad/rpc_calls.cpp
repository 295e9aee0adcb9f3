#include "l1/kaspad/rpc_calls.hpp"

#include <cmath>

#include "l1/protowire/convert.hpp"

namespace basalt::l1::kaspad {

namespace {

using core::Error;
using core::ErrorCode;
using protowire::Response;

Error malformed(const std::string& what) {
  return Error{ErrorCode::kInvalid, "kaspad's answer: " + what};
}

core::Result<kaspa::BlockHash> block_hash(const std::string& field, const std::string& hex) {
  auto h = core::Hash32::from_hex(hex);
  if (hex.size() != 64 || !h.ok()) return malformed(field + " is not a block hash");
  return kaspa::BlockHash(*h);
}

// kaspad reports fee rates as doubles; basalt keeps whole sompi per gram, never below what
// kaspad asked for.
core::Result<std::uint64_t> rate(const ::protowire::RpcFeerateBucket& b) {
  const double r = b.feerate();
  if (!std::isfinite(r) || r < 0 || r > 1e15) return malformed("a fee rate out of range");
  return static_cast<std::uint64_t>(std::ceil(r));
}

template <typename Answer>
core::Status refused(const Answer& a) {
  if (a.has_error() && !a.error().message().empty())
    return Error{ErrorCode::kInvalid, "kaspad: " + a.error().message()};
  return core::Status::Ok();
}

// What kaspad said of a submission: refused, or taken under the transaction's own id.
template <typename Answer>
core::Result<kaspa::TxId> submitted(const kaspa::Transaction& tx, const Answer& m) {
  BASALT_TRY(refused(m));
  const kaspa::TxId id = kaspa::tx_id(tx);
  if (m.transactionid() != id.hex())
    return malformed("transaction id " + m.transactionid() + " for " + id.hex());
  return id;
}

}  // namespace

core::Result<ServerInfo> read_server_info(const ::protowire::GetServerInfoResponseMessage& m) {
  BASALT_TRY(refused(m));
  return ServerInfo{m.networkid(), m.serverversion(), m.hasutxoindex(), m.issynced(),
                    m.virtualdaascore()};
}

core::Result<DagInfo> read_dag_info(const ::protowire::GetBlockDagInfoResponseMessage& m) {
  BASALT_TRY(refused(m));
  DagInfo d;
  d.network_name = m.networkname();
  BASALT_ASSIGN_OR_RETURN(d.sink, block_hash("sink", m.sink()));
  BASALT_ASSIGN_OR_RETURN(d.pruning_point, block_hash("pruningPointHash", m.pruningpointhash()));
  d.virtual_daa_score = m.virtualdaascore();
  return d;
}

core::Result<FeeEstimate> read_fee_estimate(const ::protowire::GetFeeEstimateResponseMessage& m) {
  BASALT_TRY(refused(m));
  const auto& e = m.estimate();
  if (e.normalbuckets_size() == 0 || e.lowbuckets_size() == 0)
    return malformed("a fee estimate without normal or low buckets");
  FeeEstimate f;
  BASALT_ASSIGN_OR_RETURN(f.priority, rate(e.prioritybucket()));
  BASALT_ASSIGN_OR_RETURN(f.normal, rate(e.normalbuckets(0)));
  BASALT_ASSIGN_OR_RETURN(f.low, rate(e.lowbuckets(0)));
  return f;
}

core::Result<std::vector<Utxo>> read_utxos(
    const ::protowire::GetUtxosByAddressesResponseMessage& m) {
  BASALT_TRY(refused(m));
  std::vector<Utxo> out;
  for (const auto& e : m.entries()) {
    BASALT_ASSIGN_OR_RETURN(kaspa::Outpoint op, protowire::from_rpc(e.outpoint()));
    BASALT_ASSIGN_OR_RETURN(kaspa::UtxoEntry entry, protowire::from_rpc(e.utxoentry()));
    out.emplace_back(op, std::move(entry));
  }
  return out;
}

core::Result<Response> RpcCalls::call(protowire::Request r, Response::PayloadCase expected) {
  BASALT_ASSIGN_OR_RETURN(Response a, client_.call(std::move(r)));
  if (a.payload_case() != expected) {
    return malformed("answered with message " + std::to_string(a.payload_case()) + " instead of " +
                     std::to_string(expected));
  }
  return a;
}

core::Result<ServerInfo> RpcCalls::server_info() {
  protowire::Request r;
  r.mutable_getserverinforequest();
  BASALT_ASSIGN_OR_RETURN(const Response a, call(std::move(r), Response::kGetServerInfoResponse));
  return read_server_info(a.getserverinforesponse());
}

core::Status RpcCalls::check_server(kaspa::Network network) {
  BASALT_ASSIGN_OR_RETURN(const ServerInfo info, server_info());
  const std::string want(kaspa::network_name(network));
  if (info.network_id != want) {
    return Error{ErrorCode::kInvalid, "kaspad is on network \"" + info.network_id +
                                          "\", the configuration says \"" + want + "\""};
  }
  if (!info.has_utxo_index)
    return Error{ErrorCode::kInvalid,
                 "kaspad runs without a UTXO index (start it with --utxoindex)"};
  if (!info.is_synced) return Error{ErrorCode::kInvalid, "kaspad is not synced yet"};
  return core::Status::Ok();
}

core::Result<DagInfo> RpcCalls::dag_info() {
  protowire::Request r;
  r.mutable_getblockdaginforequest();
  BASALT_ASSIGN_OR_RETURN(const Response a, call(std::move(r), Response::kGetBlockDagInfoResponse));
  return read_dag_info(a.getblockdaginforesponse());
}

core::Result<FeeEstimate> RpcCalls::fee_estimate() {
  protowire::Request r;
  r.mutable_getfeeestimaterequest();
  BASALT_ASSIGN_OR_RETURN(const Response a, call(std::move(r), Response::kGetFeeEstimateResponse));
  return read_fee_estimate(a.getfeeestimateresponse());
}

core::Result<std::vector<Utxo>> RpcCalls::utxos(const std::vector<kaspa::Address>& addresses) {
  protowire::Request r;
  for (const kaspa::Address& a : addresses)
    r.mutable_getutxosbyaddressesrequest()->add_addresses(a.to_string());
  BASALT_ASSIGN_OR_RETURN(const Response a,
                          call(std::move(r), Response::kGetUtxosByAddressesResponse));
  return read_utxos(a.getutxosbyaddressesresponse());
}

core::Result<kaspa::TxId> RpcCalls::submit(const kaspa::Transaction& tx) {
  protowire::Request r;
  *r.mutable_submittransactionrequest()->mutable_transaction() = protowire::to_rpc(tx);
  BASALT_ASSIGN_OR_RETURN(const Response a,
                          call(std::move(r), Response::kSubmitTransactionResponse));
  return submitted(tx, a.submittransactionresponse());
}

core::Result<kaspa::TxId> RpcCalls::submit_replacement(const kaspa::Transaction& tx) {
  protowire::Request r;
  *r.mutable_submittransactionreplacementrequest()->mutable_transaction() = protowire::to_rpc(tx);
  BASALT_ASSIGN_OR_RETURN(const Response a,
                          call(std::move(r), Response::kSubmitTransactionReplacementResponse));
  return submitted(tx, a.submittransactionreplacementresponse());
}

}  // namespace basalt::l1::kaspad
