// A node's settled snapshots (GET /v1/da/snapshots…) as a client takes them: the manifest, then
// every chunk checked against it as it arrives, then the whole rebuilt and checked against the
// manifest's state root (da::SnapshotRebuild).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "client/api_client.hpp"
#include "da/snapshot.hpp"

namespace basalt::client {

// The batches of the snapshots the node offers, ascending. Errors: kNotFound when it keeps none;
// kInvalid for an answer that is not a list of batches; kUnavailable.
core::Result<std::vector<std::uint64_t>> snapshot_batches(const ApiClient& api);

struct FetchedSnapshot {
  da::SnapshotManifest manifest;
  std::vector<da::Resource> resources;  // in id order
};

// The snapshot of `batch`, checked. Errors: kNotFound; kInvalid for a manifest that does not
// decode; the rebuild's errors (kVerifyFailed naming a chunk that is not the manifest's, or a state
// root other than the manifest's); kUnavailable.
core::Result<FetchedSnapshot> fetch_snapshot(const ApiClient& api, std::uint64_t batch);

}  // namespace basalt::client
