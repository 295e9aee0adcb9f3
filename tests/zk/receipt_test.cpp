// Re-execution receipts: canonical encoding round trips and rejections; proving and verifying the
// counter guest, and a guest whose run rests on the counter's receipt (verified recursively); every
// tampering is caught.
#include "zk/receipt.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "exec/abi.hpp"
#include "kaspa/limits.hpp"
#include "test_util.hpp"
#include "users/workload.hpp"
#include "zk/journal.hpp"
#include "zk/reexec/reexec.hpp"

namespace basalt::zk {
namespace {

std::shared_ptr<const vm::Program> guest(const std::string& name) {
  std::ifstream f(std::string(BASALT_GUEST_DIR) + "/" + name, std::ios::binary);
  const core::Bytes elf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto p = vm::Program::load(elf, 16u << 20);
  EXPECT_TRUE(p.ok()) << name;
  return std::make_shared<const vm::Program>(std::move(*p));
}

// A counter transaction's guest input (docs/abi.md §2).
core::Bytes counter_input(std::uint8_t tag) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = kaspa::LaneId::from_namespace({1, 2, 3, 4});
  tx.payload = exec::encode_payload(
      std::vector<exec::AccessEntry>{{users::counter_resource(tag), exec::Access::kWrite}},
      core::Bytes{tag});
  const core::Bytes data = {7, 0, 0, 0};
  const std::vector<core::ByteSpan> resources = {data};
  return exec::encode_guest_input({kaspa::tx_id(tx), 1, {}}, tx, resources);
}

core::Bytes compose_input(const vm::ImageId& id, const std::vector<core::Bytes>& journals) {
  core::Bytes in(id.span().begin(), id.span().end());
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) in.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  u32(static_cast<std::uint32_t>(journals.size()));
  for (const auto& j : journals) {
    u32(static_cast<std::uint32_t>(j.size()));
    in.insert(in.end(), j.begin(), j.end());
  }
  return in;
}

struct Fixture {
  std::shared_ptr<const vm::Program> counter = guest("counter.elf");
  std::shared_ptr<const vm::Program> compose = guest("test_compose.elf");
  ReexecProofSystem ps;
  Fixture() {
    ps.register_guest(counter, {});
    ps.register_guest(compose, {});
  }
};

TEST(Receipt, EncodingRoundTripsAndRejectsEverythingElse) {
  Receipt inner{
      ProofSystemId::kReexecution, vm::ImageId(core::Hash32::filled(1)), {1, 2, 3}, {4, 5}, {}};
  Receipt outer{ProofSystemId::kReexecution,
                vm::ImageId(core::Hash32::filled(2)),
                {9},
                {8, 7},
                {inner, inner}};
  const core::Bytes b = encode_receipt(outer);
  auto d = decode_receipt(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, outer);
  for (std::size_t n = 0; n < b.size(); ++n)
    EXPECT_FALSE(decode_receipt(core::ByteSpan(b).first(n)).ok()) << n;
  core::Bytes longer = b;
  longer.push_back(0);
  EXPECT_EQ(decode_receipt(longer).error().code(), core::ErrorCode::kTrailingBytes);
  core::Bytes version = b, kind = b;
  version[0] = 2;
  kind[1] = 9;
  EXPECT_EQ(decode_receipt(version).error().code(), core::ErrorCode::kUnknownTag);
  EXPECT_EQ(decode_receipt(kind).error().code(), core::ErrorCode::kUnknownTag);
  // Nesting deeper than the limit is refused.
  Receipt deep = inner;
  for (int i = 0; i <= kMaxReceiptDepth; ++i)
    deep = Receipt{ProofSystemId::kReexecution, inner.image_id, {}, {}, {deep}};
  EXPECT_EQ(decode_receipt(encode_receipt(deep)).error().code(), core::ErrorCode::kOutOfRange);
  EXPECT_NE(std::string(proof_system_name(ProofSystemId::kReexecution)).find("not succinct"),
            std::string::npos);
}

TEST(Receipt, FixedBytes) {
  // version 1 ‖ proof system 1 (re-execution) ‖ image id ‖ u32 journal length ‖ journal ‖
  // u32 seal length ‖ seal ‖ u16 assumption count.
  const Receipt r{
      ProofSystemId::kReexecution, vm::ImageId(core::Hash32::filled(1)), {1, 2}, {3}, {}};
  EXPECT_EQ(core::to_hex(encode_receipt(r)),
            "0101"
            "0101010101010101010101010101010101010101010101010101010101010101"
            "020000000102"
            "0100000003"
            "0000");
}

