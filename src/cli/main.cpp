// The basalt command. Subcommands parse their options here and call into the modules; this file is
// the only place that turns errors into exit codes.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/app_commands.hpp"
#include "cli/bench_api.hpp"
#include "cli/bench_exec.hpp"
#include "cli/bench_follow.hpp"
#include "cli/bench_memory.hpp"
#include "cli/bench_prove.hpp"
#include "cli/da_commands.hpp"
#include "cli/dag_commands.hpp"
#include "cli/exec_command.hpp"
#include "cli/guest_commands.hpp"
#include "cli/key_commands.hpp"
#include "cli/node_command.hpp"
#include "cli/query_commands.hpp"
#include "cli/settle_command.hpp"
#include "cli/sim_serve.hpp"
#include "cli/tx_commands.hpp"
#include "cli/vm_commands.hpp"
#include "conformance/conformance.hpp"
#include "dag/simulate.hpp"
#include "l1/sim/export.hpp"
#include "l1/sim/simulator.hpp"
#include "zk/journal.hpp"

namespace {

struct SimRunOptions {
  basalt::l1::sim::SimParams params;
  std::uint64_t blocks = 100;
  std::string export_path;
};

int run_sim(SimRunOptions opts) {
  opts.params.keep_history = !opts.export_path.empty();  // the export is of the whole chain
  basalt::l1::sim::Simulator sim(opts.params);
  while (sim.chain().size() < opts.blocks) {
    sim.step();
    (void)sim.next_chain_changes();  // the export reads the chain itself
  }
  const auto& tip = sim.chain().back();
  std::cerr << "basalt: simulated " << sim.chain().size() << " chain blocks; tip " << tip.hash.hex()
            << " seq_commit " << tip.seq_commit.hex() << "\n";
  if (opts.export_path.empty()) return 0;
  std::ofstream out(opts.export_path, std::ios::binary);
  out << basalt::l1::sim::export_json(sim) << "\n";
  if (!out) {
    std::cerr << "basalt: cannot write " << opts.export_path << "\n";
    return 2;
  }
  return 0;
}

// Chain blocks per second for the simulator at the four shapes.
int run_bench_sim(std::uint64_t blocks) {
  std::printf(
      "basalt bench sim: simulated chain blocks per second, one thread (%llu blocks per row)\n",
      static_cast<unsigned long long>(blocks));
  std::printf("%8s %14s %16s %14s\n", "lanes", "txs/block", "chain blocks/s", "txs/s");
  for (std::uint32_t lanes : {10u, 100u}) {
    for (std::uint32_t txs : {100u, 1000u}) {
      basalt::l1::sim::SimParams p;
      p.seed = 7;
      p.lanes = lanes;
      p.tx_per_block = txs;
      p.lane_skip_permille = 0;
      p.finality_depth = 1000;
      basalt::l1::sim::Simulator sim(p);
      std::uint64_t accepted = 0;
      auto t0 = std::chrono::steady_clock::now();
      while (sim.chain().size() < blocks) {
        accepted += sim.step().accepted.size();
        (void)sim.next_chain_changes();  // nobody follows here: drop the events
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%8u %14u %16.0f %14.0f\n", lanes, txs, static_cast<double>(blocks) / s,
                  static_cast<double>(accepted) / s);
    }
  }
  return 0;
}

int run_dag_simulate(const basalt::dag::SimulationParams& p) {
  auto opt = [](const std::optional<std::uint64_t>& v) {
    return v ? std::to_string(*v) : std::string("off");
  };
  std::printf(
      "basalt dag simulate: seed %llu, %u vProgs x %u accounts, %u tx/round, cross reads %u/1000, "
      "proofs every %llu rounds, delta %s, gamma %s, pruning depth %llu\n",
      static_cast<unsigned long long>(p.seed), p.vprogs, p.accounts_per_vprog, p.tx_per_round,
      p.cross_read_permille, static_cast<unsigned long long>(p.proof_interval),
      opt(p.delta).c_str(), opt(p.gamma).c_str(), static_cast<unsigned long long>(p.pruning_depth));
  std::printf("%-13s %8s %10s %9s %11s %14s %10s %10s %10s %14s\n", "rounds", "stored", "discarded",
              "accepted", "rej.pruned", "rej.discarded", "rej.scope", "avg scope", "p99 scope",
              "avg witnesses");
  for (const auto& w : basalt::dag::simulate(p)) {
    const double n = w.accepted > 0 ? static_cast<double>(w.accepted) : 1.0;
    auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    std::printf("%6llu-%-6llu %8llu %10llu %9llu %11llu %14llu %10llu %10.2f %10llu %14.3f\n",
                u(w.first_round), u(w.last_round), u(w.stored), u(w.discarded), u(w.accepted),
                u(w.rejected_pruned), u(w.rejected_discarded), u(w.rejected_scope),
                static_cast<double>(w.scope_sum) / n, u(w.scope_p99),
                static_cast<double>(w.witnesses) / n);
  }
  return 0;
}

int run_journal_decode(const std::string& hex) {
  auto bytes = basalt::core::from_hex(hex);
  if (!bytes.ok()) {
    std::cerr << "basalt: " << bytes.error().to_string() << "\n";
    return 2;
  }
  auto t = basalt::zk::decode_state_transition(*bytes);
  if (!t.ok()) {
    std::cerr << "basalt: not a 320-byte StateTransition journal: " << t.error().to_string()
              << "\n";
    return 2;
  }
  using basalt::zk::StateTransition;
  for (std::size_t i = 0; i < StateTransition::kFields; ++i) {
    std::printf("%-20s %s\n", std::string(StateTransition::kFieldNames[i]).c_str(),
                ((*t).*StateTransition::kMembers[i]).hex().c_str());
  }
  return 0;
}

int run_conformance_kip21(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "basalt: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream buf;
  buf << f.rdbuf();
  auto report = basalt::conformance::run_kip21_conformance(buf.str());
  if (!report.file_error.empty()) {
    std::cerr << "basalt: " << path << ": " << report.file_error << "\n";
    return 2;
  }
  basalt::conformance::print_report(report, std::cout);
  return report.failed == 0 ? 0 : 1;
}

// The subcommands, by group: each registers its options (kept here, so they outlive the parse) and
// the action CLI11 runs when the subcommand is chosen; the action's exit code lands in `code`.
class Commands {
 public:
  int code = 0;

