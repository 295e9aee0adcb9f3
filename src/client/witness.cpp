#include "client/witness.hpp"

#include <string>

namespace basalt::client {

using core::Error;
using core::ErrorCode;

namespace {

core::Result<core::Bytes> hex_of(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string())
    return Error{ErrorCode::kInvalid, std::string("a witness without ") + key};
  return core::from_hex(j[key].get<std::string>());
}

}  // namespace

core::Result<CheckedWitness> check_witness(const nlohmann::json& w) {
  if (!w.is_object() || !w.contains("batch") || !w["batch"].is_number_unsigned() ||
      !w.contains("resources") || !w["resources"].is_array())
    return Error{ErrorCode::kInvalid, "not a witness: " + w.dump()};
  CheckedWitness out;
  out.batch = w["batch"].get<std::uint64_t>();
  out.settled = w.value("settled", false);
  BASALT_ASSIGN_OR_RETURN(const core::Bytes root, hex_of(w, "root"));
  if (root.size() != 32) return Error{ErrorCode::kInvalid, "a witness root of another size"};
  out.root = core::Hash32::from_span_unchecked(root);
  std::vector<state::ResourceId> ids;
  for (const nlohmann::json& r : w["resources"]) {
    if (!r.is_object()) return Error{ErrorCode::kInvalid, "a witness resource that is not one"};
    BASALT_ASSIGN_OR_RETURN(const core::Bytes id, hex_of(r, "id"));
    BASALT_ASSIGN_OR_RETURN(core::Bytes value, hex_of(r, "value"));
    if (id.size() != 32) return Error{ErrorCode::kInvalid, "a witness id of another size"};
    ids.emplace_back(core::Hash32::from_span_unchecked(id));
    out.resources.emplace_back(ids.back(), std::move(value));
  }
  BASALT_ASSIGN_OR_RETURN(const core::Bytes proof_bytes, hex_of(w, "proof"));
  auto proof = state::MultiProof::decode(ids, proof_bytes);
  if (!proof.ok())
    return Error{ErrorCode::kInvalid, "the witness's proof: " + proof.error().to_string()};
  if (proof->root() != out.root)
    return Error{ErrorCode::kVerifyFailed, "the witness's proof gives root " + proof->root().hex() +
                                               ", not " + out.root.hex()};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (proof->values()[i] != state::value_hash(out.resources[i].second))
      return Error{ErrorCode::kVerifyFailed,
                   "the witness's value of " + ids[i].hex() + " is not the one its proof holds"};
  }
  return out;
}

}  // namespace basalt::client
