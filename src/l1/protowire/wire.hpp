// Protocol Buffers' wire format, by hand, for the one message too large to go through generated
// classes: a GetVirtualChainFromBlockV2 chunk at FULL verbosity is some 10^5 small objects, and
// building and freeing them cost more than following the chain in process does. The reader only
// hands out views of its input; the writer appends to one buffer. Everything else basalt says
// over RPC goes through protowire.proto's generated messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace basalt::l1::protowire {

enum class WireType : std::uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

struct WireField {
  std::uint32_t number = 0;
  WireType type = WireType::kVarint;
  std::uint64_t varint = 0;  // a kVarint field's value
  std::string_view bytes;    // a kLen field's contents
};

class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }
  // The next field (fixed-size ones are skipped over and returned without their value).
  // Errors: kInvalid for a truncated field, a varint beyond 64 bits, field number 0, or a
  // group (wire types 3 and 4, which proto3 does not have).
  core::Result<WireField> next();

 private:
  core::Result<std::uint64_t> varint();
  std::string_view in_;
  std::size_t pos_ = 0;
};

class WireWriter {
 public:
  // Room for `bytes` up front: a large message then grows without copying itself over.
  void reserve(std::size_t bytes) { out_.reserve(bytes); }
  void varint(std::uint32_t field, std::uint64_t v);
  void bytes(std::uint32_t field, std::string_view b);
  // Bytes as lowercase hex, the protocol's way with hashes and scripts.
  void hex(std::uint32_t field, core::ByteSpan b);
  // A nested message: fields written until the matching end() are its contents.
  void begin(std::uint32_t field);
  void end();
  std::string take() { return std::move(out_); }

 private:
  void raw_varint(std::uint64_t v);
  std::string out_;
  std::vector<std::size_t> open_;  // where each open message's contents start
};

}  // namespace basalt::l1::protowire
