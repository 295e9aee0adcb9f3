// The part of Kaspa's transaction script engine that settlement needs (kip21 §8): data pushes,
// stack shuffles, equality and verify, SHA-256, and OpChainblockSeqCommit (0xd4). Opcode numbers
// and semantics are Kaspa's; any other opcode fails the script as unsupported (this is a subset,
// not an engine that accepts everything Kaspa accepts). The covenant introspection and the ZK
// precompile come with the covenant (issue #6).
//
// A spend runs the signature script (push-only) and then the script public key on the same stack;
// it succeeds when exactly one item is left and it is true (Kaspa's clean-stack rule). Pushes must
// use their shortest encoding, as Kaspa requires. Limits are Kaspa's: 244 stack items, 1 000 000
// bytes per item and per script (a script that fits cannot exceed Kaspa's 1 000 000 operations).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "kaspa/types.hpp"

namespace basalt::kaspa {

namespace op {
inline constexpr std::uint8_t kFalse = 0x00;
inline constexpr std::uint8_t kPushData1 = 0x4c;
inline constexpr std::uint8_t kPushData2 = 0x4d;
inline constexpr std::uint8_t kPushData4 = 0x4e;
inline constexpr std::uint8_t k1Negate = 0x4f;
inline constexpr std::uint8_t kTrue = 0x51;  // OP_1; OP_2 .. OP_16 follow
inline constexpr std::uint8_t k16 = 0x60;
inline constexpr std::uint8_t kNop = 0x61;
inline constexpr std::uint8_t kVerify = 0x69;
inline constexpr std::uint8_t kReturn = 0x6a;
inline constexpr std::uint8_t kDrop = 0x75;
inline constexpr std::uint8_t kDup = 0x76;
inline constexpr std::uint8_t kSwap = 0x7c;
inline constexpr std::uint8_t kEqual = 0x87;
inline constexpr std::uint8_t kEqualVerify = 0x88;
inline constexpr std::uint8_t kSha256 = 0xa8;
inline constexpr std::uint8_t kChainblockSeqCommit = 0xd4;
}  // namespace op

inline constexpr std::size_t kMaxStackSize = 244;
inline constexpr std::size_t kMaxScriptElementSize = 1'000'000;
inline constexpr std::size_t kMaxScriptSize = 1'000'000;

enum class ScriptError : std::uint8_t {
  kNone,
  kTruncatedPush,      // a push runs past the end of the script
  kNonMinimalPush,     // a push not in its shortest form
  kNonPushSigScript,   // the signature script contains an operation
  kUnsupportedOpcode,  // outside this subset (or unassigned)
  kStackUnderflow,
  kStackOverflow,    // more than kMaxStackSize items
  kElementTooLarge,  // a pushed or computed item over kMaxScriptElementSize
  kScriptTooLarge,
  kVerifyFailed,       // OP_VERIFY on a false item
  kEqualVerifyFailed,  // OP_EQUALVERIFY on different items
  kEarlyReturn,        // OP_RETURN
  kEvalFalse,          // the spend ended with a false item on top
  kCleanStack,         // the spend ended with other than exactly one item
  // OpChainblockSeqCommit (kip21 §8.2), in the order Kaspa checks them:
  kInvalidLengthOfBlockHash,
  kBlockAlreadyPruned,
  kBlockNotSelected,
  kBlockIsTooDeep,
};
const char* script_error_name(ScriptError e);

// Answers OpChainblockSeqCommit from the spending context (kip21 §8.2): the SeqCommit of `block`
// if it is on the selected chain of the context's selected parent and within the finality depth.
class SeqCommitAccessor {
 public:
  virtual ~SeqCommitAccessor() = default;
  // The error is one of kBlockAlreadyPruned, kBlockNotSelected, kBlockIsTooDeep.
  struct Answer {
    ScriptError error = ScriptError::kNone;
    SeqCommit seq_commit;
  };
  virtual Answer seq_commit(const BlockHash& block) const = 0;
};

struct ScriptContext {
  const SeqCommitAccessor* seq_commits = nullptr;  // null: OpChainblockSeqCommit fails (pruned)
};

// The outcome of running scripts: no error and the stack, or the first error with its position.
struct ScriptOutcome {
  ScriptError error = ScriptError::kNone;
  std::string detail;  // for people: where and why
  std::vector<core::Bytes> stack;
  bool ok() const { return error == ScriptError::kNone; }
};

// Runs one script on `stack`.
ScriptOutcome run_script(core::ByteSpan script, std::vector<core::Bytes> stack,
                         const ScriptContext& ctx);
// A spend: the signature script (push-only), then the script public key, then the clean-stack
// and truth check.
ScriptOutcome verify_spend(core::ByteSpan signature_script, core::ByteSpan script_public_key,
                           const ScriptContext& ctx);

// Appends the shortest push of `data` to a script being built.
void push_data(core::Bytes& script, core::ByteSpan data);

}  // namespace basalt::kaspa
