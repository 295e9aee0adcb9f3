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

TEST(Script, ConditionalsRunOneSideAndNest) {
  // <cond> OpIf 10 OpElse 20 OpEndIf: the side the condition picks; OpNotIf the other.
  auto pick = [](const Bytes& cond, std::uint8_t if_op) {
    Bytes s = pushes({cond});
    s.push_back(if_op);
    push_data(s, Bytes{10});
    s.push_back(op::kElse);
    push_data(s, Bytes{20});
    s.push_back(op::kEndIf);
    return run_script(s, {}, {});
  };
  EXPECT_EQ(pick({1}, op::kIf).stack, (std::vector<Bytes>{{10}}));
  EXPECT_EQ(pick({}, op::kIf).stack, (std::vector<Bytes>{{20}}));
  EXPECT_EQ(pick({1}, op::kNotIf).stack, (std::vector<Bytes>{{20}}));
  EXPECT_EQ(pick({}, op::kNotIf).stack, (std::vector<Bytes>{{10}}));
  for (const Bytes& c : std::vector<Bytes>{{2}, {0}, {1, 0}, {0x81}})
    EXPECT_EQ(pick(c, op::kIf).error, ScriptError::kMinimalIf) << core::to_hex(c);

  // Inside a side not taken, a nested OpElse stays skipped and its operations do not run (an
  // OpReturn there would fail the script); pushes are parsed but not made.
  Bytes s = pushes({{}});
  s.insert(s.end(), {op::kIf, op::kTrue, op::kIf, op::kReturn, op::kElse, op::kReturn, op::kEndIf,
                     op::kElse});
  push_data(s, Bytes{7});
  s.insert(s.end(), {op::kTrue, op::kIf, op::kDup, op::kElse, op::kReturn, op::kEndIf, op::kEndIf});
  const ScriptOutcome nested = run_script(s, {}, {});
  EXPECT_TRUE(nested.ok()) << nested.detail;
  EXPECT_EQ(nested.stack, (std::vector<Bytes>{{7}, {7}}));

  for (const Bytes& bad :
       std::vector<Bytes>{Bytes{op::kTrue, op::kIf}, Bytes{op::kElse}, Bytes{op::kEndIf},
                          Bytes{op::kTrue, op::kIf, op::kEndIf, op::kEndIf}}) {
    EXPECT_EQ(run_script(bad, {}, {}).error, ScriptError::kUnbalancedConditional)
        << core::to_hex(bad);
  }
  EXPECT_EQ(run_script(Bytes{op::kIf}, {}, {}).error, ScriptError::kStackUnderflow);
}

