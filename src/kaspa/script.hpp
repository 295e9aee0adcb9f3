// The part of Kaspa's transaction script engine that settlement needs (kip21 §8): data pushes,
// stack shuffles and the alt stack, OpCat, small-number arithmetic, equality and verify, SHA-256
// and BLAKE2b, the transaction introspection and covenant opcodes the covenant spend uses,
// OpChainblockSeqCommit (0xd4), OpZkPrecompile (0xa6) and pay-to-script-hash. Opcode numbers are
// Kaspa's; any other opcode fails the script as unsupported (this is a subset, not an engine that
// accepts everything Kaspa accepts).
//
// Introspection as basalt implements it (numbers are script numbers; an index outside the
// transaction fails with kInvalidIndex):
//   OpTxInputIndex                 -> index of the input being verified
//   OpTxInputAmount (i)            -> amount of the UTXO input i spends
//   OpTxInputScriptSigLen (i)      -> length of input i's signature script
//   OpTxInputScriptSigSubstr (i, start, end) -> bytes [start, end) of it (end on top)
//   OpTxOutputAmount (i)           -> value of output i
//   OpTxOutputSpk (i)              -> output i's script public key: u16 version big-endian ||
//   script OpInputCovenantId (i)          -> covenant id of the UTXO input i spends, 32 zero bytes
//   if none OpCovOutputCount (id)          -> outputs bound to covenant `id` OpCovOutputIdx (id, k)
//   -> index of the k-th output bound to covenant `id`
// OpZkPrecompile pops a one-byte tag. Kaspa's tags (0x20 Groth16, 0x21 RISC Zero succinct) are not
// implemented here and fail with kZkIntegrity; basalt's tag kZkTagBasaltReexec pops, top first, an
// image id (32), a journal digest (32, SHA-256 of the journal) and a receipt, asks the context's
// ZkVerifier, and pushes true when it verifies.
//
// Conditionals: OpIf/OpNotIf pop a condition that must be minimal (empty for false, [0x01] for
// true, as Kaspa requires); in a branch not taken only pushes are parsed and other operations are
// skipped; every OpIf must be closed by OpEndIf within the same script.
//
// A spend runs the signature script (push-only) and then the script public key on the same stack;
// it succeeds when exactly one item is left and it is true (Kaspa's clean-stack rule). Pushes must
// use their shortest encoding, as Kaspa requires. Limits are Kaspa's: 244 stack items, 1 000 000
// bytes per item and per script (a script that fits cannot exceed Kaspa's 1 000 000 operations).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "kaspa/signing.hpp"
#include "kaspa/transaction.hpp"
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
inline constexpr std::uint8_t kIf = 0x63;
inline constexpr std::uint8_t kNotIf = 0x64;
inline constexpr std::uint8_t kElse = 0x67;
inline constexpr std::uint8_t kEndIf = 0x68;
inline constexpr std::uint8_t kVerify = 0x69;
inline constexpr std::uint8_t kReturn = 0x6a;
inline constexpr std::uint8_t kToAltStack = 0x6b;
inline constexpr std::uint8_t kFromAltStack = 0x6c;
inline constexpr std::uint8_t k2Dup = 0x6e;
inline constexpr std::uint8_t kOver = 0x78;
inline constexpr std::uint8_t kRot = 0x7b;
inline constexpr std::uint8_t kDrop = 0x75;
inline constexpr std::uint8_t kDup = 0x76;
inline constexpr std::uint8_t kSwap = 0x7c;
inline constexpr std::uint8_t kCat = 0x7e;
inline constexpr std::uint8_t kEqual = 0x87;
inline constexpr std::uint8_t kEqualVerify = 0x88;
inline constexpr std::uint8_t kAdd = 0x93;
inline constexpr std::uint8_t kSub = 0x94;
inline constexpr std::uint8_t kZkPrecompile = 0xa6;
inline constexpr std::uint8_t kSha256 = 0xa8;
inline constexpr std::uint8_t kBlake2b = 0xaa;
inline constexpr std::uint8_t kTxInputIndex = 0xb9;
inline constexpr std::uint8_t kTxInputScriptSigSubstr = 0xbc;
inline constexpr std::uint8_t kTxInputAmount = 0xbe;
inline constexpr std::uint8_t kTxOutputAmount = 0xc2;
inline constexpr std::uint8_t kTxOutputSpk = 0xc3;
inline constexpr std::uint8_t kTxInputScriptSigLen = 0xc9;
inline constexpr std::uint8_t kInputCovenantId = 0xcf;
inline constexpr std::uint8_t kCovOutputCount = 0xd2;
inline constexpr std::uint8_t kCovOutputIdx = 0xd3;
inline constexpr std::uint8_t kChainblockSeqCommit = 0xd4;
}  // namespace op

