// Verified snapshot sync from several mirrors (docs/da.md): the newest snapshot whose state the
// caller's L1 check accepts (the state the app's covenant holds), its chunks taken from every
// mirror that offers the same manifest side by side, each checked against the manifest as it
// arrives. A mirror that sends what does not check out (a chunk that is not the manifest's, a
// manifest for the chosen batch with another root, chunks that do not make the manifest's root)
// is named and no longer asked. Verified chunks are kept in a cache directory, so a sync that
// stops goes on where it stopped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "da/snapshot.hpp"

namespace basalt::client {

struct SnapshotSyncOptions {
  std::vector<std::string> mirrors;  // API URLs
  std::filesystem::path cache;       // verified manifests and chunks, by batch
  // Whether L1's covenant holds this state now. Errors: L1 could not be asked.
  std::function<core::Result<bool>(const core::Hash32& root, const kaspa::LaneTip& lane_tip)> on_l1;
  // Each warning, naming the mirror (unreachable, lying); and progress in chunks.
  std::function<void(const std::string&)> warn = [](const std::string&) {};
  std::function<void(std::size_t done, std::size_t total)> progress = [](std::size_t, std::size_t) {
  };
};

struct SyncedSnapshot {
  da::SnapshotManifest manifest;
  da::SnapshotState state;
  std::vector<std::string> liars;  // mirrors named for sending what did not check out
};

// Errors: kNotFound when no mirror offers a snapshot whose state L1 holds; kUnavailable when
// the mirrors that offered it could not give every chunk (a later call resumes); L1's errors.
core::Result<SyncedSnapshot> sync_snapshot(const SnapshotSyncOptions& options);

}  // namespace basalt::client
