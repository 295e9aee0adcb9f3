// Fuzzes basalt's script subset: arbitrary signature scripts and script public keys (split at a
// position the first byte chooses) run against a chain that answers OpChainblockSeqCommit for some
// blocks and refuses others, a two-input transaction for introspection (one output bound to a
// covenant) and a ZK verifier that accepts some proofs. Never a crash; a success leaves exactly
// one true item.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "kaspa/script.hpp"

namespace {

class Chain final : public basalt::kaspa::SeqCommitAccessor {
 public:
  Answer seq_commit(const basalt::kaspa::BlockHash& block) const override {
    using basalt::kaspa::ScriptError;
    switch (block.hash().bytes[0] % 4) {
      case 0:
        return {ScriptError::kNone, basalt::kaspa::SeqCommit(block.hash())};
      case 1:
        return {ScriptError::kBlockNotSelected, {}};
      case 2:
        return {ScriptError::kBlockIsTooDeep, {}};
      default:
        return {ScriptError::kBlockAlreadyPruned, {}};
    }
  }
};

class Zk final : public basalt::kaspa::ZkVerifier {
 public:
  std::string verify(std::uint8_t, const basalt::kaspa::Hash32&, const basalt::kaspa::Hash32&,
                     basalt::core::ByteSpan proof) const override {
    return !proof.empty() && proof[0] % 2 == 0 ? std::string() : "odd proof";
  }
};

basalt::kaspa::Transaction transaction() {
  using namespace basalt;
  kaspa::Transaction tx;
  tx.version = 1;
  tx.inputs.resize(2);
  tx.inputs[0].signature_script = {1, 2, 3, 4, 5};
  const kaspa::CovenantId cov(core::Hash32::from_byte(9));
  tx.outputs.push_back({500, {0, {0xaa, 0x20}}, kaspa::CovenantBinding{0, cov}});
  tx.outputs.push_back({700, {0, {0x51}}, std::nullopt});
  return tx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  if (size == 0) return 0;
  const core::ByteSpan rest(data + 1, size - 1);
  const std::size_t split = rest.empty() ? 0 : data[0] % (rest.size() + 1);
  const Chain chain;
  const Zk zk;
  static const kaspa::Transaction tx = transaction();
  static const std::vector<kaspa::UtxoEntry> spent = {
      {1000, {0, {0x51}}, false, kaspa::CovenantId(core::Hash32::from_byte(9))},
      {2000, {0, {0x52}}, false, std::nullopt}};
  kaspa::ScriptContext ctx;
  ctx.seq_commits = &chain;
  ctx.zk = &zk;
  ctx.tx = &tx;
  ctx.spent = spent;
  ctx.input_index = data[0] & 1;
  const kaspa::ScriptOutcome spend =
      kaspa::verify_spend(rest.first(split), rest.subspan(split), ctx);
  if (spend.ok()) BASALT_ASSERT(spend.stack.size() == 1);
  const kaspa::ScriptOutcome one = kaspa::run_script(rest, {}, ctx);
  BASALT_ASSERT(one.stack.size() <= kaspa::kMaxStackSize);
  return 0;
}
