// The hand-written V2 codec against protobuf's own: what the writer gives, protobuf serializes
// byte for byte from the same message; what the reader takes, it reads as protobuf parses it.
#include "l1/protowire/chain_v2.hpp"

#include <gtest/gtest.h>

#include "kaspa/transaction.hpp"
#include "kaspa/tx_gen.hpp"
#include "l1/protowire/convert.hpp"
#include "l1/protowire/protowire.pb.h"
#include "l1/protowire/wire.hpp"
#include "test_util.hpp"

namespace basalt::l1::protowire {
namespace {

using V2 = ::protowire::GetVirtualChainFromBlockV2ResponseMessage;

struct Chunk {
  std::vector<kaspa::BlockHash> removed;
  std::vector<BlockHeader> headers;
  std::vector<std::vector<AcceptedTx>> txs;
  kaspa::BlockHash pruning_point;

  std::vector<ChainBlockOut> out() const {
    std::vector<ChainBlockOut> o;
    for (std::size_t i = 0; i < headers.size(); ++i) o.push_back({headers[i], txs[i]});
    return o;
  }
  std::string written() const { return write_chain_v2(removed, out(), pruning_point); }
};

Chunk random_chunk(test::Rng& rng, std::size_t blocks) {
  Chunk c;
  for (std::uint64_t i = rng.below(3); i > 0; --i) c.removed.emplace_back(rng.hash());
  c.pruning_point = kaspa::BlockHash(rng.hash());
  for (std::size_t b = 0; b < blocks; ++b) {
    BlockHeader h;
    h.hash = kaspa::BlockHash(rng.hash());
    for (std::uint64_t p = 1 + rng.below(3); p > 0; --p) h.parents.emplace_back(rng.hash());
    h.blue_score = rng.below(1'000'000);
    h.daa_score = rng.u64() >> 1;
    h.blue_work = kaspa::BlueWork::from_u64(rng.below(1 << 20));
    h.timestamp = rng.u64() >> 1;
    h.accepted_id_merkle_root = kaspa::SeqCommit(rng.hash());
    c.headers.push_back(h);
    std::vector<AcceptedTx> txs;
    for (std::uint64_t t = rng.below(5); t > 0; --t) {
      AcceptedTx a;
      a.tx = kaspa::testing::random_tx(rng, static_cast<std::uint16_t>(rng.below(2)));
      a.tx.storage_mass = rng.below(3) == 0 ? 0 : rng.below(100'000);
      a.tx_id = kaspa::tx_id(a.tx);
      a.version = a.tx.version;
      a.lane = a.tx.subnetwork_id;
      a.merge_idx = static_cast<std::uint32_t>(txs.size());
      txs.push_back(std::move(a));
    }
    c.txs.push_back(std::move(txs));
  }
  return c;
}

// The message built with protobuf's generated setters, field by field as kaspad fills it.
V2 oracle(const Chunk& c) {
  V2 m;
  for (const auto& h : c.removed) m.add_removedchainblockhashes(h.hex());
  for (std::size_t i = 0; i < c.headers.size(); ++i) {
    const BlockHeader& h = c.headers[i];
    m.add_addedchainblockhashes(h.hash.hex());
    auto* b = m.add_chainblockacceptedtransactions();
    auto* hm = b->mutable_chainblockheader();
    hm->set_hash(h.hash.hex());
    hm->set_version(1);
    auto* run = hm->add_parentsbylevel();
    for (const auto& p : h.parents) run->add_parenthashes(p.hex());
    run->set_cumulativelevel(1);
    hm->set_acceptedidmerkleroot(h.accepted_id_merkle_root.hex());
    hm->set_timestamp(static_cast<std::int64_t>(h.timestamp));
    hm->set_daascore(h.daa_score);
    hm->set_bluework(blue_work_hex(h.blue_work));
    hm->set_bluescore(h.blue_score);
    hm->set_pruningpoint(c.pruning_point.hex());
    for (const AcceptedTx& a : c.txs[i]) {
      auto* t = b->add_acceptedtransactions();
      t->set_version(a.tx.version);
      for (const auto& in : a.tx.inputs) {
        auto* im = t->add_inputs();
        im->mutable_previousoutpoint()->set_transactionid(
            in.previous_outpoint.transaction_id.hex());
        im->mutable_previousoutpoint()->set_index(in.previous_outpoint.index);
        im->set_signaturescript(core::to_hex(in.signature_script));
        im->set_sequence(in.sequence);
        if (in.compute_commit.kind == kaspa::ComputeCommit::Kind::kComputeBudget)
          im->set_computebudget(in.compute_commit.value);
        else
          im->set_sigopcount(in.compute_commit.value);
      }
      for (const auto& out : a.tx.outputs) {
        auto* om = t->add_outputs();
        om->set_value(out.value);
        om->mutable_scriptpublickey()->set_version(out.script_public_key.version);
        om->mutable_scriptpublickey()->set_scriptpublickey(
            core::to_hex(out.script_public_key.script));
        auto* nullable = om->mutable_covenant();
        if (out.covenant) {
          nullable->mutable_covenant()->set_authorizing_input(out.covenant->authorizing_input);
          nullable->mutable_covenant()->set_covenant_id(out.covenant->covenant_id.hex());
        }
      }
      t->set_locktime(a.tx.lock_time);
      t->set_subnetworkid(a.tx.subnetwork_id.hex());
      t->set_gas(a.tx.gas);
      t->set_payload(core::to_hex(a.tx.payload));
      t->set_mass(a.tx.storage_mass);
      t->mutable_verbosedata()->set_transactionid(a.tx_id.hex());
    }
  }
  return m;
}

void expect_read_as_written(const ChainRead& r, const Chunk& c) {
  ASSERT_EQ(r.removed, c.removed);
  ASSERT_EQ(r.added.size(), c.headers.size());
  for (std::size_t i = 0; i < c.headers.size(); ++i) {
    const ChainBlockRead& b = r.added[i];
    EXPECT_EQ(b.hash, c.headers[i].hash);
    EXPECT_EQ(b.timestamp, c.headers[i].timestamp);
    EXPECT_EQ(b.daa_score, c.headers[i].daa_score);
    EXPECT_EQ(b.blue_score, c.headers[i].blue_score);
    EXPECT_EQ(b.seq_commit, c.headers[i].accepted_id_merkle_root);
    ASSERT_EQ(b.accepted.size(), c.txs[i].size());
    for (std::size_t k = 0; k < b.accepted.size(); ++k) {
      const AcceptedTx& got = b.accepted[k];
      const AcceptedTx& want = c.txs[i][k];
      EXPECT_EQ(got.tx, want.tx);
      EXPECT_EQ(got.tx_id, want.tx_id);
      EXPECT_EQ(got.version, want.version);
      EXPECT_EQ(got.lane, want.lane);
      EXPECT_EQ(got.merge_idx, k);
    }
  }
}

TEST(ChainV2, TheWriterGivesProtobufsBytesAndTheReaderReadsThemBack) {
  test::Rng rng(41);
  for (int i = 0; i < 200; ++i) {
    const Chunk c = random_chunk(rng, rng.below(20));
    const std::string bytes = c.written();
    ASSERT_EQ(bytes, oracle(c).SerializeAsString());
    auto r = read_chain_v2(bytes, kMaxSimSignatureScript);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    expect_read_as_written(*r, c);
    EXPECT_EQ(peek_added(bytes).size(), c.headers.size());
  }
}

// Protobuf takes fields in any order and skips those it does not know; so does the reader.
TEST(ChainV2, FieldsInAnyOrderAndUnknownFieldsAreRead) {
  test::Rng rng(42);
  const Chunk c = random_chunk(rng, 30);
  V2 m = oracle(c);
  // Unknown fields of every wire type at the top and inside a transaction.
  const auto add_unknown = [](google::protobuf::Message& msg) {
    auto* u = msg.GetReflection()->MutableUnknownFields(&msg);
    u->AddVarint(77, 5);
    u->AddLengthDelimited(78, "xyz");
    u->AddFixed32(79, 0x01020304);
    u->AddFixed64(80, 0x0102030405060708);
  };
  for (auto& b : *m.mutable_chainblockacceptedtransactions())
    for (auto& t : *b.mutable_acceptedtransactions()) add_unknown(t);
  add_unknown(m);
  // The blocks first, their hashes after, the removed hashes last.
  V2 blocks_only = m, hashes_only;
  blocks_only.clear_addedchainblockhashes();
  blocks_only.clear_removedchainblockhashes();
  *hashes_only.mutable_addedchainblockhashes() = m.addedchainblockhashes();
  V2 removed_only;
  *removed_only.mutable_removedchainblockhashes() = m.removedchainblockhashes();
  const std::string reordered = blocks_only.SerializeAsString() + hashes_only.SerializeAsString() +
                                removed_only.SerializeAsString();
  V2 parsed;
  ASSERT_TRUE(parsed.ParseFromString(reordered));
  auto r = read_chain_v2(reordered, kMaxSimSignatureScript);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  expect_read_as_written(*r, c);
}

std::string error_of(const std::string& bytes) {
  auto r = read_chain_v2(bytes, kMaxSimSignatureScript);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().context();
}

TEST(ChainV2, MalformedAnswersAreNamed) {
  test::Rng rng(43);
  Chunk c = random_chunk(rng, 3);
  while (c.txs[1].empty() || c.txs[1][0].tx.inputs.empty()) c = random_chunk(rng, 3);
  const V2 good = oracle(c);
  const std::string block1 = "kaspad's answer: chain block " + c.headers[1].hash.hex() + ": ";
  V2 m = good;
  m.mutable_error()->set_message("busy");
  EXPECT_EQ(error_of(m.SerializeAsString()), "kaspad: busy");
  m = good;
  m.mutable_chainblockacceptedtransactions()->RemoveLast();
  EXPECT_EQ(error_of(m.SerializeAsString()),
            "kaspad's answer: 3 added chain blocks but 2 with their transactions");
  m = good;
  m.mutable_chainblockacceptedtransactions(1)->mutable_chainblockheader()->clear_bluescore();
  EXPECT_EQ(error_of(m.SerializeAsString()),
            block1 +
                "chain block header: without hash, timestamp, scores or acceptedIdMerkleRoot "
                "(not FULL verbosity)");
  m = good;
  m.mutable_chainblockacceptedtransactions(1)->mutable_chainblockheader()->set_timestamp(-1);
  EXPECT_EQ(error_of(m.SerializeAsString()), block1 + "timestamp: negative");
  m = good;
  m.mutable_chainblockacceptedtransactions(1)->mutable_chainblockheader()->set_hash(
      c.headers[2].hash.hex());
  EXPECT_EQ(error_of(m.SerializeAsString()),
            block1 + "came with the header of " + c.headers[2].hash.hex());
  m = good;
  auto* tx = m.mutable_chainblockacceptedtransactions(1)->mutable_acceptedtransactions(0);
  tx->clear_gas();
  EXPECT_EQ(error_of(m.SerializeAsString()),
            block1 +
                "transaction 0: transaction: version, lockTime, subnetworkId, gas or payload "
                "missing (not FULL)");
  m = good;
  tx = m.mutable_chainblockacceptedtransactions(1)->mutable_acceptedtransactions(0);
  tx->mutable_inputs(0)->set_signaturescript("zz");
  EXPECT_EQ(error_of(m.SerializeAsString()),
            block1 + "transaction 0: inputs[0].signatureScript: not hex");
  m = good;
  tx = m.mutable_chainblockacceptedtransactions(1)->mutable_acceptedtransactions(0);
  tx->mutable_inputs(0)->clear_sequence();
  EXPECT_NE(error_of(m.SerializeAsString()).find("signatureScript or sequence missing"),
            std::string::npos);
  m = good;
  tx = m.mutable_chainblockacceptedtransactions(1)->mutable_acceptedtransactions(0);
  tx->set_version(70000);
  EXPECT_EQ(error_of(m.SerializeAsString()),
            block1 + "transaction 0: version: 70000 is above 65535");
  m = good;
  tx = m.mutable_chainblockacceptedtransactions(1)->mutable_acceptedtransactions(0);
  tx->set_locktime(tx->locktime() + 1);
  EXPECT_NE(error_of(m.SerializeAsString()).find("is reported as " + c.txs[1][0].tx_id.hex()),
            std::string::npos);
  m = good;
  m.set_addedchainblockhashes(0, "00");
  EXPECT_EQ(error_of(m.SerializeAsString()),
            "kaspad's answer: chain block 00: addedChainBlockHashes: not a 32-byte hash");

  // What protobuf would take but the reader refuses: a singular field given twice, a field of
  // another wire type than its own.
  const std::string bytes = good.SerializeAsString();
  m = good;
  auto* header = m.mutable_chainblockacceptedtransactions(1)->mutable_chainblockheader();
  header->GetReflection()->MutableUnknownFields(header)->AddVarint(13, 2);
  EXPECT_EQ(error_of(m.SerializeAsString()), block1 + "blueScore: given twice");
  WireWriter wrong;
  wrong.varint(1, 7);  // removedChainBlockHashes is a string
  EXPECT_EQ(error_of(bytes + wrong.take()),
            "kaspad's answer: removedChainBlockHashes: not of its wire type");
  // Wire-level damage.
  EXPECT_EQ(error_of(bytes + "\x0b"), "kaspad's answer: protobuf: a group or unknown wire type");
  EXPECT_EQ(error_of(bytes + "\x08"), "kaspad's answer: protobuf: a varint runs past the end");
  EXPECT_EQ(error_of(bytes + std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11)),
            "kaspad's answer: protobuf: a varint beyond 64 bits");
  EXPECT_EQ(error_of(bytes + "\x0a\x05zz"),
            "kaspad's answer: protobuf: a length-delimited field runs past the end");
  EXPECT_EQ(error_of(bytes + std::string(1, '\0')),
            "kaspad's answer: protobuf: a field number out of range");
}

// Damaged bytes both take are read alike: the message protobuf parses from them, serialized again
// (canonically), reads back the same. (Protobuf also refuses bad UTF-8 in the string fields the
// reader skips.)
TEST(ChainV2, WhatTheReaderTakesProtobufReadsAlike) {
  test::Rng rng(44);
  google::protobuf::LogSilencer quiet;  // protobuf logs each string of bad UTF-8 it refuses
  const Chunk c = random_chunk(rng, 6);
  const std::string good = c.written();
  int taken = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = good;
    for (std::uint64_t k = 1 + rng.below(3); k > 0; --k) {
      const std::size_t at = rng.below(bytes.size());
      switch (rng.below(3)) {
        case 0:
          bytes[at] = static_cast<char>(rng.u64());
          break;
        case 1:
          bytes.erase(at, 1 + rng.below(8));
          break;
        default:
          bytes.insert(at, 1, static_cast<char>(rng.u64()));
      }
    }
    auto r = read_chain_v2(bytes, kMaxSimSignatureScript);
    V2 parsed;
    if (!r.ok() || !parsed.ParseFromString(bytes)) continue;
    ++taken;
    auto again = read_chain_v2(parsed.SerializeAsString(), kMaxSimSignatureScript);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    ASSERT_EQ(again->removed, r->removed);
    ASSERT_EQ(again->added.size(), r->added.size());
    for (std::size_t b = 0; b < r->added.size(); ++b) {
      EXPECT_EQ(again->added[b].hash, r->added[b].hash);
      EXPECT_EQ(again->added[b].seq_commit, r->added[b].seq_commit);
      EXPECT_EQ(again->added[b].timestamp, r->added[b].timestamp);
      ASSERT_EQ(again->added[b].accepted.size(), r->added[b].accepted.size());
      for (std::size_t k = 0; k < r->added[b].accepted.size(); ++k)
        EXPECT_EQ(again->added[b].accepted[k].tx, r->added[b].accepted[k].tx);
    }
  }
  // Some damage only touches what the reader skips (parents, blue work, the pruning point).
  EXPECT_GT(taken, 0);
}

}  // namespace
}  // namespace basalt::l1::protowire
