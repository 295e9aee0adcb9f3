#include "kaspa/address.hpp"

#include <algorithm>
#include <array>

#include "crypto/blake2b.hpp"
#include "kaspa/script.hpp"
#include "kaspa/signing.hpp"

namespace basalt::kaspa {

namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t kChecksumChars = 8;
constexpr std::uint8_t kOpData32 = 0x20, kOpData33 = 0x21, kOpCheckSigEcdsa = 0xab,
                       kOpBlake2b = 0xaa, kOpEqual = 0x87;

core::Error invalid(std::string what) {
  return core::Error{core::ErrorCode::kInvalid, "address: " + std::move(what)};
}

// The BCH code of CashAddr: generator coefficients for a 40-bit checksum over 5-bit symbols.
std::uint64_t polymod(const std::vector<std::uint8_t>& symbols) {
  constexpr std::array<std::uint64_t, 5> kGen = {0x98f2bc8e61, 0x79b76d99e2, 0xf33e5fb3c4,
                                                 0xae2eabe2a8, 0x1e4f43e470};
  std::uint64_t c = 1;
  for (std::uint8_t d : symbols) {
    const std::uint64_t top = c >> 35;
    c = ((c & 0x07ffffffffULL) << 5) ^ d;
    for (std::size_t i = 0; i < kGen.size(); ++i) {
      if ((top >> i) & 1) c ^= kGen[i];
    }
  }
  return c ^ 1;
}

std::uint64_t checksum(std::string_view prefix, const std::vector<std::uint8_t>& data5) {
  std::vector<std::uint8_t> symbols;
  symbols.reserve(prefix.size() + 1 + data5.size() + kChecksumChars);
  for (char ch : prefix) symbols.push_back(static_cast<std::uint8_t>(ch) & 0x1f);
  symbols.push_back(0);
  symbols.insert(symbols.end(), data5.begin(), data5.end());
  symbols.insert(symbols.end(), kChecksumChars, 0);
  return polymod(symbols);
}

// 8-bit bytes to 5-bit symbols, the last one padded with zero bits on the right.
std::vector<std::uint8_t> to_5bit(core::ByteSpan data) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0x1f));
    }
    acc &= (1u << bits) - 1;
  }
  if (bits > 0) out.push_back(static_cast<std::uint8_t>((acc << (5 - bits)) & 0x1f));
  return out;
}

// The inverse of to_5bit; fails on padding that to_5bit would not have produced.
core::Result<core::Bytes> from_5bit(const std::vector<std::uint8_t>& symbols) {
  core::Bytes out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t s : symbols) {
    acc = (acc << 5) | s;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
    acc &= (1u << bits) - 1;
  }
  if (bits >= 5 || acc != 0) return invalid("non-zero or excess padding bits");
  return out;
}

std::size_t payload_size(AddressVersion v) {
  return v == AddressVersion::kPubKeyEcdsa ? 33 : 32;
}

}  // namespace

std::string_view prefix_name(AddressPrefix p) {
  switch (p) {
    case AddressPrefix::kMainnet:
      return "kaspa";
    case AddressPrefix::kTestnet:
      return "kaspatest";
    case AddressPrefix::kSimnet:
      return "kaspasim";
    case AddressPrefix::kDevnet:
      return "kaspadev";
  }
  return "kaspa";
}

core::Result<AddressPrefix> parse_prefix(std::string_view name) {
  for (auto p : {AddressPrefix::kMainnet, AddressPrefix::kTestnet, AddressPrefix::kSimnet,
                 AddressPrefix::kDevnet}) {
    if (prefix_name(p) == name) return p;
  }
  return invalid("unknown prefix \"" + std::string(name) +
                 "\" (kaspa, kaspatest, kaspasim or kaspadev)");
}

