// Between kaspad's protobuf messages (protowire.proto) and basalt's Kaspa types. Everything read
// from a peer is checked here before it becomes a basalt value: hex that is not hex, a hash of the
// wrong length, a number beyond its field's range, a count or script beyond Kaspa's limits, or a
// compute field that does not fit the transaction's version is an error naming the field.
#pragma once

#include <limits>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/transaction.hpp"
#include "l1/protowire/protowire.pb.h"
#include "l1/protowire/rpc.hpp"

namespace basalt::l1::protowire {

// Reading one field from a peer. A field's name is built only when an error names it (a chain
// block holds thousands of fields): base, then [index] when set, then middle, then the caller's
// last part. Errors: kInvalid, "<name>: <what is wrong>".
struct Field {
  std::string_view base;
  int index = -1;
  std::string_view middle = {};
  std::string name(std::string_view last) const;
};
core::Error field_error(const Field& f, std::string_view last, const std::string& why);
// Hex of at most max_bytes bytes.
core::Result<core::Bytes> hex_field(const Field& f, std::string_view last, std::string_view hex,
                                    std::uint64_t max_bytes);
// Hex of exactly 32 bytes.
core::Result<core::Hash32> hash_field(const Field& f, std::string_view last, std::string_view hex);
// A number that must fit T.
template <typename T>
core::Result<T> narrow(const Field& f, std::string_view last, std::uint64_t v) {
  if (v > std::numeric_limits<T>::max())
    return field_error(
        f, last, std::to_string(v) + " is above " + std::to_string(std::numeric_limits<T>::max()));
  return static_cast<T>(v);
}

::protowire::RpcTransaction to_rpc(const kaspa::Transaction& tx);
// Errors: kInvalid, naming the field. Consensus rules beyond the shape (check_transaction_in_
// isolation, scripts, UTXOs) are the mempool's, not the decoder's. `max_signature_script` bounds
// each input's signature script: kaspad's limit by default; basalt's simulator also carries
// re-execution receipts, larger (kMaxSimSignatureScript).
core::Result<kaspa::Transaction> from_rpc(
    const ::protowire::RpcTransaction& m,
    std::uint64_t max_signature_script = kaspa::kMaxSignatureScriptLen);

// An input's compute commitment from its two fields: a v0 transaction's is a sig-op count (its
// computeBudget must be 0), a v1 transaction's a compute budget (its sigOpCount must be 0).
// Errors: kInvalid naming the field, "sigOpCount: …" or "computeBudget: …".
core::Result<kaspa::ComputeCommit> compute_commit(std::uint16_t version, std::uint64_t sig_op_count,
                                                  std::uint64_t compute_budget);

// What a signature script may hold on basalt's simulator: a settlement's re-execution receipt,
// within one message.
inline constexpr std::uint64_t kMaxSimSignatureScript = kMaxMessageBytes / 2;

::protowire::RpcUtxoEntry to_rpc(const kaspa::UtxoEntry& e);
core::Result<kaspa::UtxoEntry> from_rpc(const ::protowire::RpcUtxoEntry& m);

::protowire::RpcOutpoint to_rpc(const kaspa::Outpoint& o);

// Blue work as kaspad writes it: big-endian hex without leading zeros ("0" for none).
std::string blue_work_hex(const kaspa::BlueWork& w);

// A 32-byte hash in a `bytes` field (GetSeqCommitLaneProof's, unlike the rest of the protocol's
// hex). Errors: kInvalid for any other length.
std::string hash_bytes(const core::Hash32& h);
core::Result<core::Hash32> hash_from_bytes(const std::string& bytes);
core::Result<kaspa::Outpoint> from_rpc(const ::protowire::RpcOutpoint& m);

}  // namespace basalt::l1::protowire
