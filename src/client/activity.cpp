#include "client/activity.hpp"

#include <algorithm>
#include <string>

#include "kaspa/seq_commit.hpp"

namespace basalt::client {

using core::Error;
using core::ErrorCode;
using nlohmann::json;

namespace {

// What one answer holds at most (docs/api.md).
constexpr std::uint64_t kPage = 256;

core::Result<kaspa::LaneId> lane_of(const json& body) {
  const std::string hex = body.value("lane", "");
  auto lane = kaspa::LaneId::from_hex(hex);
  if (!lane.ok()) return Error{ErrorCode::kInvalid, "the node names no lane: \"" + hex + "\""};
  return *lane;
}

// One page of records, decoded; appended to `out`. Returns how many came.
core::Result<std::size_t> fetch_page(const ApiClient& api, std::uint64_t from, std::uint64_t count,
                                     FetchedActivity& out) {
  const std::string path =
      "/v1/da/activity?from=" + std::to_string(from) + "&count=" + std::to_string(count);
  BASALT_ASSIGN_OR_RETURN(const auto reply, api.get(path));
  const auto& [code, body] = reply;
  if (code == 404) return Error{ErrorCode::kNotFound, body.value("error", "no such records")};
  if (code != 200)
    return Error{ErrorCode::kUnavailable, "GET " + path + ": HTTP " + std::to_string(code)};
  if (!body.contains("records") || !body["records"].is_array())
    return Error{ErrorCode::kInvalid, "GET " + path + ": no records"};
  BASALT_ASSIGN_OR_RETURN(out.lane, lane_of(body));
  out.activity_window = body.value("activity_window", 0ull);
  std::size_t n = 0;
  for (const json& r : body["records"]) {
    const std::uint64_t batch = from + n;
    auto bytes = r.is_string() ? core::from_hex(r.get<std::string>())
                               : core::Result<core::Bytes>(Error{ErrorCode::kInvalid, "not hex"});
    auto record = bytes.ok() ? da::decode_activity_record(*bytes)
                             : core::Result<da::ActivityRecord>(bytes.error());
    if (!record.ok()) {
      return Error{ErrorCode::kInvalid, "the record of batch " + std::to_string(batch) + ": " +
                                            record.error().to_string()};
    }
    out.records.push_back(std::move(*record));
    ++n;
  }
  return n;
}

}  // namespace

core::Result<FetchedActivity> fetch_activity(const ApiClient& api, std::uint64_t from,
                                             std::uint64_t count) {
  FetchedActivity out;
  while (out.records.size() < count) {
    const std::uint64_t want = std::min<std::uint64_t>(kPage, count - out.records.size());
    auto got = fetch_page(api, from + out.records.size(), want, out);
    // The end of what the node holds: a page of nothing after some pages.
    if (!got.ok() && got.error().code() == ErrorCode::kNotFound && !out.records.empty()) break;
    if (!got.ok()) return got.error();
    if (*got < want) break;
  }
  if (out.activity_window == 0)
    return Error{ErrorCode::kInvalid, "the node names no activity window"};
  BASALT_ASSIGN_OR_RETURN(out.checked,
                          da::check_activity(out.lane, out.activity_window, out.records));
  return out;
}

core::Status check_on_l1(const l1::ChainSource& l1, const kaspa::LaneId& lane,
                         const da::ActivityPoint& point) {
  const auto differs = [&](const std::string& what) {
    return Error{ErrorCode::kVerifyFailed, "batch " + std::to_string(point.batch) + " (block " +
                                               point.block.hex() + "): " + what};
  };
  BASALT_ASSIGN_OR_RETURN(const l1::BlockHeader h, l1.header(point.block));
  if (h.accepted_id_merkle_root != point.seq_commit) {
    return differs("L1's header has SeqCommit " + h.accepted_id_merkle_root.hex() +
                   ", the archive " + point.seq_commit.hex());
  }
  BASALT_ASSIGN_OR_RETURN(const l1::LaneProof p, l1.lane_proof(point.block, kaspa::lane_key(lane)));
  const bool same =
      point.lane ? p.lane_tip == point.lane->tip && p.lane_blue_score == point.lane->last_blue_score
                 : !p.lane_tip.has_value();
  if (!same) return differs("L1's lane proof shows another lane state than the archive");
  return core::Status::Ok();
}

}  // namespace basalt::client