core::Result<Address> Address::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return invalid("no \"<prefix>:\" in \"" + std::string(text) + "\"");
  BASALT_ASSIGN_OR_RETURN(AddressPrefix prefix, parse_prefix(text.substr(0, colon)));
  const std::string_view body = text.substr(colon + 1);
  if (body.size() <= kChecksumChars) return invalid("too short");
  std::vector<std::uint8_t> symbols;
  symbols.reserve(body.size());
  for (char ch : body) {
    const auto at = kCharset.find(ch);
    if (at == std::string_view::npos) {
      return invalid("character " + std::to_string(static_cast<unsigned char>(ch)) +
                     " is not in the alphabet");
    }
    symbols.push_back(static_cast<std::uint8_t>(at));
  }
  const std::vector<std::uint8_t> data5(symbols.begin(), symbols.end() - kChecksumChars);
  std::uint64_t claimed = 0;
  for (auto it = symbols.end() - kChecksumChars; it != symbols.end(); ++it) {
    claimed = (claimed << 5) | *it;
  }
  if (checksum(prefix_name(prefix), data5) != claimed) return invalid("bad checksum");
  BASALT_ASSIGN_OR_RETURN(core::Bytes data, from_5bit(data5));
  const std::uint8_t v = data.front();
  if (v != 0 && v != 1 && v != 8) return invalid("unknown version " + std::to_string(v));
  Address a{prefix, static_cast<AddressVersion>(v), core::Bytes(data.begin() + 1, data.end())};
  if (a.payload.size() != payload_size(a.version)) {
    return invalid("a payload of " + std::to_string(a.payload.size()) + " bytes for version " +
                   std::to_string(v));
  }
  return a;
}

Address Address::p2pk(AddressPrefix prefix, const crypto::SchnorrPublicKey& key) {
  return {prefix, AddressVersion::kPubKey, core::Bytes(key.x.begin(), key.x.end())};
}

Address Address::p2sh(AddressPrefix prefix, core::ByteSpan redeem_script) {
  const Hash32 h = crypto::blake2b_256(redeem_script);
  return {prefix, AddressVersion::kScriptHash, core::Bytes(h.bytes.begin(), h.bytes.end())};
}

core::Result<Address> Address::from_script(AddressPrefix prefix, const ScriptPublicKey& spk) {
  const core::Bytes& s = spk.script;
  if (auto key = p2pk_key(spk)) return p2pk(prefix, *key);
  if (is_p2sh(spk)) {
    return Address{prefix, AddressVersion::kScriptHash, core::Bytes(s.begin() + 2, s.end() - 1)};
  }
  if (spk.version == 0 && s.size() == 35 && s[0] == kOpData33 && s[34] == kOpCheckSigEcdsa) {
    return Address{prefix, AddressVersion::kPubKeyEcdsa, core::Bytes(s.begin() + 1, s.end() - 1)};
  }
  return invalid("the script pays to no standard address");
}

std::string Address::to_string() const {
  core::Bytes data;
  data.reserve(1 + payload.size());
  data.push_back(static_cast<std::uint8_t>(version));
  data.insert(data.end(), payload.begin(), payload.end());
  std::vector<std::uint8_t> data5 = to_5bit(data);
  const std::uint64_t sum = checksum(prefix_name(prefix), data5);
  for (std::size_t i = kChecksumChars; i-- > 0;) data5.push_back((sum >> (5 * i)) & 0x1f);
  std::string out(prefix_name(prefix));
  out.push_back(':');
  for (std::uint8_t s : data5) out.push_back(kCharset[s]);
  return out;
}

ScriptPublicKey Address::script() const {
  ScriptPublicKey spk;
  switch (version) {
    case AddressVersion::kPubKey: {
      crypto::SchnorrPublicKey key;
      std::copy(payload.begin(), payload.end(), key.x.begin());
      return p2pk_script(key);
    }
    case AddressVersion::kPubKeyEcdsa:
      spk.script = {kOpData33};
      spk.script.insert(spk.script.end(), payload.begin(), payload.end());
      spk.script.push_back(kOpCheckSigEcdsa);
      break;
    case AddressVersion::kScriptHash:
      spk.script = {kOpBlake2b, kOpData32};
      spk.script.insert(spk.script.end(), payload.begin(), payload.end());
      spk.script.push_back(kOpEqual);
      break;
  }
  return spk;
}

}  // namespace basalt::kaspa
