#include "node/config.hpp"

#include <gtest/gtest.h>

namespace basalt::node {
namespace {

std::string error_of(const std::string& toml) {
  auto c = parse_config(toml);
  EXPECT_FALSE(c.ok()) << toml;
  return c.ok() ? std::string() : c.error().context();
}

TEST(Config, EmptyFileGivesTheDocumentedDefaults) {
  auto c = parse_config("");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->data_dir, "basalt-data");
  EXPECT_EQ(c->app, "counter");
  EXPECT_EQ(c->l1_source, "sim");
  EXPECT_EQ(c->l1_url, "");
  auto k = parse_config("[l1]\nsource = \"kaspad\"\nnetwork = \"mainnet\"\n");
  ASSERT_TRUE(k.ok()) << k.error().to_string();
  EXPECT_EQ(k->l1_url, "127.0.0.1:16110");
  EXPECT_EQ(c->l1_network, kaspa::Network::kSimnet);
  EXPECT_EQ(c->api_host, "127.0.0.1");
  EXPECT_EQ(c->api_port, 8420);
  EXPECT_EQ(c->block_interval_ms, 100u);
  EXPECT_TRUE(c->prover_enabled);
  EXPECT_EQ(c->log_level, LogLevel::kInfo);
  EXPECT_EQ(c->fee_policy, FeePolicy::kNormal);
  EXPECT_EQ(c->da_role, DaRole::kOperator);
  EXPECT_FALSE(c->da_archive);
}

// A mirror keeps the archive and never settles, whatever [settle] would say by default; an
// operator may keep the archive too.
TEST(Config, AMirrorArchivesAndNeverSettles) {
  auto mirror = parse_config("[da]\nrole = \"mirror\"\n");
  ASSERT_TRUE(mirror.ok()) << mirror.error().to_string();
  EXPECT_EQ(mirror->da_role, DaRole::kMirror);
  EXPECT_TRUE(mirror->da_archive);
  EXPECT_FALSE(mirror->settle_enabled);
  auto archiving = parse_config("[da]\narchive = true\n");
  ASSERT_TRUE(archiving.ok());
  EXPECT_EQ(archiving->da_role, DaRole::kOperator);
  EXPECT_TRUE(archiving->da_archive);
  EXPECT_TRUE(archiving->settle_enabled);
  // Snapshots: a mirror keeps two by default, an operator none; the covenant is a mirror's to name.
  EXPECT_EQ(mirror->da_snapshots, 2u);
  EXPECT_FALSE(mirror->da_covenant);
  EXPECT_EQ(archiving->da_snapshots, 0u);
  const std::string id(64, 'a');
  auto watching = parse_config("[da]\nrole = \"mirror\"\ncovenant = \"" + id +
                               "\"\nsnapshots = 5\nsnapshot_chunk = 100\n");
  ASSERT_TRUE(watching.ok()) << watching.error().to_string();
  EXPECT_EQ(watching->da_covenant->hex(), id);
  EXPECT_EQ(watching->da_snapshots, 5u);
  EXPECT_EQ(watching->da_snapshot_chunk, 100u);
}

TEST(Config, EveryKeyIsRead) {
  auto c = parse_config(R"(
[node]
data_dir = "/var/lib/basalt"
log_level = "debug"
threads = 4
sync = false
stop_after_blocks = 500
stop_after_settlements = 0
[app]
name = "token"
guest_dir = "/opt/guests"
[l1]
source = "sim"
network = "devnet"
[sim]
seed = 9
block_interval_ms = 0
finality_depth = 50
reorg_every = 20
reorg_depth = 4
users_tx_per_block = 7
users_invalid_permille = 10
users_accounts = 99
users_exit_permille = 77
[prover]
enabled = false
[settle]
enabled = false
bundle_size = 5
key = "0000000000000000000000000000000000000000000000000000000000000001"
fee_policy = "priority"
fee_bump_after_blocks = 6
confirmations = 7
[api]
listen = "0.0.0.0:9000"
threads = 2
rate_limit_per_second = 0
rate_limit_burst = 3
max_body_bytes = 4096
)");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->data_dir, "/var/lib/basalt");
  EXPECT_EQ(c->log_level, LogLevel::kDebug);
  EXPECT_EQ(c->threads, 4u);
  EXPECT_FALSE(c->sync);
  EXPECT_EQ(c->stop_after_blocks, 500u);
  EXPECT_EQ(c->app, "token");
  EXPECT_EQ(c->guest_dir, "/opt/guests");
  EXPECT_EQ(c->l1_network, kaspa::Network::kDevnet);
  EXPECT_EQ(c->sim_seed, 9u);
  EXPECT_EQ(c->block_interval_ms, 0u);
  EXPECT_EQ(c->finality_depth, 50u);
  EXPECT_EQ(c->reorg_every, 20u);
  EXPECT_EQ(c->reorg_depth, 4u);
  EXPECT_EQ(c->users_tx_per_block, 7u);
  EXPECT_EQ(c->users_invalid_permille, 10u);
  EXPECT_EQ(c->users_accounts, 99u);
  EXPECT_EQ(c->users_exit_permille, 77u);
  EXPECT_FALSE(c->prover_enabled);
  EXPECT_EQ(c->bundle_size, 5u);
  EXPECT_EQ(c->settlement_key.size(), 64u);
  EXPECT_EQ(c->fee_policy, FeePolicy::kPriority);
  EXPECT_FALSE(c->settle_enabled);
  EXPECT_EQ(c->fee_bump_after_blocks, 6u);
  EXPECT_EQ(c->confirmations, 7u);
  EXPECT_EQ(c->api_host, "0.0.0.0");
  EXPECT_EQ(c->api_port, 9000);
  EXPECT_EQ(c->api_threads, 2u);
  EXPECT_EQ(c->rate_limit_per_second, 0u);
  EXPECT_EQ(c->rate_limit_burst, 3u);
  EXPECT_EQ(c->max_body_bytes, 4096u);
}

TEST(Config, AnInvalidFileNamesTheKeyAndTheReason) {
  EXPECT_EQ(error_of("[nodes]\n"), "nodes: unknown section");
  EXPECT_EQ(error_of("node = 3\n"), "node: expected a section ([node])");
  EXPECT_EQ(error_of("[node]\ndatadir = \"x\"\n"), "node.datadir: unknown key");
  EXPECT_EQ(error_of("[node]\ndata_dir = 5\n"), "node.data_dir: expected a string");
  EXPECT_EQ(error_of("[node]\ndata_dir = \"\"\n"), "node.data_dir: must not be empty");
  EXPECT_EQ(error_of("[node]\nthreads = -1\n"), "node.threads: must be between 0 and 256, got -1");
  EXPECT_EQ(error_of("[node]\nthreads = \"4\"\n"), "node.threads: expected an integer");
  EXPECT_EQ(error_of("[node]\nsync = 1\n"), "node.sync: expected true or false");
  EXPECT_EQ(error_of("[node]\nlog_level = \"loud\"\n"),
            "node.log_level: must be one of debug, error, info, warn, got \"loud\"");
  EXPECT_EQ(error_of("[l1]\nsource = \"kaspa\"\n"),
            "l1.source: must be \"sim\" (the embedded simulator) or \"kaspad\" (a kaspad or "
            "`basalt sim serve` at l1.url); got \"kaspa\"");
  EXPECT_EQ(error_of("[l1]\nurl = \"127.0.0.1:1\"\n"), "l1.url: only for source = \"kaspad\"");
  EXPECT_EQ(error_of("[l1]\nnetwork = \"testnet\"\n"),
            "l1.network: unknown network \"testnet\" (mainnet, testnet-10, devnet or simnet)");
  EXPECT_EQ(error_of("[l1]\nnetwork = \"mainnet\"\n"),
            "l1.network: the embedded simulator is a simnet or devnet, not mainnet");
  EXPECT_EQ(error_of("[sim]\nfinality_depth = 1\n"),
            "sim.finality_depth: must be between 2 and 1000000, got 1");
  EXPECT_EQ(error_of("[sim]\nreorg_every = 5\nreorg_depth = 100\n"),
            "sim.reorg_depth: must be below sim.finality_depth");
  EXPECT_EQ(error_of("[sim]\nusers_invalid_permille = 1001\n"),
            "sim.users_invalid_permille: must be between 0 and 1000, got 1001");
  EXPECT_EQ(error_of("[settle]\nkey = \"abc\"\n"),
            "settle.key: must be 64 lower-case hex digits (a secret key)");
  EXPECT_EQ(error_of("[settle]\nfee_policy = \"free\"\n"),
            "settle.fee_policy: must be one of low, normal, priority, got \"free\"");
  EXPECT_EQ(error_of("[settle]\nconfirmations = 100\n"),
            "settle.confirmations: must be below sim.finality_depth");
  EXPECT_EQ(error_of("[node]\nstop_after_settlements = 2\n[prover]\nenabled = false\n"),
            "node.stop_after_settlements: needs settlement: [prover] enabled and [settle] enabled "
            "both true");
  EXPECT_EQ(error_of("[da]\nrole = \"archive\"\n"),
            "da.role: must be one of mirror, operator, got \"archive\"");
  EXPECT_EQ(error_of("[da]\nrole = \"mirror\"\narchive = false\n"),
            "da.archive: a mirror keeps the lane-activity archive: it cannot be false");
  EXPECT_EQ(error_of("[da]\nrole = \"mirror\"\n[settle]\nenabled = true\n"),
            "settle.enabled: a mirror ([da] role = \"mirror\") never settles");
  EXPECT_EQ(error_of("[da]\nretention = 3\n"), "da.retention: unknown key");
  EXPECT_EQ(error_of("[da]\nrole = \"mirror\"\ncovenant = \"abc\"\n"),
            "da.covenant: must be a covenant id, 64 hex digits");
  EXPECT_EQ(error_of("[da]\ncovenant = \"" + std::string(64, '1') + "\"\n"),
            "da.covenant: only for a mirror: an operator's covenant is its own");
  EXPECT_EQ(error_of("[da]\nsnapshot_chunk = 0\n"),
            "da.snapshot_chunk: must be between 1 and 65536, got 0");
  EXPECT_EQ(error_of("[api]\nlisten = \"8420\"\n"), "api.listen: expected host:port, got \"8420\"");
  EXPECT_EQ(error_of("[api]\nlisten = \"127.0.0.1:99999\"\n"),
            "api.listen: the port must be a number from 0 to 65535, got \"99999\"");
  EXPECT_EQ(error_of("[api]\nmax_body_bytes = 10\n"),
            "api.max_body_bytes: must be between 1024 and 67108864, got 10");
}

TEST(Config, ASyntaxErrorGivesItsLine) {
  const std::string e = error_of("[node]\nthreads = 4\ndata_dir = \"unterminated\n");
  EXPECT_EQ(e.rfind("line 3, column ", 0), 0u) << e;
}

TEST(Config, AMissingFileIsAnIoError) {
  auto c = load_config("/nonexistent/basalt.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), core::ErrorCode::kIo);
}

}  // namespace
}  // namespace basalt::node
