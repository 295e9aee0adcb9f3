#include "l1/protowire/wire.hpp"

namespace basalt::l1::protowire {

namespace {

core::Error truncated(const char* what) {
  return core::Error{core::ErrorCode::kInvalid, std::string("protobuf: ") + what};
}

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

core::Result<std::uint64_t> WireReader::varint() {
  // Most varints here (tags, small numbers) are one byte.
  if (pos_ < in_.size() && static_cast<std::uint8_t>(in_[pos_]) < 0x80)
    return static_cast<std::uint8_t>(in_[pos_++]);
  std::uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ == in_.size()) return truncated("a varint runs past the end");
    const auto b = static_cast<std::uint8_t>(in_[pos_++]);
    // The tenth byte holds bit 63 only.
    if (shift == 63 && b > 1) return truncated("a varint beyond 64 bits");
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
  return truncated("a varint beyond 64 bits");
}

core::Result<WireField> WireReader::next() {
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t key, varint());
  WireField f;
  if (key >> 3 == 0 || key >> 3 > 0x1fffffff) return truncated("a field number out of range");
  f.number = static_cast<std::uint32_t>(key >> 3);
  const std::size_t left = in_.size() - pos_;
  switch (key & 7) {
    case 0: {
      f.type = WireType::kVarint;
      BASALT_ASSIGN_OR_RETURN(f.varint, varint());
      return f;
    }
    case 1:
      if (left < 8) return truncated("a fixed64 field runs past the end");
      f.type = WireType::kFixed64;
      pos_ += 8;
      return f;
    case 2: {
      BASALT_ASSIGN_OR_RETURN(const std::uint64_t n, varint());
      if (n > in_.size() - pos_) return truncated("a length-delimited field runs past the end");
      f.type = WireType::kLen;
      f.bytes = in_.substr(pos_, n);
      pos_ += n;
      return f;
    }
    case 5:
      if (left < 4) return truncated("a fixed32 field runs past the end");
      f.type = WireType::kFixed32;
      pos_ += 4;
      return f;
    default:
      return truncated("a group or unknown wire type");
  }
}

void WireWriter::raw_varint(std::uint64_t v) {
  if (v < 0x80) {  // tags and most numbers
    out_.push_back(static_cast<char>(v));
    return;
  }
  char buf[10];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out_.append(buf, n);
}

void WireWriter::varint(std::uint32_t field, std::uint64_t v) {
  raw_varint(std::uint64_t{field} << 3);
  raw_varint(v);
}

void WireWriter::bytes(std::uint32_t field, std::string_view b) {
  raw_varint(std::uint64_t{field} << 3 | 2);
  raw_varint(b.size());
  out_.append(b);
}

void WireWriter::hex(std::uint32_t field, core::ByteSpan b) {
  raw_varint(std::uint64_t{field} << 3 | 2);
  raw_varint(2 * b.size());
  const std::size_t at = out_.size();
  out_.resize(at + 2 * b.size());
  core::to_hex(b, out_.data() + at);
}

void WireWriter::begin(std::uint32_t field) {
  raw_varint(std::uint64_t{field} << 3 | 2);
  out_.push_back('\0');  // the length's first byte; end() makes room for more
  open_.push_back(out_.size());
}

void WireWriter::end() {
  const std::size_t start = open_.back();
  open_.pop_back();
  const std::size_t n = out_.size() - start;
  const std::size_t extra = varint_size(n) - 1;
  if (extra > 0) out_.insert(start, extra, '\0');
  char* p = out_.data() + start - 1;
  std::uint64_t v = n;
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p = static_cast<char>(v);
}

}  // namespace basalt::l1::protowire
