// The embedded L1 a node runs beside it: the simulator behind the ChainSource and BlockProducer
// interfaces, with a journal of everything that happened to it (each transaction it took and each
// block it produced, in order). Reopened, it replays the journal from its seed and stands where it
// stood, as a restarted kaspad keeps its chain: the node following it learns nothing from that and
// resumes from its own records, as it would against any L1.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "l1/sim/simulator.hpp"

namespace basalt::l1::sim {

// The journal, record by record: u32le payload length ‖ the payload's SHA-256, first 4 bytes ‖
// payload (u8 kind ‖ body; the body of kSubmit and kReplace is the serialized transaction, that of
// kBlock is empty).
enum class JournalRecord : std::uint8_t { kSubmit = 1, kReplace = 2, kBlock = 3 };
struct JournalEntry {
  JournalRecord kind = JournalRecord::kBlock;
  kaspa::Transaction tx;  // kSubmit, kReplace
};
struct JournalScan {
  std::vector<JournalEntry> entries;
  std::size_t valid_bytes = 0;  // the records taken; a torn one at the end lies beyond
};
core::Bytes encode_journal_record(JournalRecord kind, core::ByteSpan body);
// A record cut short or failing its check at the very end (a write a crash interrupted) is left
// out. Errors: kCorrupt with the byte offset for a damaged record before the end.
core::Result<JournalScan> scan_journal(core::ByteSpan data);

struct EmbeddedOptions {
  SimParams params;
  std::string journal_path;
  bool sync = true;  // fdatasync each record: an accepted transaction survives power loss too
  // The generated lane load (Simulator::set_load); none: blocks carry only submitted transactions.
  std::function<std::vector<kaspa::Transaction>(std::uint64_t step)> load;
  const kaspa::ZkVerifier* zk = nullptr;  // OpZkPrecompile's verifier (not owned)
};

class Embedded : public ChainSource, public BlockProducer {
 public:
  // Opens or creates the journal and replays it. A record torn by a crash at the end is dropped
  // (nobody was told of it). Errors: kIo; kCorrupt, naming the file, for a damaged record before
  // the end or a journal that does not replay (another seed, another load).
  static core::Result<std::unique_ptr<Embedded>> open(EmbeddedOptions options);
  ~Embedded() override;
  Embedded(const Embedded&) = delete;
  Embedded& operator=(const Embedded&) = delete;

  core::Status produce_block() override;

  core::Result<ChainChanged> chain_from(const std::optional<BlockHash>& start,
                                        std::size_t max_added) const override {
    return sim_.chain_from(start, max_added);
  }
  core::Result<LaneProof> lane_proof(const BlockHash& block,
                                     const kaspa::LaneKey& key) const override {
    return sim_.lane_proof(block, key);
  }
  // Journaled before it returns Ok.
  core::Status submit_transaction(const kaspa::Transaction& tx) override;
  core::Status submit_transaction_replacement(const kaspa::Transaction& tx) override;
  core::Result<FeeEstimate> fee_estimate() const override { return sim_.fee_estimate(); }
  core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> spendable(
      const kaspa::ScriptPublicKey& spk) const override {
    return sim_.spendable(spk);
  }
  core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> covenant_utxo(
      const kaspa::CovenantId& id, std::span<const kaspa::ScriptPublicKey> at) const override {
    return sim_.covenant_utxo(id, at);
  }
  std::string refusal(const kaspa::TxId& id) const override { return sim_.refusal(id); }
  core::Result<BlockHeader> header(const BlockHash& block) const override {
    return sim_.header(block);
  }
  core::Result<std::uint64_t> mempool_size() const override { return sim_.mempool_size(); }
  core::Result<std::uint64_t> sink_blue_score() const override { return sim_.sink_blue_score(); }

  // The development key the simulator's genesis pays (derived from the seed).
  const crypto::SecretKey& faucet_key() const { return sim_.faucet_key(); }
  // Blocks produced (steps), those replayed from the journal included.
  std::uint64_t steps() const { return steps_; }
  const Simulator& sim() const { return sim_; }

 private:
  explicit Embedded(const EmbeddedOptions& options);
  core::Status replay();
  core::Status append(JournalRecord kind, core::ByteSpan body);

  EmbeddedOptions options_;
  Simulator sim_;
  std::FILE* file_ = nullptr;
  std::uint64_t steps_ = 0;
};

}  // namespace basalt::l1::sim
