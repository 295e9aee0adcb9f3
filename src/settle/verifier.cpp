#include "settle/verifier.hpp"

#include "zk/receipt.hpp"

namespace basalt::settle {

std::string ReceiptVerifier::verify(std::uint8_t tag, const kaspa::Hash32& image_id,
                                    const kaspa::Hash32& journal_digest,
                                    core::ByteSpan proof) const {
  if (tag != kaspa::kZkTagBasaltReexec) return "not a basalt receipt tag";
  auto receipt = zk::decode_receipt(proof);
  if (!receipt.ok()) return "receipt: " + receipt.error().to_string();
  if (receipt->image_id != vm::ImageId(image_id)) {
    return "receipt for image " + receipt->image_id.hex() + ", the covenant pins " + image_id.hex();
  }
  if (zk::journal_digest(receipt->journal) != journal_digest)
    return "the receipt's journal is not the journal the covenant rebuilt";
  if (auto st = system_.verify(*receipt, vm::ImageId(image_id)); !st.ok())
    return st.error().context();
  return {};
}

}  // namespace basalt::settle