TEST(Script, OverAndRotReachBelowTheTop) {
  Bytes s = pushes({{1}, {2}, {3}});
  s.push_back(op::kRot);
  EXPECT_EQ(run_script(s, {}, {}).stack, (std::vector<Bytes>{{2}, {3}, {1}}));
  s.push_back(op::kOver);
  EXPECT_EQ(run_script(s, {}, {}).stack, (std::vector<Bytes>{{2}, {3}, {1}, {3}}));
  s = pushes({{1}, {2}});
  s.push_back(op::kRot);
  EXPECT_EQ(run_script(s, {}, {}).error, ScriptError::kStackUnderflow);
  s = pushes({{1}});
  s.push_back(op::kOver);
  EXPECT_EQ(run_script(s, {}, {}).error, ScriptError::kStackUnderflow);
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

TEST(Script, NumbersAreMinimalSignMagnitude) {
  EXPECT_EQ(script_number(0), Bytes{});
  EXPECT_EQ(script_number(1), Bytes{1});
  EXPECT_EQ(script_number(-1), Bytes{0x81});
  EXPECT_EQ(script_number(127), Bytes{0x7f});
  EXPECT_EQ(script_number(128), (Bytes{0x80, 0x00}));
  EXPECT_EQ(script_number(-128), (Bytes{0x80, 0x80}));
  EXPECT_EQ(script_number(300), (Bytes{0x2c, 0x01}));
  // Arithmetic reads them back; a non-minimal operand is refused.
  EXPECT_EQ(spend_error(pushes({script_number(300), script_number(100), script_number(200)}),
                        Bytes{op::kAdd, op::kEqual}),
            ScriptError::kNone);
  EXPECT_EQ(spend_error(pushes({Bytes{1, 0}, Bytes{1}}), Bytes{op::kAdd}),
            ScriptError::kInvalidNumber);
  EXPECT_EQ(spend_error(pushes({script_number(-2), script_number(5), script_number(7)}),
                        Bytes{op::kSub, op::kEqual}),
            ScriptError::kNone);
}

TEST(Script, AltStackCatAndBlake2b) {
  // alt stack round trip, then cat: "ab" || "cd".
  EXPECT_EQ(spend_error(pushes({Bytes{'a', 'b'}, Bytes{'c', 'd'}, Bytes{'a', 'b', 'c', 'd'}}),
                        Bytes{op::kToAltStack, op::kCat, op::kFromAltStack, op::kEqual}),
            ScriptError::kNone);
  EXPECT_EQ(spend_error({}, Bytes{op::kFromAltStack}), ScriptError::kStackUnderflow);
  const Bytes data{1, 2, 3};
  EXPECT_EQ(spend_error(pushes({data}), Bytes{op::kBlake2b, op::kTrue}), ScriptError::kCleanStack);
}

TEST(Script, PayToScriptHashRunsTheRedeemScript) {
  const Bytes redeem{op::kEqual};  // the redeem script checks two pushed items are equal
  const ScriptPublicKey spk = p2sh_script(redeem);
  ASSERT_TRUE(is_p2sh(spk));
  EXPECT_EQ(spend_error(pushes({Bytes{7}, Bytes{7}, redeem}), spk.script), ScriptError::kNone);
  EXPECT_EQ(spend_error(pushes({Bytes{7}, Bytes{8}, redeem}), spk.script), ScriptError::kEvalFalse);
  // Another redeem script than the one committed to.
  EXPECT_EQ(spend_error(pushes({Bytes{7}, Bytes{7}, Bytes{op::kEqual, op::kNop}}), spk.script),
            ScriptError::kP2shMismatch);
  EXPECT_EQ(spend_error({}, spk.script), ScriptError::kStackUnderflow);
}

TEST(Script, IntrospectionSeesTheSpendingTransaction) {
  Transaction tx;
  tx.version = 1;
  tx.inputs.resize(2);
  tx.inputs[1].signature_script = {0x51, 0x52, 0x53};
  const CovenantId cov(core::Hash32::from_byte(9));
  tx.outputs.push_back({500, {0, {0x51}}, std::nullopt});
  tx.outputs.push_back({700, {0, {0xaa, 0x87}}, CovenantBinding{1, cov}});
  const std::vector<UtxoEntry> spent = {{1000, {0, {}}, false, std::nullopt},
                                        {2000, {0, {}}, false, cov}};
  ScriptContext ctx;
  ctx.tx = &tx;
  ctx.spent = spent;
  ctx.input_index = 1;
  const auto ok = [&](const Bytes& script) { return run_script(script, {}, ctx); };
  const Bytes cov_bytes(cov.hash().bytes.begin(), cov.hash().bytes.end());
  EXPECT_EQ(ok({op::kTxInputIndex}).stack.back(), Bytes{1});
  EXPECT_EQ(ok({op::kTrue, op::kTxInputAmount}).stack.back(), script_number(2000));
  EXPECT_EQ(ok({op::kTrue, op::kTxOutputAmount}).stack.back(), script_number(700));
  EXPECT_EQ(ok({op::kTrue, op::kTxOutputSpk}).stack.back(), (Bytes{0, 0, 0xaa, 0x87}));
  EXPECT_EQ(ok({op::kTrue, op::kTxInputScriptSigLen}).stack.back(), Bytes{3});
  EXPECT_EQ(ok({op::kTrue, op::kTrue, 0x52, op::kTxInputScriptSigSubstr}).stack.back(),
            (Bytes{0x52}));
  EXPECT_EQ(ok({op::kTrue, op::kInputCovenantId}).stack.back(), cov_bytes);
  EXPECT_EQ(ok({op::kFalse, op::kInputCovenantId}).stack.back(), Bytes(32, 0));
  Bytes count;
  push_data(count, cov_bytes);
  count.push_back(op::kCovOutputCount);
  EXPECT_EQ(ok(count).stack.back(), Bytes{1});
  Bytes idx;
  push_data(idx, cov_bytes);
  idx.insert(idx.end(), {op::kFalse, op::kCovOutputIdx});
  EXPECT_EQ(ok(idx).stack.back(), Bytes{1});
  // Out of range, and without a transaction.
  EXPECT_EQ(ok({0x53, op::kTxOutputAmount}).error, ScriptError::kInvalidIndex);
  EXPECT_EQ(ok({op::kTrue, op::kTrue, 0x54, op::kTxInputScriptSigSubstr}).error,
            ScriptError::kInvalidIndex);
  idx.back() = op::kCovOutputIdx;
  idx[idx.size() - 2] = op::kTrue;
  EXPECT_EQ(ok(idx).error, ScriptError::kInvalidIndex);
  EXPECT_EQ(run_script(Bytes{op::kTxInputIndex}, {}, {}).error, ScriptError::kNoTransaction);
}

class EvenProofs final : public ZkVerifier {
 public:
  std::string verify(std::uint8_t, const Hash32&, const Hash32&,
                     core::ByteSpan proof) const override {
    return !proof.empty() && proof[0] % 2 == 0 ? std::string() : "odd proof";
  }
};

TEST(Script, ZkPrecompileAsksTheVerifierForBasaltsTagOnly) {
  const EvenProofs zk;
  ScriptContext ctx;
  ctx.zk = &zk;
  const Bytes image(32, 1), digest(32, 2);
  const auto run = [&](const Bytes& proof, std::uint8_t tag) {
    Bytes s = pushes({proof, digest, image, Bytes{tag}});
    s.push_back(op::kZkPrecompile);
    return verify_spend({}, s, ctx);
  };
  EXPECT_EQ(run({2}, kZkTagBasaltReexec).error, ScriptError::kNone);
  const ScriptOutcome odd = run({3}, kZkTagBasaltReexec);
  EXPECT_EQ(odd.error, ScriptError::kZkVerifyFailed);
  EXPECT_NE(odd.detail.find("odd proof"), std::string::npos);
  EXPECT_EQ(run({2}, 0x21).error, ScriptError::kZkIntegrity);  // RISC Zero succinct: not here
  EXPECT_EQ(run({2}, 0x20).error, ScriptError::kZkIntegrity);  // Groth16: not here
}

}  // namespace
}  // namespace basalt::kaspa
