#include "l1/sim/rpc_answers.hpp"

#include <string>

#include "kaspa/address.hpp"
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
void submit(Simulator& sim, const ::protowire::RpcTransaction& in, bool replacement, Message* out) {
  auto tx = protowire::from_rpc(in);
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
    const auto outputs = sim.spendable(address->script());
    for (const auto& [op, entry] : *outputs) {
      auto* e = out->add_entries();
      e->set_address(text);
      *e->mutable_outpoint() = protowire::to_rpc(op);
      *e->mutable_utxoentry() = protowire::to_rpc(entry);
    }
  }
}

}  // namespace

Response answer(Simulator& sim, kaspa::Network network, const Request& r) {
  Response a;
  switch (r.payload_case()) {
    case Request::kGetServerInfoRequest: {
      auto* m = a.mutable_getserverinforesponse();
      m->set_rpcapiversion(1);
      m->set_rpcapirevision(0);
      m->set_serverversion("basalt-sim");
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
      submit(sim, r.submittransactionrequest().transaction(), false,
             a.mutable_submittransactionresponse());
      break;
    case Request::kSubmitTransactionReplacementRequest:
      submit(sim, r.submittransactionreplacementrequest().transaction(), true,
             a.mutable_submittransactionreplacementresponse());
      break;
    case Request::kNotifyVirtualChainChangedRequest:
      a.mutable_notifyvirtualchainchangedresponse()->mutable_error()->set_message(
          "notifications are not served by basalt's simulator yet");
      break;
    case Request::PAYLOAD_NOT_SET:
      break;
  }
  return a;
}

}  // namespace basalt::l1::sim
