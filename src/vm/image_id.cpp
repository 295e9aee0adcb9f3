#include "vm/image_id.hpp"

#include <string_view>

#include "core/byte_writer.hpp"
#include "crypto/sha256.hpp"

namespace basalt::vm {

ImageId image_id(const ElfImage& image) {
  static constexpr std::string_view kTag = "basalt.vm.image.v1";
  crypto::Sha256 h;
  core::ByteWriter head;
  head.bytes({reinterpret_cast<const std::uint8_t*>(kTag.data()), kTag.size()});
  head.u32_le(image.entry);
  head.u32_le(static_cast<std::uint32_t>(image.segments.size()));
  h.update(head.data());
  for (const auto& s : image.segments) {
    core::ByteWriter seg;
    seg.u32_le(s.vaddr);
    seg.u32_le(s.memsz);
    seg.u8(s.flags);
    h.update(seg.data());
    h.update(s.data);
  }
  return ImageId(h.finalize());
}

}  // namespace basalt::vm
