#include "l1/kaspad/rpc_calls.hpp"

#include <algorithm>
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

core::Result<core::Hash32> raw_hash(const std::string& field, const std::string& bytes) {
  auto h = protowire::hash_from_bytes(bytes);
  if (!h.ok()) return malformed(field + " is not 32 bytes");
  return *h;
}

core::Status expect(const Response& a, Response::PayloadCase expected) {
  if (a.payload_case() != expected) {
    return malformed("answered with message " + std::to_string(a.payload_case()) + " instead of " +
                     std::to_string(expected));
  }
  return core::Status::Ok();
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

core::Result<LaneProof> read_lane_proof(const ::protowire::GetSeqCommitLaneProofResponseMessage& m,
                                        const kaspa::LaneKey& key) {
  BASALT_TRY(refused(m));
  LaneProof p;
  p.lane_key = key;
  auto smt = kaspa::SmtProof::from_bytes(core::ByteSpan(
      reinterpret_cast<const std::uint8_t*>(m.smtproof().data()), m.smtproof().size()));
  if (!smt.ok()) return malformed("smtProof: " + smt.error().to_string());
  p.smt_proof = std::move(*smt);
  if (m.has_lanetip()) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 tip, raw_hash("laneTip", m.lanetip()));
    if (!m.has_lanebluescore()) return malformed("a lane tip without its blue score");
    p.lane_tip = kaspa::LaneTip(tip);
    p.lane_blue_score = m.lanebluescore();
  }
  BASALT_ASSIGN_OR_RETURN(p.payload_and_ctx_digest,
                          raw_hash("payloadAndCtxDigest", m.payloadandctxdigest()));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 parent,
                          raw_hash("parentSeqCommit", m.parentseqcommit()));
  p.parent_seq_commit = kaspa::SeqCommit(parent);
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 shortcut,
                          raw_hash("inactivityShortcut", m.inactivityshortcut()));
  p.inactivity_shortcut = kaspa::SeqCommit(shortcut);
  return p;
}

core::Result<BlockHeader> read_block_header(const ::protowire::GetBlockResponseMessage& m) {
  BASALT_TRY(refused(m));
  const auto& h = m.block().header();
  const auto& v = m.block().verbosedata();
  BlockHeader out;
  BASALT_ASSIGN_OR_RETURN(out.hash, block_hash("hash", h.hash()));
  if (!v.hash().empty() && v.hash() != h.hash())
    return malformed("verboseData names another block");
  if (h.parents_size() > 0) {
    for (const std::string& p : h.parents(0).parenthashes()) {
      BASALT_ASSIGN_OR_RETURN(kaspa::BlockHash parent, block_hash("parents", p));
      out.parents.push_back(parent);
    }
  }
  if (!out.parents.empty()) {
    BASALT_ASSIGN_OR_RETURN(const kaspa::BlockHash sp,
                            block_hash("selectedParentHash", v.selectedparenthash()));
    auto it = std::find(out.parents.begin(), out.parents.end(), sp);
    if (it == out.parents.end()) return malformed("the selected parent is not a parent");
    std::rotate(out.parents.begin(), it, it + 1);
  }
  out.blue_score = h.bluescore();
  out.daa_score = h.daascore();
  auto work = kaspa::BlueWork::from_be_hex(h.bluework());
  if (!work.ok()) return malformed("blueWork is not a blue work");
  out.blue_work = *work;
  if (h.timestamp() < 0) return malformed("a negative timestamp");
  out.timestamp = static_cast<std::uint64_t>(h.timestamp());
  BASALT_ASSIGN_OR_RETURN(const kaspa::BlockHash root,
                          block_hash("acceptedIdMerkleRoot", h.acceptedidmerkleroot()));
  out.accepted_id_merkle_root = kaspa::SeqCommit(root.hash());
  out.is_chain_block = v.ischainblock();
  return out;
}

core::Result<std::uint64_t> read_mempool_size(const ::protowire::GetInfoResponseMessage& m) {
  BASALT_TRY(refused(m));
  return m.mempoolsize();
}

core::Result<protowire::Answer> RpcCalls::call(protowire::Request r,
                                               Response::PayloadCase expected) {
  BASALT_ASSIGN_OR_RETURN(protowire::Answer a, client_.call(std::move(r)));
  BASALT_TRY(expect(*a, expected));
  return a;
}

core::Result<ServerInfo> RpcCalls::server_info() {
  protowire::Request r;
  r.mutable_getserverinforequest();
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kGetServerInfoResponse));
  return read_server_info(a->getserverinforesponse());
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
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kGetBlockDagInfoResponse));
  return read_dag_info(a->getblockdaginforesponse());
}

core::Result<FeeEstimate> RpcCalls::fee_estimate() {
  protowire::Request r;
  r.mutable_getfeeestimaterequest();
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kGetFeeEstimateResponse));
  return read_fee_estimate(a->getfeeestimateresponse());
}

