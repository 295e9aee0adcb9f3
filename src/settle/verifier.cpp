#include "settle/verifier.hpp"

#include "crypto/sha256.hpp"
#include "zk/receipt.hpp"

namespace basalt::settle {

std::string ReceiptVerifier::verify(std::uint8_t tag, const kaspa::Hash32& image_id,
                                    const kaspa::Hash32& journal_digest,
                                    core::ByteSpan proof) const {
  if (tag != kaspa::kZkTagBasaltReexec) return "not a basalt receipt tag";
  core::Bytes claim(image_id.bytes.begin(), image_id.bytes.end());
  claim.insert(claim.end(), journal_digest.bytes.begin(), journal_digest.bytes.end());
  claim.insert(claim.end(), proof.begin(), proof.end());
  const core::Hash32 key = crypto::sha256(claim);
  {
    std::lock_guard lock(mutex_);
    if (verified_.count(key)) {
      ++hits_;
      return {};
    }
  }
  auto receipt = zk::decode_receipt(proof);
  if (!receipt.ok()) return "receipt: " + receipt.error().to_string();
  if (receipt->image_id != vm::ImageId(image_id)) {
    return "receipt for image " + receipt->image_id.hex() + ", the covenant pins " + image_id.hex();
  }
  if (zk::journal_digest(receipt->journal) != journal_digest)
    return "the receipt's journal is not the journal the covenant rebuilt";
  if (auto st = system_.verify(*receipt, vm::ImageId(image_id)); !st.ok())
    return st.error().context();
  std::lock_guard lock(mutex_);
  if (verified_.insert(key).second) order_.push_back(key);
  if (order_.size() > kRemembered) {
    verified_.erase(order_.front());
    order_.pop_front();
  }
  return {};
}

std::uint64_t ReceiptVerifier::remembered_hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

}  // namespace basalt::settle
