#include "kaspa/script.hpp"

#include <gtest/gtest.h>

#include <map>

#include "crypto/sha256.hpp"

namespace basalt::kaspa {
namespace {

using core::Bytes;

// A chain of three selected blocks (1, 2, 3 in their first byte) within depth; 4 too deep; 5
// pruned; anything else not selected.
class FakeChain final : public SeqCommitAccessor {
 public:
  Answer seq_commit(const BlockHash& block) const override {
    const std::uint8_t b = block.hash().bytes[0];
    if (b >= 1 && b <= 3) return {ScriptError::kNone, SeqCommit(core::Hash32::from_byte(b + 100))};
    if (b == 4) return {ScriptError::kBlockIsTooDeep, {}};
    if (b == 5) return {ScriptError::kBlockAlreadyPruned, {}};
    return {ScriptError::kBlockNotSelected, {}};
  }
};

Bytes pushes(std::initializer_list<Bytes> items) {
  Bytes s;
  for (const Bytes& i : items) push_data(s, i);
  return s;
}

Bytes block(std::uint8_t b) {
  const core::Hash32 h = core::Hash32::from_byte(b);
  return Bytes(h.bytes.begin(), h.bytes.end());
}

ScriptError spend_error(const Bytes& sig, const Bytes& spk) {
  FakeChain chain;
  ScriptContext ctx;
  ctx.seq_commits = &chain;
  return verify_spend(sig, spk, ctx).error;
}

TEST(Script, EveryPushSizeRoundTripsInItsShortestForm) {
  for (std::size_t n : {0, 1, 2, 75, 76, 255, 256, 65535, 65536, 70000}) {
    for (std::uint8_t fill : {0x00, 0x01, 0x10, 0x11, 0x81, 0xff}) {
      const Bytes data(n, fill);
      Bytes script;
      push_data(script, data);
      const ScriptOutcome o = run_script(script, {}, {});
      ASSERT_TRUE(o.ok()) << n << " " << int(fill) << " " << script_error_name(o.error);
      ASSERT_EQ(o.stack.size(), 1u);
      EXPECT_EQ(o.stack[0], data);
    }
  }
  Bytes small;
  push_data(small, Bytes{7});
  EXPECT_EQ(small, (Bytes{op::kTrue + 6}));
  Bytes negative;
  push_data(negative, Bytes{0x81});
  EXPECT_EQ(negative, Bytes{op::k1Negate});
}

TEST(Script, NonMinimalPushesAreRefused) {
  const std::vector<Bytes> bad = {
      {0x01, 0x05},                                       // OP_1..OP_16 exists for 5
      {0x01, 0x81},                                       // OP_1NEGATE exists
      {op::kPushData1, 0x00},                             // OP_0 exists
      {op::kPushData1, 0x03, 1, 2, 3},                    // a direct push fits
      {op::kPushData2, 0x03, 0x00, 1, 2, 3},              // so does a shorter form
      {op::kPushData4, 0x03, 0x00, 0x00, 0x00, 1, 2, 3},  // and again
  };
  for (const Bytes& s : bad) {
    EXPECT_EQ(run_script(s, {}, {}).error, ScriptError::kNonMinimalPush) << core::to_hex(s);
  }
}

TEST(Script, EveryTruncationOfAPushIsRefused) {
  Bytes script;
  push_data(script, Bytes(300, 0xab));
  for (std::size_t cut = 1; cut < script.size(); ++cut) {
    const Bytes part(script.begin(), script.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_EQ(run_script(part, {}, {}).error, ScriptError::kTruncatedPush) << cut;
  }
}

TEST(Script, OperationsFollowKaspa) {
  auto top = [](const Bytes& script) {
    const ScriptOutcome o = run_script(script, {}, {});
    EXPECT_TRUE(o.ok()) << script_error_name(o.error) << " " << o.detail;
    return o.stack;
  };
  EXPECT_EQ(top(pushes({{1}, {1}})), (std::vector<Bytes>{{1}, {1}}));
  Bytes s = pushes({{9}, {9}});
  s.push_back(op::kEqual);
  EXPECT_EQ(top(s), (std::vector<Bytes>{{1}}));
  s = pushes({{9}, {8}});
  s.push_back(op::kEqual);
  EXPECT_EQ(top(s), (std::vector<Bytes>{{}}));
  s = pushes({{1}, {2}});
  s.push_back(op::kSwap);
  EXPECT_EQ(top(s), (std::vector<Bytes>{{2}, {1}}));
  s = pushes({{3}});
  s.push_back(op::kDup);
  EXPECT_EQ(top(s), (std::vector<Bytes>{{3}, {3}}));
  s.push_back(op::kDrop);
  s.push_back(op::kNop);
  EXPECT_EQ(top(s), (std::vector<Bytes>{{3}}));
  s = pushes({Bytes{'a', 'b', 'c'}});
  s.push_back(op::kSha256);
  const core::Hash32 h = crypto::sha256(Bytes{'a', 'b', 'c'});
  EXPECT_EQ(top(s), (std::vector<Bytes>{Bytes(h.bytes.begin(), h.bytes.end())}));
}

TEST(Script, TruthIsKaspas) {
  for (const Bytes& v : std::vector<Bytes>{{}, {0}, {0, 0}, {0x80}, {0, 0x80}}) {
    Bytes spk = pushes({v});
    EXPECT_EQ(spend_error({}, spk), ScriptError::kEvalFalse) << core::to_hex(v);
  }
  for (const Bytes& v : std::vector<Bytes>{{1}, {0, 1}, {0x80, 0}, {0x81}}) {
    Bytes spk = pushes({v});
    EXPECT_EQ(spend_error({}, spk), ScriptError::kNone) << core::to_hex(v);
  }
}

TEST(Script, EachFailureHasItsReason) {
  EXPECT_EQ(spend_error(Bytes{op::kDup}, Bytes{op::kTrue}), ScriptError::kNonPushSigScript);
  for (std::uint8_t o : {op::kVerify, op::kDrop, op::kDup, op::kSwap, op::kEqual, op::kEqualVerify,
                         op::kSha256, op::kChainblockSeqCommit}) {
    EXPECT_EQ(spend_error({}, Bytes{o}), ScriptError::kStackUnderflow) << int(o);
  }
  EXPECT_EQ(spend_error(pushes({{0}}), Bytes{op::kVerify, op::kTrue}), ScriptError::kVerifyFailed);
  EXPECT_EQ(spend_error(pushes({{1}, {2}}), Bytes{op::kEqualVerify, op::kTrue}),
            ScriptError::kEqualVerifyFailed);
  EXPECT_EQ(spend_error({}, Bytes{op::kTrue, op::kReturn}), ScriptError::kEarlyReturn);
  EXPECT_EQ(spend_error(pushes({{1}, {1}}), {}), ScriptError::kCleanStack);
  EXPECT_EQ(spend_error({}, {}), ScriptError::kCleanStack);
  for (std::uint8_t o : {0x50, 0xac, 0xca, 0xd7, 0xff}) {
    EXPECT_EQ(spend_error({}, Bytes{op::kTrue, o}), ScriptError::kUnsupportedOpcode) << int(o);
  }
  Bytes many;
  for (std::size_t i = 0; i <= kMaxStackSize; ++i) many.push_back(op::kTrue);
  EXPECT_EQ(spend_error(many, {}), ScriptError::kStackOverflow);
  EXPECT_EQ(spend_error({}, Bytes(kMaxScriptSize + 1, op::kNop)), ScriptError::kScriptTooLarge);
}

TEST(Script, ChainblockSeqCommitPushesTheSelectedBlocksCommitment) {
  // The settlement pattern: the signature script gives the anchor block and the claimed SeqCommit;
  // the script public key checks the claim against the chain.
  const core::Hash32 want = core::Hash32::from_byte(102);
  const Bytes claimed(want.bytes.begin(), want.bytes.end());
  const Bytes spk{op::kChainblockSeqCommit, op::kEqual};
  EXPECT_EQ(spend_error(pushes({claimed, block(2)}), spk), ScriptError::kNone);
  EXPECT_EQ(spend_error(pushes({claimed, block(3)}), spk), ScriptError::kEvalFalse);
  EXPECT_EQ(spend_error(pushes({claimed, block(4)}), spk), ScriptError::kBlockIsTooDeep);
  EXPECT_EQ(spend_error(pushes({claimed, block(5)}), spk), ScriptError::kBlockAlreadyPruned);
  EXPECT_EQ(spend_error(pushes({claimed, block(9)}), spk), ScriptError::kBlockNotSelected);
  for (std::size_t n : {0, 31, 33}) {
    EXPECT_EQ(spend_error(pushes({claimed, Bytes(n, 2)}), spk),
              ScriptError::kInvalidLengthOfBlockHash)
        << n;
  }
  // Without a chain to ask, the block counts as pruned.
  EXPECT_EQ(verify_spend(pushes({claimed, block(2)}), spk, {}).error,
            ScriptError::kBlockAlreadyPruned);
}

}  // namespace
}  // namespace basalt::kaspa