TEST(ReexecProofSystem, ProvesAndVerifiesAndCatchesTampering) {
  Fixture f;
  auto r = f.ps.prove(*f.counter, counter_input(3), {}, {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(f.ps.verify(*r, f.counter->image_id()).ok());
  auto decoded = decode_receipt(encode_receipt(*r));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(f.ps.verify(*decoded, f.counter->image_id()).ok());

  EXPECT_FALSE(f.ps.verify(*r, f.compose->image_id()).ok()) << "another image id";
  Receipt t = *r;
  t.journal.back() ^= 1;
  EXPECT_EQ(f.ps.verify(t, f.counter->image_id()).error().code(), core::ErrorCode::kVerifyFailed);
  t = *r;
  t.seal[t.seal.size() - 1] ^= 1;  // the re-execution input's resource data: another journal
  EXPECT_FALSE(f.ps.verify(t, f.counter->image_id()).ok());
  ReexecProofSystem stranger;
  EXPECT_FALSE(stranger.verify(*r, f.counter->image_id()).ok()) << "a guest it cannot re-run";
  // A run that does not exit with 0 has no receipt.
  EXPECT_EQ(f.ps.prove(*f.counter, core::Bytes{1, 2, 3}, {}, {}).error().code(),
            core::ErrorCode::kInvalid);
}

TEST(ReexecProofSystem, AssumptionsAreDischargedRecursively) {
  Fixture f;
  const Receipt a = *f.ps.prove(*f.counter, counter_input(1), {}, {});
  const Receipt b = *f.ps.prove(*f.counter, counter_input(2), {}, {});
  const core::Bytes in = compose_input(f.counter->image_id(), {a.journal, b.journal});
  auto outer = f.ps.prove(*f.compose, in, {a, b}, {});
  ASSERT_TRUE(outer.ok()) << outer.error().to_string();
  EXPECT_TRUE(f.ps.verify(*outer, f.compose->image_id()).ok());
  EXPECT_TRUE(f.ps.verify(*decode_receipt(encode_receipt(*outer)), f.compose->image_id()).ok());

  // Proving needs the right receipts, in the order of the verify() calls.
  EXPECT_FALSE(f.ps.prove(*f.compose, in, {a}, {}).ok());
  EXPECT_FALSE(f.ps.prove(*f.compose, in, {b, a}, {}).ok());
  // A swapped or tampered assumption inside a receipt fails its verification.
  Receipt swapped = *outer;
  std::swap(swapped.assumptions[0], swapped.assumptions[1]);
  EXPECT_FALSE(f.ps.verify(swapped, f.compose->image_id()).ok());
  Receipt forged = *outer;
  forged.assumptions[1].seal.back() ^= 1;  // its journal no longer re-executes
  auto st = f.ps.verify(forged, f.compose->image_id());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().context().find("assumption 1"), std::string::npos) << st.error().context();
}

}  // namespace
}  // namespace basalt::zk

namespace basalt::zk {
namespace {

TEST(StateTransitionJournal, TenFieldsInOrderAndNothingElse) {
  StateTransition t;
  for (std::size_t i = 0; i < StateTransition::kFields; ++i) {
    t.*StateTransition::kMembers[i] = core::Hash32::filled(static_cast<std::uint8_t>(i + 1));
  }
  const core::Bytes b = encode_state_transition(t);
  ASSERT_EQ(b.size(), 320u);
  for (std::size_t i = 0; i < StateTransition::kFields; ++i) EXPECT_EQ(b[32 * i], i + 1) << i;
  EXPECT_EQ(b[32 * 9 + 31], 10);  // lane_key last
  auto d = decode_state_transition(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, t);
  EXPECT_EQ(decode_state_transition(core::ByteSpan(b).first(319)).error().code(),
            core::ErrorCode::kTruncated);
  core::Bytes longer = b;
  longer.push_back(0);
  EXPECT_EQ(decode_state_transition(longer).error().code(), core::ErrorCode::kTrailingBytes);
  EXPECT_EQ(StateTransition::kFieldNames[8], "permission_spk_hash");
}

}  // namespace
}  // namespace basalt::zk
