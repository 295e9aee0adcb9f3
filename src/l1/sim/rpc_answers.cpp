#include "l1/sim/rpc_answers.hpp"

#include <algorithm>
#include <string>

#include "kaspa/address.hpp"
#include "l1/kaspad/rpc_calls.hpp"
#include "l1/protowire/chain_v2.hpp"
#include "l1/protowire/convert.hpp"

namespace basalt::l1::sim {

namespace {

using protowire::Request;
using protowire::Response;

kaspa::BlockHash sink(const Simulator& sim) {
  return sim.chain().empty() ? sim.genesis().hash : sim.chain().back().hash;
}

std::uint64_t virtual_daa_score(const Simulator& sim) {
  auto h = sim.header(sink(sim));
  return h.ok() ? h->daa_score : 0;
}

void fill_fee_bucket(::protowire::RpcFeerateBucket* b, std::uint64_t rate, double seconds) {
  b->set_feerate(static_cast<double>(rate));
  b->set_estimatedseconds(seconds);
}

template <typename Message>
void submit(ChainSource& sim, const ::protowire::RpcTransaction& in, bool replacement,
            Message* out) {
  auto tx = protowire::from_rpc(in, protowire::kMaxSimSignatureScript);
  if (!tx.ok()) {
    out->mutable_error()->set_message("Rejected transaction: " + tx.error().context());
    return;
  }
  const kaspa::TxId id = kaspa::tx_id(*tx);
  const core::Status st =
      replacement ? sim.submit_transaction_replacement(*tx) : sim.submit_transaction(*tx);
  if (!st.ok()) {
    out->mutable_error()->set_message("Rejected transaction " + id.hex() + ": " +
                                      st.error().context());
    return;
  }
  out->set_transactionid(id.hex());
}

void utxos(const Simulator& sim, kaspa::Network network,
           const ::protowire::GetUtxosByAddressesRequestMessage& req,
           ::protowire::GetUtxosByAddressesResponseMessage* out) {
  for (const std::string& text : req.addresses()) {
    auto address = kaspa::Address::parse(text);
    if (!address.ok() || address->prefix != kaspa::address_prefix(network)) {
      out->clear_entries();
      out->mutable_error()->set_message("invalid address " + text + " for network " +
                                        std::string(kaspa::network_name(network)));
      return;
    }
    for (const auto& [op, entry] : sim.unspent(address->script())) {
      auto* e = out->add_entries();
      e->set_address(text);
      *e->mutable_outpoint() = protowire::to_rpc(op);
      *e->mutable_utxoentry() = protowire::to_rpc(entry);
    }
  }
}

// The fields RpcBlockHeader and RpcOptionalHeader name alike (parents differ: by level, or in
// run-compressed levels).
template <typename Header>
void fill_header(const BlockHeader& h, const kaspa::BlockHash& pruning_point, Header* m) {
  m->set_hash(h.hash.hex());
  m->set_version(1);
  m->set_acceptedidmerkleroot(h.accepted_id_merkle_root.hex());
  m->set_timestamp(static_cast<std::int64_t>(h.timestamp));
  m->set_daascore(h.daa_score);
  m->set_bluework(protowire::blue_work_hex(h.blue_work));
  m->set_bluescore(h.blue_score);
  m->set_pruningpoint(pruning_point.hex());
}

// Written on the wire format directly (protowire/chain_v2.hpp), into the answer as the bytes of
// its V2 field: building its objects would cost more than the rest of the answer does.
void chain_v2(const Simulator& sim, const ServeOptions& o,
              const ::protowire::GetVirtualChainFromBlockV2RequestMessage& q, Response& a) {
  const auto refuse = [&](const std::string& why) {
    a.mutable_getvirtualchainfromblockv2response()->mutable_error()->set_message(why);
  };
  if (q.has_dataverbositylevel() && q.dataverbositylevel() != ::protowire::FULL)
    return refuse("basalt's simulator serves FULL verbosity only");
  auto start = core::Hash32::from_hex(q.starthash());
  if (q.starthash().size() != 64 || !start.ok())
    return refuse("invalid start hash " + q.starthash());
  auto path = sim.path_from(kaspa::BlockHash(*start));
  if (!path.ok()) return refuse(path.error().context());
  // As kaspad: the added blocks end where each has more than minConfirmationCount on it.
  const std::uint64_t sink_blue_score =
      sim.chain().empty() ? 0 : sim.chain().back().context.blue_score;
  const std::uint64_t min_conf = q.has_minconfirmationcount() ? q.minconfirmationcount() : 0;
  std::vector<protowire::ChainBlockOut> added;
  std::size_t txs = 0;
  const std::size_t end = std::min(sim.chain().size(), path->next + o.max_chunk_blocks);
  for (std::size_t i = path->next; i < end && txs < o.max_chunk_txs; ++i) {
    const ChainBlock& b = sim.chain()[i];
    if (min_conf > 0 && sink_blue_score - b.context.blue_score <= min_conf) break;
    txs += b.accepted.size();
    added.push_back({*sim.header(b.hash), b.accepted});
  }
  *a.GetReflection()->MutableUnknownFields(&a)->AddLengthDelimited(
      protowire::kChainV2ResponseField) =
      protowire::write_chain_v2(path->removed, added, sim.pruning_point());
}

void lane_proof(const Simulator& sim, const ::protowire::GetSeqCommitLaneProofRequestMessage& q,
                ::protowire::GetSeqCommitLaneProofResponseMessage* out) {
  auto block = protowire::hash_from_bytes(q.blockhash());
  auto key = protowire::hash_from_bytes(q.lanekey());
  if (!block.ok() || !key.ok()) {
    out->mutable_error()->set_message("blockHash and laneKey must be 32 bytes each");
    return;
  }
  auto p = sim.lane_proof(kaspa::BlockHash(*block), kaspa::LaneKey(*key));
  if (!p.ok()) {
    out->mutable_error()->set_message(p.error().context());
    return;
  }
  const core::Bytes smt = p->smt_proof.to_bytes();
  out->set_smtproof(reinterpret_cast<const char*>(smt.data()), smt.size());
  if (p->lane_tip) {
    out->set_lanetip(protowire::hash_bytes(p->lane_tip->hash()));
    out->set_lanebluescore(*p->lane_blue_score);
  }
  out->set_payloadandctxdigest(protowire::hash_bytes(p->payload_and_ctx_digest));
  out->set_parentseqcommit(protowire::hash_bytes(p->parent_seq_commit.hash()));
  out->set_inactivityshortcut(protowire::hash_bytes(p->inactivity_shortcut.hash()));
}

void block(const Simulator& sim, const ::protowire::GetBlockRequestMessage& q,
           ::protowire::GetBlockResponseMessage* out) {
  auto hash = core::Hash32::from_hex(q.hash());
  auto h = q.hash().size() == 64 && hash.ok()
               ? sim.header(kaspa::BlockHash(*hash))
               : core::Result<BlockHeader>(core::Error{core::ErrorCode::kInvalid, "invalid hash"});
  if (!h.ok()) {
    out->mutable_error()->set_message("block " + q.hash() + " not found");
    return;
  }
  auto* b = out->mutable_block();
  auto* m = b->mutable_header();
  fill_header(*h, sim.pruning_point(), m);
  auto* level0 = m->add_parents();
  for (const auto& p : h->parents) level0->add_parenthashes(p.hex());
  auto* v = b->mutable_verbosedata();
  v->set_hash(h->hash.hex());
  if (!h->parents.empty()) v->set_selectedparenthash(h->parents.front().hex());
  v->set_bluescore(h->blue_score);
  v->set_ischainblock(h->is_chain_block);
  if (q.includetransactions()) {
    for (const kaspa::Transaction& tx : sim.block(h->hash).txs)
      *b->add_transactions() = protowire::to_rpc(tx);
  }
}

}  // namespace

Response chain_changed_notification(const ChainChanged& change) {
  Response a;
  auto* m = a.mutable_virtualchainchangednotification();
  for (const auto& h : change.removed) m->add_removedchainblockhashes(h.hex());
  for (const auto& b : change.added) m->add_addedchainblockhashes(b.hash.hex());
  return a;
}

void answer(const Simulator& sim, ChainSource& l1, const ServeOptions& options, const Request& r,
            Response& a) {
  const kaspa::Network network = options.network;
  switch (r.payload_case()) {
    case Request::kGetServerInfoRequest: {
      auto* m = a.mutable_getserverinforesponse();
      m->set_rpcapiversion(1);
      m->set_rpcapirevision(0);
      m->set_serverversion(std::string(kaspad::kBasaltSimVersion));
      m->set_networkid(std::string(kaspa::network_name(network)));
      m->set_hasutxoindex(true);
      m->set_issynced(true);
      m->set_virtualdaascore(virtual_daa_score(sim));
      break;
    }
    case Request::kGetBlockDagInfoRequest: {
      auto* m = a.mutable_getblockdaginforesponse();
      const std::string tip = sink(sim).hex();
      m->set_networkname("kaspa-" + std::string(kaspa::network_name(network)));
      m->add_tiphashes(tip);
      m->add_virtualparenthashes(tip);
      m->set_sink(tip);
      m->set_pruningpointhash(sim.pruning_point().hex());
      m->set_virtualdaascore(virtual_daa_score(sim));
      break;
    }
    case Request::kGetFeeEstimateRequest: {
      const FeeEstimate f = *sim.fee_estimate();
      auto* e = a.mutable_getfeeestimateresponse()->mutable_estimate();
      fill_fee_bucket(e->mutable_prioritybucket(), f.priority, 1.0);
      fill_fee_bucket(e->add_normalbuckets(), f.normal, 1.0);
      fill_fee_bucket(e->add_lowbuckets(), f.low, 1.0);
      break;
    }
    case Request::kGetUtxosByAddressesRequest:
      utxos(sim, network, r.getutxosbyaddressesrequest(), a.mutable_getutxosbyaddressesresponse());
      break;
    case Request::kSubmitTransactionRequest:
      submit(l1, r.submittransactionrequest().transaction(), false,
             a.mutable_submittransactionresponse());
      break;
    case Request::kSubmitTransactionReplacementRequest:
      submit(l1, r.submittransactionreplacementrequest().transaction(), true,
             a.mutable_submittransactionreplacementresponse());
      break;
    case Request::kNotifyVirtualChainChangedRequest:
      // Every stream gets the notifications (RpcServer::notify); subscribing only acknowledges.
      a.mutable_notifyvirtualchainchangedresponse();
      break;
    case Request::kGetInfoRequest: {
      auto* m = a.mutable_getinforesponse();
      m->set_mempoolsize(*sim.mempool_size());
      m->set_serverversion(std::string(kaspad::kBasaltSimVersion));
      m->set_isutxoindexed(true);
      m->set_issynced(true);
      m->set_hasnotifycommand(true);
      m->set_hasmessageid(true);
      break;
    }
    case Request::kGetBlockRequest:
      block(sim, r.getblockrequest(), a.mutable_getblockresponse());
      break;
    case Request::kGetVirtualChainFromBlockV2Request:
      chain_v2(sim, options, r.getvirtualchainfromblockv2request(), a);
      break;
    case Request::kGetSeqCommitLaneProofRequest:
      lane_proof(sim, r.getseqcommitlaneproofrequest(), a.mutable_getseqcommitlaneproofresponse());
      break;
    case Request::PAYLOAD_NOT_SET:
      break;
  }
}

}  // namespace basalt::l1::sim