// basalt's OpZkPrecompile tag: a re-execution receipt (zk/receipt.hpp) of the given image id.
inline constexpr std::uint8_t kZkTagBasaltReexec = 0x42;

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
  kInvalidNumber,          // not a minimally encoded script number of at most 8 bytes, or overflow
  kInvalidIndex,           // an introspection index or range outside the transaction
  kNoTransaction,          // introspection without a transaction in the context
  kZkIntegrity,            // OpZkPrecompile: unknown tag or malformed arguments
  kZkVerifyFailed,         // OpZkPrecompile: the proof does not verify
  kP2shMismatch,           // the redeem script does not hash to the P2SH commitment
  kMinimalIf,              // OpIf/OpNotIf on anything but an empty item (false) or [0x01] (true)
  kUnbalancedConditional,  // OpElse/OpEndIf without OpIf, or an OpIf left open at the end
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

// Verifies proofs for OpZkPrecompile.
class ZkVerifier {
 public:
  virtual ~ZkVerifier() = default;
  // Empty when `proof` proves a run of `image_id` whose journal has SHA-256 `journal_digest`;
  // otherwise why not.
  virtual std::string verify(std::uint8_t tag, const Hash32& image_id, const Hash32& journal_digest,
                             core::ByteSpan proof) const = 0;
};

struct ScriptContext {
  const SeqCommitAccessor* seq_commits = nullptr;  // null: OpChainblockSeqCommit fails (pruned)
  const ZkVerifier* zk = nullptr;                  // null: OpZkPrecompile fails
  // The spending transaction, the UTXOs its inputs spend (in input order) and the input being
  // verified; without a transaction, introspection fails.
  const Transaction* tx = nullptr;
  std::span<const UtxoEntry> spent;
  std::uint32_t input_index = 0;
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
// A spend: the signature script (push-only), then the script public key; for a pay-to-script-hash
// key (OpBlake2b <32 bytes> OpEqual) also the redeem script (the signature script's last push) on
// the rest of the stack; then the clean-stack and truth check.
ScriptOutcome verify_spend(core::ByteSpan signature_script, core::ByteSpan script_public_key,
                           const ScriptContext& ctx);

// Appends the shortest push of `data` to a script being built.
void push_data(core::Bytes& script, core::ByteSpan data);
// Script numbers: little-endian sign-magnitude, minimal; zero is empty.
core::Bytes script_number(std::int64_t v);
// Fragments for scripts that rebuild their own continuation (basalt's covenant and exit script):
// [.. x] -> [.. x || the last `length` bytes of the verified input's signature script] — its own
// last `length` bytes, since the redeem script is the signature script's last push;
void emit_cat_own_tail(core::Bytes& script, std::int64_t length);
// [.. h] -> [.. the P2SH script public key for redeem-script hash h, as OpTxOutputSpk shows it].
void emit_p2sh_spk_of_hash(core::Bytes& script);

// A script public key as OpTxOutputSpk pushes it: u16 version big-endian || script.
core::Bytes spk_introspection_bytes(const ScriptPublicKey& spk);

// The P2SH script public key committing to `redeem`: OpBlake2b <blake2b(redeem)> OpEqual.
ScriptPublicKey p2sh_script(core::ByteSpan redeem);
bool is_p2sh(const ScriptPublicKey& spk);

}  // namespace basalt::kaspa
