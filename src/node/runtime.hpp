// One runtime: what a driven app is made of — its state store, the L1 source, the app and its
// executor, the driver and, when it proves, the guests, a proof system and a receipt verifier —
// assembled in one place with one set of defaults, for `basalt node`, `basalt exec` and `basalt
// settle`. The L1 source is the embedded simulator (its journal beside the state), kaspad's RPC
// (`kaspad_url`), or one the caller brings; this is the one place in src/node that names them.
//
// Layout of a data directory: state/ (the state store), l1/journal (the embedded L1's own record).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "crypto/schnorr.hpp"
#include "exec/executor.hpp"
#include "kaspa/network.hpp"
#include "l1/sim/embedded.hpp"
#include "node/driver.hpp"
#include "settle/verifier.hpp"
#include "state/store.hpp"
#include "users/workload.hpp"
#include "zk/prover.hpp"

namespace basalt::l1::kaspad {
class Source;
}

namespace basalt::node {

struct RuntimeOptions {
  std::string data_dir;
  std::string app = "counter";  // "counter", "token", or a path to a guest ELF
  std::string guest_dir;        // where the built-in guests are (the caller's choice)
  unsigned threads = 0;         // execution workers; 0: the core count
  bool sync = true;             // fsync every commit (state and the embedded L1's journal)
  bool prove = false;           // load the guests and make a proof system and a verifier
  bool guests = false;          // load them without proving: their image ids pin the app's covenant
  std::uint64_t finality_depth = 100;
  std::size_t max_blocks_per_step = 64;
  // The embedded L1 and its seeded users of the app (tx_per_block 0: none).
  std::uint64_t sim_seed = 1;
  std::uint32_t reorg_every = 0;  // simulator steps between seeded reorgs (0: none)
  std::uint32_t reorg_depth = 3;
  std::uint32_t users_tx_per_block = 0;
  std::uint32_t users_invalid_permille = 50;
  std::uint32_t users_accounts = 1000;
  std::uint32_t users_exit_permille = 20;  // token: share of valid transactions that withdraw
  // An L1 source the caller owns (a test's simulator; the kaspad client to come) instead of the
  // embedded one, with its producer when it makes blocks on request. Not owned; the sim settings
  // above are then unused.
  l1::ChainSource* source = nullptr;
  l1::BlockProducer* producer = nullptr;
  // kaspad's gRPC (host:port) on `network` instead of the embedded simulator: a kaspad, or `basalt
  // sim serve`. The sim settings above are then unused.
  std::string kaspad_url;
  kaspa::Network network = kaspa::Network::kSimnet;
};

// The re-execution proof system with the app's, batch and aggregate guests registered, and a
// verifier of its receipts (OpZkPrecompile's). Errors: those of loading the guests.
struct Verifier {
  zk::Guests guests;
  std::unique_ptr<zk::ProofSystem> system;
  std::unique_ptr<settle::ReceiptVerifier> verifier;
};
core::Result<Verifier> load_verifier(const exec::App& app, const std::string& guest_dir);

// The embedded simulator a runtime with options `o` runs for `app` (seed, F, reorgs, the seeded
// users on the app's lane): `basalt sim serve` serves the very chain `basalt node` would embed.
// The journal path and the verifier are the caller's to set; `users` must outlive the simulator.
struct SimSetup {
  l1::sim::EmbeddedOptions options;
  std::unique_ptr<users::Workload> users;
};
// Errors: kInvalid for seeded users of an app that is not built in.
core::Result<SimSetup> sim_setup(const RuntimeOptions& o, const std::string& app);

class Runtime {
 public:
  // Opens (or creates) the data directory. `before_driver` runs once the store and L1 are open,
  // before the executor and the driver read the store's tip (the node rolls back there what its
  // prover must see again, or fills an empty store from mirrors), and returns the source the driver
  // follows: L1 itself, or one the caller keeps alive that serves blocks before L1's. Errors: those
  // of the store, the app, the guests and the embedded L1; kInvalid for a data directory of another
  // app or another simulation.
  using BeforeDriver =
      std::function<core::Result<l1::ChainSource*>(state::StateStore&, l1::ChainSource&)>;
  static core::Result<std::unique_ptr<Runtime>> open(const RuntimeOptions& options,
                                                     const BeforeDriver& before_driver = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  state::StateStore& store() { return *store_; }
  exec::Executor& executor() { return *executor_; }
  Driver& driver() { return *driver_; }
  l1::ChainSource& source() { return *source_; }
  const vm::ImageId& image_id() const { return image_id_; }
  // With `prove` (or a data directory that settled before): the proof system with the app's,
  // batch and aggregate guests registered, the guests, and a verifier of its receipts (the
  // embedded L1's OpZkPrecompile uses it too).
  zk::ProofSystem* proof_system() { return system_.get(); }
  const std::optional<zk::Guests>& guests() const { return guests_; }
  // A development key with funds on L1: the embedded simulator's faucet (derived from the seed;
  // never a real key). nullptr with a source of the caller's.
  const crypto::SecretKey* dev_key() const;
  // The kaspad source (kaspad_url), nullptr otherwise.
  l1::kaspad::Source* kaspad() { return kaspad_.get(); }

 private:
  Runtime() = default;
  core::Status open_source(const RuntimeOptions& o, const std::string& app);
  core::Status open_kaspad(const RuntimeOptions& o);

  std::unique_ptr<state::StateStore> store_;
  vm::ImageId image_id_;
  std::optional<zk::Guests> guests_;
  std::unique_ptr<zk::ProofSystem> system_;
  std::unique_ptr<settle::ReceiptVerifier> verifier_;
  std::unique_ptr<users::Workload> users_;  // the embedded L1's load reads it
  std::unique_ptr<l1::sim::Embedded> l1_;   // null with a source of the caller's
  std::unique_ptr<l1::kaspad::Source> kaspad_;
  l1::ChainSource* source_ = nullptr;
  std::unique_ptr<exec::Executor> executor_;
  std::unique_ptr<Driver> driver_;
};

}  // namespace basalt::node
