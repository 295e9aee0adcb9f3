#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rv_asm.hpp"
#include "vm/elf.hpp"
#include "vm/image_id.hpp"
#include "vm/machine.hpp"

namespace basalt::vm {
namespace {

using core::ErrorCode;
using namespace testing;

core::Bytes read_guest(const std::string& name) {
  std::ifstream f(std::string(BASALT_GUEST_DIR) + "/" + name, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  std::string str = s.str();
  return core::Bytes(str.begin(), str.end());
}

constexpr std::uint32_t kLimit = 1u << 24;

core::Bytes minimal() {
  return program({enc::addi(10, 0, 7), enc::addi(17, 0, 93), enc::ecall()});
}

TEST(Elf, LoadsTheSdkGuests) {
  for (const char* g : {"counter.elf", "test_arith.elf", "test_control.elf", "test_memory.elf"}) {
    core::Bytes elf = read_guest(g);
    ASSERT_FALSE(elf.empty()) << g;
    auto img = parse_elf32(elf, kLimit);
    ASSERT_TRUE(img.ok()) << g << ": " << img.error().to_string();
    EXPECT_EQ(img->entry, 0x10000u);
  }
}

TEST(Elf, EveryTruncationIsRejected) {
  core::Bytes elf = minimal();
  for (std::size_t n = 0; n < elf.size(); ++n) {
    ASSERT_FALSE(parse_elf32(core::ByteSpan(elf).first(n), kLimit).ok()) << "prefix " << n;
  }
  EXPECT_TRUE(parse_elf32(elf, kLimit).ok());
}

TEST(Elf, HeaderRejections) {
  auto patched = [](std::size_t at, std::uint8_t v) {
    core::Bytes e = minimal();
    e[at] = v;
    return parse_elf32(e, kLimit);
  };
  EXPECT_EQ(patched(0, 0x7e).error().code(), ErrorCode::kUnknownTag);  // magic
  EXPECT_EQ(patched(4, 2).error().code(), ErrorCode::kUnknownTag);     // ELFCLASS64
  EXPECT_EQ(patched(5, 2).error().code(), ErrorCode::kUnknownTag);     // big-endian
  EXPECT_EQ(patched(16, 3).error().code(), ErrorCode::kUnknownTag);    // ET_DYN
  EXPECT_EQ(patched(18, 62).error().code(), ErrorCode::kUnknownTag);   // x86-64
  EXPECT_EQ(patched(42, 56).error().code(), ErrorCode::kInvalid);      // e_phentsize
  core::Bytes rvc = write_elf(0x10000, {{0x10000, 5, words({enc::ecall()}), 4}}, /*e_flags=RVC*/ 1);
  EXPECT_FALSE(parse_elf32(rvc, kLimit).ok());
}

TEST(Elf, LayoutRejections) {
  core::Bytes code = words({enc::ecall()});
  auto parse = [](const std::vector<ElfSegment>& segs, std::uint32_t entry = 0x10000) {
    return parse_elf32(write_elf(entry, segs), kLimit);
  };
  EXPECT_FALSE(parse({{0x10000, 5, code, 2}}).ok());  // filesz > memsz
  EXPECT_FALSE(parse({{0x10000, 7, code, 4}}).ok());  // writable and executable
  EXPECT_FALSE(parse({{0x10000, 5, code, 4}, {0x10002, 6, {}, 8}}).ok());    // overlap
  EXPECT_FALSE(parse({{0x10000, 5, code, 4}, {0x20000, 5, code, 4}}).ok());  // two executable
  EXPECT_FALSE(parse({{0x20000, 6, {}, 8}, {0x30000, 4, code, 4}, {0x10000, 5, code, 4}})
                   .ok());                                                // RO above RW
  EXPECT_FALSE(parse({{0x10000, 4, code, 4}}).ok());                      // no executable segment
  EXPECT_FALSE(parse({{0x10000, 5, code, 4}}, 0x10004).ok());             // entry outside code
  EXPECT_FALSE(parse({{0x10000, 5, code, 8}}, 0x10002).ok());             // misaligned entry
  EXPECT_FALSE(parse({{0xfffff000, 5, code, 0x2000}}, 0xfffff000).ok());  // wraps
  EXPECT_EQ(
      parse_elf32(write_elf(0x10000, {{0x10000, 5, code, 4}, {0x20000, 6, {}, 1u << 25}}), kLimit)
          .error()
          .code(),
      ErrorCode::kOutOfRange);  // larger than the memory limit
  // Read-only segments far apart: the gap counts against the limit (regression: found by fuzzing).
  EXPECT_EQ(parse_elf32(write_elf(0x10000, {{0x10000, 5, code, 4}, {0xc0000000, 4, code, 4}}), kLimit)
                .error()
                .code(),
            ErrorCode::kOutOfRange);
  core::Bytes bad_offset = write_elf(0x10000, {{0x10000, 5, code, 4}});
  bad_offset[52 + 4] = 0xff;  // p_offset far beyond the file
  bad_offset[52 + 5] = 0xff;
  EXPECT_EQ(parse_elf32(bad_offset, kLimit).error().code(), ErrorCode::kTruncated);
}

TEST(ImageId, SameImageSameIdAnyLoadedByteChangesIt) {
  core::Bytes elf = read_guest("test_control.elf");
  auto a = Program::load(elf);
  auto b = Program::load(elf);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->image_id(), b->image_id());

  core::Bytes data(100, 0x11);
  core::Bytes base =
      write_elf(0x10000, {{0x10000, 5, words({enc::ecall()}), 4}, {0x20000, 6, data, 200}});
  ImageId id = image_id(*parse_elf32(base, kLimit));
  data[50] ^= 1;
  EXPECT_NE(id, image_id(*parse_elf32(write_elf(0x10000, {{0x10000, 5, words({enc::ecall()}), 4},
                                                          {0x20000, 6, data, 200}}),
                                      kLimit)));
  data[50] ^= 1;
  // Zero fill is loaded memory too: a larger bss is another image.
  EXPECT_NE(id, image_id(*parse_elf32(write_elf(0x10000, {{0x10000, 5, words({enc::ecall()}), 4},
                                                          {0x20000, 6, data, 204}}),
                                      kLimit)));
  // Permissions are part of the image.
  EXPECT_NE(id, image_id(*parse_elf32(write_elf(0x10000, {{0x10000, 5, words({enc::ecall()}), 4},
                                                          {0x20000, 4, data, 200}}),
                                      kLimit)));
  // Bytes the loader does not load (here: after the last segment) do not count.
  core::Bytes padded = base;
  padded.push_back(0x42);
  EXPECT_EQ(id, image_id(*parse_elf32(padded, kLimit)));
}

}  // namespace
}  // namespace basalt::vm