core::Result<std::vector<Utxo>> RpcCalls::utxos(const std::vector<kaspa::Address>& addresses) {
  protowire::Request r;
  for (const kaspa::Address& a : addresses)
    r.mutable_getutxosbyaddressesrequest()->add_addresses(a.to_string());
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kGetUtxosByAddressesResponse));
  return read_utxos(a->getutxosbyaddressesresponse());
}

core::Result<kaspa::TxId> RpcCalls::submit(const kaspa::Transaction& tx) {
  protowire::Request r;
  *r.mutable_submittransactionrequest()->mutable_transaction() = protowire::to_rpc(tx);
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kSubmitTransactionResponse));
  return submitted(tx, a->submittransactionresponse());
}

core::Result<kaspa::TxId> RpcCalls::submit_replacement(const kaspa::Transaction& tx) {
  protowire::Request r;
  *r.mutable_submittransactionreplacementrequest()->mutable_transaction() = protowire::to_rpc(tx);
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kSubmitTransactionReplacementResponse));
  return submitted(tx, a->submittransactionreplacementresponse());
}

}  // namespace basalt::l1::kaspad

namespace basalt::l1::kaspad {

protowire::RpcClient::Batch RpcCalls::ask_chain_from(const kaspa::BlockHash& start,
                                                     std::uint64_t min_confirmations) {
  std::vector<protowire::Request> r(1);
  auto* q = r[0].mutable_getvirtualchainfromblockv2request();
  q->set_starthash(start.hex());
  q->set_dataverbositylevel(::protowire::FULL);
  if (min_confirmations > 0) q->set_minconfirmationcount(min_confirmations);
  return client_.send(std::move(r));
}

core::Result<protowire::Answer> RpcCalls::take_chain_answer(protowire::RpcClient::Batch asked) {
  std::vector<core::Result<protowire::Answer>> answers = client_.take(std::move(asked));
  if (answers.size() != 1) return Error{ErrorCode::kInvalid, "no V2 request was sent"};
  BASALT_ASSIGN_OR_RETURN(protowire::Answer a, std::move(answers.front()));
  if (!a.is_chain_v2()) BASALT_TRY(expect(*a, Response::kGetVirtualChainFromBlockV2Response));
  return a;
}

core::Result<LaneProof> RpcCalls::lane_proof(const kaspa::BlockHash& block,
                                             const kaspa::LaneKey& key) {
  BASALT_ASSIGN_OR_RETURN(std::vector<LaneProof> one, lane_proofs({{block, key}}));
  return std::move(one.front());
}

core::Result<std::vector<LaneProof>> RpcCalls::lane_proofs(const LaneProofAsked& asked) {
  return take_lane_proofs(ask_lane_proofs(asked), asked);
}

protowire::RpcClient::Batch RpcCalls::ask_lane_proofs(const LaneProofAsked& asked) {
  std::vector<protowire::Request> requests(asked.size());
  for (std::size_t i = 0; i < asked.size(); ++i) {
    auto* q = requests[i].mutable_getseqcommitlaneproofrequest();
    q->set_blockhash(protowire::hash_bytes(asked[i].first.hash()));
    q->set_lanekey(protowire::hash_bytes(asked[i].second.hash()));
  }
  return client_.send(std::move(requests));
}

core::Result<std::vector<LaneProof>> RpcCalls::take_lane_proofs(protowire::RpcClient::Batch batch,
                                                                const LaneProofAsked& asked) {
  std::vector<core::Result<protowire::Answer>> answers = client_.take(std::move(batch));
  std::vector<LaneProof> out;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    BASALT_ASSIGN_OR_RETURN(const protowire::Answer a, std::move(answers[i]));
    BASALT_TRY(expect(*a, Response::kGetSeqCommitLaneProofResponse));
    BASALT_ASSIGN_OR_RETURN(LaneProof p,
                            read_lane_proof(a->getseqcommitlaneproofresponse(), asked[i].second));
    out.push_back(std::move(p));
  }
  return out;
}

core::Result<BlockHeader> RpcCalls::block_header(const kaspa::BlockHash& block) {
  protowire::Request r;
  r.mutable_getblockrequest()->set_hash(block.hex());
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kGetBlockResponse));
  BASALT_ASSIGN_OR_RETURN(BlockHeader h, read_block_header(a->getblockresponse()));
  if (h.hash != block) return malformed("asked for block " + block.hex() + ", got " + h.hash.hex());
  return h;
}

core::Result<std::uint64_t> RpcCalls::mempool_size() {
  protowire::Request r;
  r.mutable_getinforequest();
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kGetInfoResponse));
  return read_mempool_size(a->getinforesponse());
}

core::Status RpcCalls::subscribe_chain_changes() {
  protowire::Request r;
  auto* q = r.mutable_notifyvirtualchainchangedrequest();
  q->set_includeacceptedtransactionids(false);
  q->set_command(::protowire::NOTIFY_START);
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a,
                          call(std::move(r), Response::kNotifyVirtualChainChangedResponse));
  return refused(a->notifyvirtualchainchangedresponse());
}

}  // namespace basalt::l1::kaspad