  void add(CLI::App& app) {
    add_conformance(app);
    add_vm(app);
    add_sim(app);
    add_dag(app);
    add_exec(app);
    add_settle(app);
    auto* bench = app.add_subcommand("bench", "measure basalt's performance");
    bench->require_subcommand(1);
    add_bench(*bench);
    add_journal(app);
    add_node(app);
    add_tx(app);
    add_key(app);
    add_guest(app);
    add_app(app);
    add_queries(app);
    add_da(app);
  }

 private:
  void add_conformance(CLI::App& app);
  void add_vm(CLI::App& app);
  void add_sim(CLI::App& app);
  void add_dag(CLI::App& app);
  void add_exec(CLI::App& app);
  void add_settle(CLI::App& app);
  void add_bench(CLI::App& bench);
  void add_bench_nodes(CLI::App& bench);
  void add_journal(CLI::App& app);
  void add_node(CLI::App& app);
  void add_tx(CLI::App& app);
  void add_key(CLI::App& app);
  void add_guest(CLI::App& app);
  void add_app(CLI::App& app);
  void add_queries(CLI::App& app);
  void add_da(CLI::App& app);
  void add_tx_load(CLI::App& tx);
  void add_tx_claim(CLI::App& tx);

  const std::string guests_ = basalt::cli::guest_dir();
  std::string vectors_path_;
  basalt::cli::VmRunOptions run_opts_;
  std::string image_elf_;
  basalt::cli::VmBenchOptions bench_vm_opts_{guests_, 3};
  SimRunOptions sim_opts_;
  basalt::cli::SimServeOptions serve_opts_;
  basalt::cli::BenchFollowOptions bench_follow_opts_;
  std::string serve_network_ = "devnet";
  std::string key_file_, key_network_ = "simnet";
  std::uint64_t bench_sim_blocks_ = 2000;
  basalt::dag::SimulationParams dag_params_;
  std::uint64_t delta_ = 500, gamma_ = 50;
  std::string dag_file_;
  basalt::cli::DagCutOptions cut_opts_;
  std::string mu_text_;
  basalt::cli::ExecOptions exec_opts_;
  bool exec_json_ = false;
  bool exec_no_sync_ = false;
  basalt::cli::BenchExecOptions bench_exec_opts_;
  basalt::cli::SettleOptions settle_opts_;
  basalt::cli::BenchProveOptions bench_prove_opts_;
  basalt::cli::BenchApiOptions bench_api_opts_;
  basalt::cli::BenchMemoryOptions bench_memory_opts_;
  std::string journal_hex_;
  std::string node_config_;
  bool rebuild_index_ = false;
  std::string sync_from_;
  basalt::cli::TxBuildOptions build_opts_;
  std::string tx_api_, tx_hex_, tx_id_, wait_for_;
  double tx_timeout_ = 60;
  basalt::client::LoadOptions load_opts_;
  basalt::cli::GuestBuildOptions guest_build_opts_;
  basalt::cli::TxClaimOptions claim_opts_;
  basalt::cli::AppTryOptions app_try_opts_;
  std::string query_api_, state_id_, state_at_ = "committed", l1_address_;
  double status_wait_ = 0;
  bool load_json_ = false;
  basalt::cli::DaActivityOptions da_activity_opts_;
  basalt::cli::DaSnapshotOptions da_snapshot_opts_;
};

void Commands::add_conformance(CLI::App& app) {
  auto* conformance = app.add_subcommand("conformance", "check basalt against golden vectors");
  conformance->require_subcommand(1);
  auto* kip21 = conformance->add_subcommand(
      "kip21", "evaluate every vector of a KIP-21 vector file; prints PASS/FAIL/SKIP per vector");
  kip21->add_option("vectors", vectors_path_, "path to kip21-vectors.json")->required();
  kip21->callback([this] { code = run_conformance_kip21(vectors_path_); });
}

void Commands::add_vm(CLI::App& app) {
  auto* vm = app.add_subcommand("vm", "run RISC-V guests in basalt's VM");
  vm->require_subcommand(1);
  auto* vm_run = vm->add_subcommand(
      "run", "run a guest ELF; its stdout passes through, the report goes to stderr");
  vm_run->add_option("elf", run_opts_.elf_path, "guest ELF (RV32IM, static)")->required();
  vm_run->add_option("--input", run_opts_.input_path,
                     "file whose bytes form the guest's input stream");
  vm_run->add_option("--journal", run_opts_.journal_path, "write the guest's journal to this file");
  vm_run->add_option("--max-cycles", run_opts_.max_cycles, "cycle limit (default 2^32)");
  vm_run->add_option("--memory-limit", run_opts_.memory_limit,
                     "bytes of image and heap (default 64 MiB)");
  vm_run->add_flag("--json", run_opts_.json,
                   "print one JSON report on stdout, guest output included as hex");
  vm_run->add_flag("--interpret", run_opts_.interpret,
                   "run on the interpreter alone (the reference; same result, slower)");
  vm_run->callback([this] { code = basalt::cli::vm_run(run_opts_); });
  auto* vm_image = vm->add_subcommand("image-id", "print the image id of a guest ELF");
  vm_image->add_option("elf", image_elf_, "guest ELF")->required();
  vm_image->callback([this] { code = basalt::cli::vm_image_id(image_elf_); });
}

void Commands::add_sim(CLI::App& app) {
  auto* sim = app.add_subcommand("sim", "the embedded Kaspa L1 simulator");
  sim->require_subcommand(1);
  auto* sim_run = sim->add_subcommand(
      "run", "produce a seeded BlockDAG and optionally export its chain as JSON");
  sim_run->add_option("--seed", sim_opts_.params.seed, "PRNG seed (default 1)");
  sim_run->add_option("--blocks", sim_opts_.blocks,
                      "length of the final selected chain (default 100)");
  sim_run->add_option("--lanes", sim_opts_.params.lanes, "user lanes (default 4)");
  sim_run->add_option("--tx-rate", sim_opts_.params.tx_per_block,
                      "lane transactions per block (default 10)");
  sim_run->add_option("--finality-depth", sim_opts_.params.finality_depth,
                      "F in blue score (default 100)");
  sim_run->add_option("--reorg-every", sim_opts_.params.reorg_every,
                      "a seeded reorg after every K steps (default never)");
  sim_run->add_option("--reorg-depth", sim_opts_.params.reorg_depth,
                      "random reorgs replace 1..D chain blocks (D < F)");
  sim_run->add_option("--export", sim_opts_.export_path,
                      "write the chain, mergesets and lane proofs as JSON");
  sim_run->callback([this] { code = run_sim(sim_opts_); });

  auto* serve = sim->add_subcommand(
      "serve",
      "serve the simulator as a devnet L1 over kaspad's gRPC protocol, one block per "
      "interval, until SIGINT or SIGTERM");
  serve->add_option("--listen", serve_opts_.listen,
                    "host:port (default 127.0.0.1 and kaspad's gRPC port: 16610 devnet, 16510 "
                    "simnet)");
  serve->add_option("--network", serve_network_, "devnet (default) or simnet");
  serve->add_option("--data-dir", serve_opts_.data_dir,
                    "where its journal is kept; a restart serves the same chain "
                    "(default basalt-sim-data)");
  serve->add_option("--app", serve_opts_.app,
                    "counter (default), token or a guest ELF: whose receipts OpZkPrecompile "
                    "verifies and whose seeded users transact");
  serve->add_option("--seed", serve_opts_.seed, "as [sim] seed (default 1)");
  serve->add_option("--finality-depth", serve_opts_.finality_depth, "F (default 100)");
  serve->add_option("--reorg-every", serve_opts_.reorg_every, "as [sim] reorg_every (default 0)");
  serve->add_option("--reorg-depth", serve_opts_.reorg_depth, "as [sim] reorg_depth (default 3)");
  serve->add_option("--users-tx-per-block", serve_opts_.users_tx_per_block,
                    "seeded app users on the app's lane, as [sim] users_tx_per_block (default 0)");
  serve->add_option("--block-interval-ms", serve_opts_.block_interval_ms,
                    "wall time per block (default 100)");
  serve->add_option("--blocks", serve_opts_.blocks,
                    "stop producing blocks after this many and keep serving (default: never stop)");
  serve->add_option("--faucet-key-out", serve_opts_.faucet_key_out,
                    "write the faucet's secret key (hex, a development key) to this file");
  serve->add_flag(
      "--no-sync", [this](std::int64_t) { serve_opts_.sync = false; },
      "do not fsync each journal record");
  serve->callback([this] {
    auto network = basalt::kaspa::parse_network(serve_network_);
    if (!network.ok()) {
      std::cerr << "basalt: --network: " << network.error().context() << "\n";
      code = 2;
      return;
    }
    serve_opts_.network = *network;
    if (serve_opts_.guest_dir.empty()) serve_opts_.guest_dir = guests_;
    code = basalt::cli::run_sim_serve(serve_opts_, std::cerr);
  });
}

void Commands::add_dag(CLI::App& app) {
  auto* dag = app.add_subcommand("dag", "the computation DAG and pruning-safety rules");
  dag->require_subcommand(1);
  auto* dag_sim = dag->add_subcommand(
      "simulate", "seeded synthetic workload; storage and scope per window of rounds");
  dag_sim->add_option("--seed", dag_params_.seed, "PRNG seed (default 1)");
  dag_sim->add_option("--vprogs", dag_params_.vprogs, "number of vProgs (default 8)");
  dag_sim->add_option("--accounts", dag_params_.accounts_per_vprog,
                      "accounts per vProg (default 32)");
  dag_sim->add_option("--tx-rate", dag_params_.tx_per_round, "transactions per round (default 20)");
  dag_sim->add_option("--cross-read", dag_params_.cross_read_permille,
                      "cross-vProg read chance per mille (default 200)");
  dag_sim->add_option("--proof-interval", dag_params_.proof_interval,
                      "rounds between proofs of one vProg (default 50)");
  dag_sim->add_option("--delta", delta_, "the delta rule in rounds; 0 disables it (default 500)");
  dag_sim->add_option("--gamma", gamma_, "the gamma rule in rounds; 0 disables it (default 50)");
  dag_sim->add_option("--pruning-depth", dag_params_.pruning_depth,
                      "rounds kept below the tip (default 2000)");
  dag_sim->add_option("--rounds", dag_params_.rounds, "rounds to simulate (default 5000)");
  dag_sim->add_option("--window", dag_params_.window, "rounds per table row (default 500)");
  dag_sim->callback([this] {
    dag_params_.delta = delta_ ? std::optional<std::uint64_t>(delta_) : std::nullopt;
    dag_params_.gamma = gamma_ ? std::optional<std::uint64_t>(gamma_) : std::nullopt;
    if (dag_params_.vprogs == 0 || dag_params_.accounts_per_vprog == 0 || dag_params_.window == 0) {
      std::cerr << "basalt: --vprogs, --accounts and --window must be positive\n";
      code = 2;
      return;
    }
    code = run_dag_simulate(dag_params_);
  });
  auto* dag_scope = dag->add_subcommand(
      "scope", "scope and execution set of a query transaction (JSON file, docs/dag.md)");
  dag_scope->add_option("file", dag_file_, "DAG and query (JSON)")->required();
  dag_scope->callback([this] { code = basalt::cli::dag_scope(dag_file_, std::cout); });
  auto* dag_cut = dag->add_subcommand(
      "cut", "minimum witness cut of a query transaction (or weighted, or the trade-off frontier)");
  dag_cut->add_option("file", dag_file_, "DAG and query (JSON)")->required();
  dag_cut->add_option("--mu", mu_text_, "weighted cut at exchange rate mu (an integer or p/q)");
  dag_cut->add_flag("--frontier", cut_opts_.frontier, "every point of the cost trade-off");
  dag_cut->callback([this] {
    if (!mu_text_.empty()) {
      basalt::dag::Ratio mu;
      const auto slash = mu_text_.find('/');
      try {
        mu.num = std::stoll(mu_text_.substr(0, slash));
        mu.den = slash == std::string::npos ? 1 : std::stoll(mu_text_.substr(slash + 1));
      } catch (const std::exception&) {
        mu.den = 0;
      }
      if (mu.den <= 0 || mu.num < 0) {
        std::cerr << "basalt: --mu must be a non-negative integer or fraction p/q\n";
        code = 2;
        return;
      }
      cut_opts_.mu = mu;
    }
    code = basalt::cli::dag_cut(dag_file_, cut_opts_, std::cout);
  });
}

void Commands::add_exec(CLI::App& app) {
  exec_opts_.guest_dir = guests_;
  auto* exec = app.add_subcommand(
      "exec", "follow an app lane on the simulator, execute and commit it (resumes after a kill)");
  exec->add_option("--sim-seed", exec_opts_.sim_seed, "simulator and user seed (default 1)");
  exec->add_option("--blocks", exec_opts_.blocks, "chain blocks to follow (default 100)");
  exec->add_option("--app", exec_opts_.app,
                   "counter, token, or a path to a transaction-processor guest ELF");
  exec->add_option("--threads", exec_opts_.threads, "execution threads (default: the core count)");
  exec->add_option("--data-dir", exec_opts_.data_dir,
                   "data directory (the state store, the embedded L1's journal)")
      ->required();
  exec->add_option("--tx-per-block", exec_opts_.tx_per_block,
                   "user transactions per produced block (default 10)");
  exec->add_option("--invalid-permille", exec_opts_.invalid_permille,
                   "share of deliberately invalid transactions, per mille (default 50)");
  exec->add_option("--accounts", exec_opts_.accounts, "counters or token holders (default 1000)");
  exec->add_option("--reorg-every", exec_opts_.reorg_every,
                   "simulator steps between random reorgs (default 0: none)");
  exec->add_option("--reorg-depth", exec_opts_.reorg_depth, "deepest random reorg (default 3)");
  exec->add_option("--report-every", exec_opts_.report_every,
                   "print the state root every this many batches (default 0: only at the end)");
  exec->add_option("--guest-dir", exec_opts_.guest_dir, "where the built-in app guests are");
  exec->add_flag("--no-sync", exec_no_sync_,
                 "do not fsync each commit (survives a killed process, not a power loss)");
  exec->add_flag("--json", exec_json_, "print the summary as JSON");
  exec->callback([this] {
    exec_opts_.sync = !exec_no_sync_;
    auto r = basalt::cli::run_exec(exec_opts_, std::cerr);
    if (!r.ok()) {
      std::cerr << "basalt: " << r.error().to_string() << "\n";
      code = 1;
      return;
    }
    basalt::cli::print_exec_summary(*r, exec_json_, std::cout);
  });
}

void Commands::add_settle(CLI::App& app) {
  settle_opts_.guest_dir = guests_;
  auto* settle = app.add_subcommand(
      "settle",
      "execute, prove (re-execution receipts: not succinct, not zero-knowledge) and settle an "
      "app through its covenant on the simulator");
  settle->add_option("--sim-seed", settle_opts_.sim_seed, "simulator and user seed (default 1)");
  settle->add_option("--blocks", settle_opts_.blocks,
                     "chain blocks to run; then the settlement in flight finishes (default 100)");
  settle->add_option("--app", settle_opts_.app, "counter or token (default counter)");
  settle->add_option("--bundle-size", settle_opts_.bundle_size,
                     "batches per aggregate receipt and settlement (default 4)");
  settle->add_option("--threads", settle_opts_.threads,
                     "execution and proving threads (default 2)");
  settle->add_option("--tx-per-block", settle_opts_.tx_per_block,
                     "user transactions per produced block (default 10)");
  settle->add_option("--reorg-every", settle_opts_.reorg_every,
                     "simulator steps between random reorgs (default 0: none)");
  settle->add_option("--reorg-depth", settle_opts_.reorg_depth, "deepest random reorg (default 3)");
  settle->add_option("--guest-dir", settle_opts_.guest_dir, "where the built-in guests are");
  settle->add_flag("--json", settle_opts_.json, "print settlements and the summary as JSON");
  settle->callback([this] {
    auto r = basalt::cli::run_settle(settle_opts_, std::cout, std::cerr);
    if (!r.ok()) {
      std::cerr << "basalt: " << r.error().to_string() << "\n";
      code = 1;
      return;
    }
    basalt::cli::print_settle_summary(*r, settle_opts_.json, std::cout);
  });
}

void Commands::add_bench(CLI::App& bench) {
  auto* bench_vm =
      bench.add_subcommand("vm", "guest instructions per second, against qemu-riscv32");
  bench_vm->add_option("--guest-dir", bench_vm_opts_.guest_dir,
                       "directory of the benchmark guest ELFs");
  bench_vm->add_option("--repeat", bench_vm_opts_.repeat,
                       "runs per figure; the median is printed (default 3)");
  bench_vm->callback([this] { code = basalt::cli::bench_vm(bench_vm_opts_); });
  auto* bench_sim = bench.add_subcommand(
      "sim", "simulated chain blocks per second at 10/100 lanes x 100/1000 txs");
  bench_sim->add_option("--blocks", bench_sim_blocks_,
                        "chain blocks per configuration (default 2000)");
  bench_sim->callback([this] { code = run_bench_sim(bench_sim_blocks_); });
  auto* bench_follow = bench.add_subcommand(
      "follow",
      "chain blocks and lane transactions per second followed in process and over "
      "kaspad's gRPC from a served simulator, same run");
  bench_follow->add_option("--blocks", bench_follow_opts_.blocks,
                           "chain blocks of the catch-up (default 10000)");
  bench_follow->add_option("--tx-per-block", bench_follow_opts_.tx_per_block,
                           "lane transactions per chain block (default 100)");
  bench_follow->callback(
      [this] { code = basalt::cli::bench_follow(bench_follow_opts_, std::cout); });
  auto* bench_dag = bench.add_subcommand(
      "dag", "scope and witness-cut time on DAGs of 10^4-10^6 vertices; storage under delta/gamma");
  bench_dag->callback([this] { code = basalt::cli::bench_dag(std::cout); });
  bench_exec_opts_.guest_dir = guests_;
  auto* bench_exec = bench.add_subcommand(
      "exec", "transactions per second through execution and commit, and state size per account");
  bench_exec->add_option("--app", bench_exec_opts_.apps, "counter, token (default: both)");
  bench_exec->add_option("--accounts", bench_exec_opts_.accounts,
                         "accounts in the state (default 100000)");
  bench_exec->add_option("--blocks", bench_exec_opts_.blocks, "chain blocks (default 20)");
  bench_exec->add_option("--tx-per-block", bench_exec_opts_.tx_per_block,
                         "transactions per produced block (default 2000)");
  bench_exec->add_option("--threads", bench_exec_opts_.threads,
                         "thread counts to compare (default 1 2)");
  bench_exec->add_flag("--no-sync", bench_exec_opts_.no_sync, "do not fsync each commit");
  bench_exec->callback([this] { code = basalt::cli::bench_exec(bench_exec_opts_, std::cout); });
  add_bench_nodes(bench);
}

// The benchmarks that run the prover or a whole node.
void Commands::add_bench_nodes(CLI::App& bench) {
  bench_prove_opts_.guest_dir = guests_;
  auto* bench_prove = bench.add_subcommand(
      "prove",
      "receipts per second and verification cost per stage, settlement latency (re-execution "
      "receipts)");
  bench_prove->add_option("--app", bench_prove_opts_.app, "counter or token (default counter)");
  bench_prove->add_option("--blocks", bench_prove_opts_.blocks, "chain blocks (default 60)");
  bench_prove->add_option("--tx-per-block", bench_prove_opts_.tx_per_block,
                          "user transactions per produced block (default 50)");
  bench_prove->add_option("--bundle-size", bench_prove_opts_.bundle_size,
                          "batches per aggregate (default 4)");
  bench_prove->add_option("--threads", bench_prove_opts_.threads, "threads (default 2)");
  bench_prove->callback([this] { code = basalt::cli::bench_prove(bench_prove_opts_, std::cout); });
  bench_api_opts_.guest_dir = guests_;
  auto* bench_api = bench.add_subcommand(
      "api", "the node's API under a slow-client attack: /v1/status answered, and how fast");
  bench_api->add_option("--slow-clients", bench_api_opts_.slow_clients,
                        "slow connections (default 300)");
  bench_api->add_option("--seconds", bench_api_opts_.seconds, "seconds per row (default 45)");
  bench_api->add_option("--threads", bench_api_opts_.threads, "server threads (default 128)");
  bench_api->callback([this] { code = basalt::cli::bench_api(bench_api_opts_, std::cout); });
  bench_memory_opts_.guest_dir = guests_;
  auto* bench_memory = bench.add_subcommand(
      "memory", "a node's resident memory over a long run, against the 10 % bound");
  bench_memory->add_option("--blocks", bench_memory_opts_.blocks, "chain blocks (default 50 000)");
  bench_memory->add_option("--from", bench_memory_opts_.from,
                           "measure the growth from this block (default 10 000)");
  bench_memory->add_option("--every", bench_memory_opts_.every,
                           "sample every this many blocks (default 5 000)");
  bench_memory->add_option("--tx-per-block", bench_memory_opts_.tx_per_block,
                           "seeded transactions per block (default 20)");
  bench_memory->callback(
      [this] { code = basalt::cli::bench_memory(bench_memory_opts_, std::cout); });
}

void Commands::add_journal(CLI::App& app) {
  auto* journal = app.add_subcommand("journal", "settlement journals");
  journal->require_subcommand(1);
  auto* journal_decode = journal->add_subcommand(
      "decode", "print the fields of a 320-byte StateTransition journal given in hex");
  journal_decode->add_option("hex", journal_hex_, "the journal, 640 hex digits")->required();
  journal_decode->callback([this] { code = run_journal_decode(journal_hex_); });
}

void Commands::add_node(CLI::App& app) {
  auto* node = app.add_subcommand(
      "node", "run the node (simulator, execution, prover, HTTP API) until SIGINT/SIGTERM");
  node->add_option("--config", node_config_, "TOML configuration (docs/config.md)")->required();
  node->add_flag("--rebuild-index", rebuild_index_,
                 "rebuild a damaged or lost index from the state store and L1 (the old one is "
                 "kept aside)");
  node->add_option("--sync-from", sync_from_,
                   "mirrors' API URLs, comma-separated: a new data directory starts from the "
                   "newest snapshot whose state the app's covenant holds on L1 and the archived "
                   "activity since (docs/da.md)");
  node->callback([this] {
    code = basalt::cli::run_node(node_config_, guests_, rebuild_index_, sync_from_, std::cerr);
  });
}

void Commands::add_tx(CLI::App& app) {
  auto* tx = app.add_subcommand("tx", "lane transactions through a node's API");
  tx->require_subcommand(1);
  auto* tx_build = tx->add_subcommand(
      "build", "build and sign a lane transaction for the node's app; prints it in hex");
  tx_build->add_option("--api", build_opts_.api, "the node, e.g. http://127.0.0.1:8420")
      ->required();
  tx_build
      ->add_option("--funding-key", build_opts_.funding_key_file,
                   "file with the secret key (hex) whose L1 output pays")
      ->required();
  tx_build->add_option("--fee", build_opts_.fee,
                       "L1 fee in sompi (default: kaspad's minimum relay fee for the mass)");
  tx_build->add_option("--access", build_opts_.accesses,
                       "a declared resource: <64 hex>[:r|:w] (w: read and write; repeatable)");
  tx_build->add_option("--data", build_opts_.data_hex, "app data (hex)");
  tx_build->add_option("--json", build_opts_.json_file,
                       "access list and app data from JSON: {\"accesses\": [{\"id\": hex, "
                       "\"write\": bool}], \"data\": hex}");
  tx_build->add_option("--counter", build_opts_.counter,
                       "counter app: increment counter number N (its resource id is derived)");
  tx_build->add_option("--token-op", build_opts_.token_op,
                       "token app: mint, transfer or withdraw (an exit to L1)");
  tx_build->add_option("--token-key", build_opts_.token_key_file,
                       "token app: the signer's key file (the authority for mint)");
  tx_build->add_option("--to", build_opts_.token_to,
                       "token app: the recipient, an address on the node's network (e.g. "
                       "kaspasim:q…) or an x-only key (hex); withdraw: the L1 address paid (P2PK "
                       "or P2SH)");
  tx_build->add_option("--amount", build_opts_.token_amount, "token app: amount");
  tx_build->add_option("--nonce", build_opts_.token_nonce,
                       "token app: the consumed account's next nonce");
  tx_build->callback([this] { code = basalt::cli::tx_build(build_opts_, std::cout, std::cerr); });
  auto* tx_submit =
      tx->add_subcommand("submit", "submit a built transaction (hex, or - for stdin)");
  tx_submit->add_option("--api", tx_api_, "the node")->required();
  tx_submit->add_option("tx", tx_hex_, "the transaction in hex, or -")->required();
  tx_submit->callback(
      [this] { code = basalt::cli::tx_submit(tx_api_, tx_hex_, std::cout, std::cerr); });
  auto* tx_status =
      tx->add_subcommand("status", "a transaction's result; --wait-for follows it to a stage");
  tx_status->add_option("--api", tx_api_, "the node")->required();
  tx_status->add_option("id", tx_id_, "transaction id (hex)")->required();
  tx_status->add_option("--wait-for", wait_for_, "executed, committed, proven or settled");
  tx_status->add_option("--timeout", tx_timeout_, "seconds to wait (default 60)");
  tx_status->callback([this] {
    code = basalt::cli::tx_status(tx_api_, tx_id_, wait_for_, tx_timeout_, std::cout, std::cerr);
  });
  add_tx_claim(*tx);
  add_tx_load(*tx);
}

void Commands::add_tx_claim(CLI::App& tx) {
  auto* claim = tx.add_subcommand(
      "claim", "claim an exit of a settlement on L1 (anyone may: it pays only the exit's address)");
  claim->add_option("--api", claim_opts_.api, "the node")->required();
  claim->add_option("--settlement", claim_opts_.settlement, "the settlement's number");
  claim->add_option("--exit", claim_opts_.exit, "the exit's index in the settlement");
  claim->add_option("--to", claim_opts_.to,
                    "instead of --exit: the first unclaimed exit paying this L1 address");
  claim->add_option("--tx", claim_opts_.tx,
                    "instead of --settlement and --exit: the exit a withdrawal made (its id)");
  claim
      ->add_option("--fee-key", claim_opts_.fee_key_file,
                   "file with the secret key (hex) whose L1 output pays the fee")
      ->required();
  claim->add_option("--fee", claim_opts_.fee,
                    "L1 fee in sompi (default: kaspad's minimum relay fee for the mass)");
  claim->add_flag("--build-only", claim_opts_.build_only,
                  "print the claim in hex (for `tx submit`) instead of submitting it");
  claim->callback([this] { code = basalt::cli::tx_claim(claim_opts_, std::cout, std::cerr); });
}

void Commands::add_key(CLI::App& app) {
  auto* key =
      app.add_subcommand("key", "secret key files: a new one, or one's public key and address");
  key->require_subcommand(1);
  const auto network = [this]() -> std::optional<basalt::kaspa::Network> {
    auto n = basalt::kaspa::parse_network(key_network_);
    if (!n.ok()) {
      std::cerr << "basalt: --network: " << n.error().context() << "\n";
      code = 2;
      return std::nullopt;
    }
    return *n;
  };
  auto* key_new = key->add_subcommand("new", "write a fresh secret key to a new file (mode 0600)");
  key_new->add_option("file", key_file_, "the key file to create")->required();
  key_new->add_option("--network", key_network_,
                      "the network of the address shown: mainnet, testnet-10, devnet or simnet "
                      "(default simnet)");
  key_new->callback([this, network] {
    if (auto n = network()) code = basalt::cli::key_new(key_file_, *n, std::cout, std::cerr);
  });
  auto* key_show = key->add_subcommand("show", "a key file's public key and address");
  key_show->add_option("file", key_file_, "the key file")->required();
  key_show->add_option("--network", key_network_, "as for `key new`");
  key_show->callback([this, network] {
    if (auto n = network()) code = basalt::cli::key_show(key_file_, *n, std::cout, std::cerr);
  });
}

void Commands::add_guest(CLI::App& app) {
  auto* guest = app.add_subcommand("guest", "apps as RISC-V guests: build one with the SDK");
  guest->require_subcommand(1);
  auto* build = guest->add_subcommand(
      "build", "compile and link an app's C sources against the guest SDK (clang and lld)");
  build->add_option("sources", guest_build_opts_.sources, "the app's C files")->required();
  build->add_option("-o,--out", guest_build_opts_.out, "the ELF to write")->required();
  build->add_option("-I,--include", guest_build_opts_.include_dirs, "more include directories");
  build->add_option("--sdk", guest_build_opts_.sdk,
                    "the guest SDK (default: share/basalt/sdk beside this binary)");
  build->add_option("--cc", guest_build_opts_.cc, "the clang to run (default clang)");
  build->callback(
      [this] { code = basalt::cli::guest_build(guest_build_opts_, std::cout, std::cerr); });
}

void Commands::add_app(CLI::App& app) {
  auto* group = app.add_subcommand("app", "an app's operations, tried without a chain");
  group->require_subcommand(1);
  auto* try_ = group->add_subcommand(
      "try", "run one operation through an app as a batch would; prints what it writes");
  app_try_opts_.guest_dir = guests_;
  try_->add_option("app", app_try_opts_.app, "counter, token, or a path to a guest ELF")
      ->required();
  try_->add_option("--access", app_try_opts_.accesses,
                   "a declared resource: <64 hex>[:r|:w] (w: read and write; repeatable)");
  try_->add_option("--data", app_try_opts_.data_hex, "app data (hex)");
  try_->add_option("--state", app_try_opts_.state,
                   "a resource's data before the operation: <64 hex>=<hex> (default: empty)");
  try_->add_option("--input-out", app_try_opts_.input_out,
                   "also write the guest's input here (for `basalt vm run --input`)");
  try_->add_option("--guest-dir", app_try_opts_.guest_dir, "where the built-in apps are");
  try_->add_flag("--json", app_try_opts_.json, "print the outcome as JSON");
  try_->callback([this] { code = basalt::cli::app_try(app_try_opts_, std::cout, std::cerr); });
}

void Commands::add_queries(CLI::App& app) {
  auto* st = app.add_subcommand("status", "where a running node stands: L1, batches, settlement");
  st->add_option("--api", query_api_, "the node")->required();
  st->add_option("--wait", status_wait_, "seconds to wait for the node to answer (default 0)");
  st->callback(
      [this] { code = basalt::cli::status(query_api_, status_wait_, std::cout, std::cerr); });
  auto* l1 = app.add_subcommand("l1", "L1 as a node sees it");
  l1->require_subcommand(1);
  auto* outputs = l1->add_subcommand("outputs", "an address's unspent outputs on L1");
  outputs->add_option("--api", query_api_, "the node")->required();
  outputs->add_option("address", l1_address_, "an address on the node's network")->required();
  outputs->add_option("--wait", status_wait_,
                      "seconds to wait for the address to hold an output (default 0)");
  outputs->callback([this] {
    code = basalt::cli::l1_outputs(query_api_, l1_address_, status_wait_, std::cout, std::cerr);
  });
  auto* state = app.add_subcommand("state", "an app's state through a node's API");
  state->require_subcommand(1);
  auto* get = state->add_subcommand(
      "get", "a resource's value (hex), its proof checked against the batch root the node names");
  get->add_option("--api", query_api_, "the node")->required();
  get->add_option("id", state_id_, "the resource id (64 hex digits)")->required();
  get->add_option("--at", state_at_, "committed (default), settled, or a batch number");
  get->callback([this] {
    code = basalt::cli::state_get(query_api_, state_id_, state_at_, std::cout, std::cerr);
  });
}

void Commands::add_da(CLI::App& app) {
  auto* da = app.add_subcommand("da", "data availability: what mirrors keep and serve");
  da->require_subcommand(1);
  auto* activity = da->add_subcommand(
      "activity", "download a node's lane-activity archive, check it and anchor it on L1");
  basalt::cli::DaActivityOptions& o = da_activity_opts_;
  activity->add_option("--api", o.api, "the node (a mirror)")->required();
  activity->add_option("--from", o.from, "the first batch (default 1)")->check(CLI::PositiveNumber);
  activity->add_option("--count", o.count, "batches at most (default 256)")
      ->check(CLI::PositiveNumber);
  activity->add_option("--l1", o.l1,
                       "kaspad's (or `basalt sim serve`'s) gRPC host:port: both ends are compared "
                       "with its headers and lane proofs");
  activity->callback(
      [this] { code = basalt::cli::da_activity(da_activity_opts_, std::cout, std::cerr); });
  auto* snapshot = da->add_subcommand(
      "snapshot", "download a settled snapshot from a mirror, check its chunks and state root");
  basalt::cli::DaSnapshotOptions& so = da_snapshot_opts_;
  snapshot->add_option("--api", so.api, "the node (a mirror)")->required();
  snapshot->add_option("--batch", so.batch, "the snapshot's batch (default: the newest)");
  snapshot->add_option(
      "--root", so.root,
      "the state root expected, 64 hex digits (e.g. the state the covenant holds)");
  snapshot->callback(
      [this] { code = basalt::cli::da_snapshot(da_snapshot_opts_, std::cout, std::cerr); });
}

void Commands::add_tx_load(CLI::App& tx) {
  auto* tx_load = tx.add_subcommand(
      "load", "concurrent users submitting app transactions (some invalid on purpose)");
  tx_load->add_option("--api", load_opts_.api, "the node")->required();
  tx_load
      ->add_option("--funding-key", load_opts_.funding_key_file,
                   "key file whose outputs fund the users (one output each)")
      ->required();
  tx_load->add_option("--users", load_opts_.users, "concurrent users (default 32)");
  tx_load->add_option("--seconds", load_opts_.seconds,
                      "how long to submit (default 30; the limit with --until-settled)");
  tx_load->add_option("--until-settled", load_opts_.until_settled,
                      "stop once the node has confirmed this many settlements");
  tx_load->add_option("--max-txs", load_opts_.max_txs, "stop after this many (default: no limit)");
  tx_load->add_option("--invalid-permille", load_opts_.invalid_permille,
                      "share of deliberately invalid transactions (default 100)");
  tx_load->add_option("--seed", load_opts_.seed, "user keys and choices (default 1)");
  tx_load->add_option("--progress-every", load_opts_.progress_every_s,
                      "print the node's pipeline every this many seconds (default 0: never)");
  tx_load->add_option("--label", load_opts_.label, "prefix of the progress lines");
  tx_load->add_flag("--json", load_json_, "print the report as JSON");
  tx_load->callback([this] {
    auto r = basalt::client::run_load(load_opts_, std::cerr);
    if (!r.ok()) {
      std::cerr << "basalt: " << r.error().to_string() << "\n";
      code = 2;
      return;
    }
    if (load_json_) {
      std::cout << basalt::client::load_report_json(*r).dump() << "\n";
    } else {
      basalt::cli::print_load_report(*r, std::cout);
    }
    const bool clean =
        r->unexpected == 0 && r->lost == 0 && r->http_errors == 0 && !r->settled_target_missed;
    code = clean ? 0 : 1;
  });
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CLI::App app{"basalt: a runtime for based apps (vProgs) on Kaspa"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "basalt 0.1.0");
    Commands commands;
    commands.add(app);
    try {
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --version
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      // A usage error is exit code 2 like any other (docs/cli.md), whatever CLI11 numbers it.
      std::cerr << "basalt: " << e.what() << " (--help lists the flags)\n";
      return 2;
    }
    return commands.code;
  } catch (const nlohmann::json::exception& e) {
    // A node's answer of another shape than its API documents: outside input, not a bug here.
    std::cerr << "basalt: the node's answer is malformed: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "basalt: fatal: " << e.what() << "\n";
    return 3;
  }
}
