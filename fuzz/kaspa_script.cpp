// Fuzzes basalt's script subset: arbitrary signature scripts and script public keys (split at a
// position the first byte chooses) run against a chain that answers OpChainblockSeqCommit for some
// blocks and refuses others. Never a crash; a success leaves exactly one true item.
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  if (size == 0) return 0;
  const core::ByteSpan rest(data + 1, size - 1);
  const std::size_t split = rest.empty() ? 0 : data[0] % (rest.size() + 1);
  const Chain chain;
  const kaspa::ScriptContext ctx{&chain};
  const kaspa::ScriptOutcome spend =
      kaspa::verify_spend(rest.first(split), rest.subspan(split), ctx);
  if (spend.ok()) BASALT_ASSERT(spend.stack.size() == 1);
  const kaspa::ScriptOutcome one = kaspa::run_script(rest, {}, ctx);
  BASALT_ASSERT(one.stack.size() <= kaspa::kMaxStackSize);
  return 0;
}
