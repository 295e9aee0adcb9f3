#include "client/snapshot.hpp"

#include <algorithm>
#include <string>

namespace basalt::client {

using core::Error;
using core::ErrorCode;
using nlohmann::json;

core::Result<std::vector<std::uint64_t>> snapshot_batches(const ApiClient& api) {
  BASALT_ASSIGN_OR_RETURN(const auto reply, api.get("/v1/da/snapshots"));
  const auto& [code, body] = reply;
  if (code == 404) return Error{ErrorCode::kNotFound, body.value("error", "no snapshots")};
  if (code != 200)
    return Error{ErrorCode::kUnavailable, "GET /v1/da/snapshots: HTTP " + std::to_string(code)};
  if (!body.contains("snapshots") || !body["snapshots"].is_array())
    return Error{ErrorCode::kInvalid, "GET /v1/da/snapshots: no list of snapshots"};
  std::vector<std::uint64_t> out;
  for (const json& s : body["snapshots"]) {
    if (!s.is_object() || !s.contains("batch") || !s["batch"].is_number_unsigned())
      return Error{ErrorCode::kInvalid, "GET /v1/da/snapshots: a snapshot without its batch"};
    out.push_back(s["batch"].get<std::uint64_t>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

core::Result<FetchedSnapshot> fetch_snapshot(const ApiClient& api, std::uint64_t batch) {
  const std::string base = "/v1/da/snapshots/" + std::to_string(batch);
  BASALT_ASSIGN_OR_RETURN(const core::Bytes bytes, api.get_bytes(base + "/manifest"));
  auto manifest = da::decode_manifest(bytes);
  if (!manifest.ok())
    return Error{ErrorCode::kInvalid, "the manifest of snapshot " + std::to_string(batch) + ": " +
                                          manifest.error().to_string()};
  if (manifest->batch != batch)
    return Error{ErrorCode::kInvalid, "asked for the snapshot of batch " + std::to_string(batch) +
                                          ", got one of batch " + std::to_string(manifest->batch)};
  da::SnapshotRebuild rebuild(*manifest);
  for (std::size_t i = 0; i < rebuild.chunks(); ++i) {
    BASALT_ASSIGN_OR_RETURN(const core::Bytes chunk,
                            api.get_bytes(base + "/chunks/" + std::to_string(i)));
    BASALT_TRY(rebuild.add(i, chunk));
  }
  BASALT_ASSIGN_OR_RETURN(da::SnapshotState state, rebuild.finish());
  return FetchedSnapshot{rebuild.manifest(), std::move(state.resources)};
}

}  // namespace basalt::client
