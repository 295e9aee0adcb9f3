// Kaspa addresses: "<prefix>:<payload>", where the payload is the version byte and the key or
// script hash in Kaspa's CashAddr-style base32 with a 40-bit BCH checksum over the prefix.
//
//   prefix   kaspa (mainnet), kaspatest (testnet-10/11), kaspasim (simnet), kaspadev (devnet)
//   version  0 PubKey (32-byte x-only Schnorr key)     <-> OP_DATA_32 <key> OP_CHECKSIG
//            1 PubKeyECDSA (33-byte compressed key)    <-> OP_DATA_33 <key> OP_CHECKSIGECDSA
//            8 ScriptHash (32-byte blake2b of redeem)  <-> OP_BLAKE2B OP_DATA_32 <hash> OP_EQUAL
//
// Where basalt is stricter than rusty-kaspa (never for an address kaspad makes): the payload length
// must fit the version, and the padding bits of the last base32 character must be zero.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "crypto/schnorr.hpp"
#include "kaspa/transaction.hpp"

namespace basalt::kaspa {

enum class AddressPrefix : std::uint8_t { kMainnet, kTestnet, kSimnet, kDevnet };
enum class AddressVersion : std::uint8_t { kPubKey = 0, kPubKeyEcdsa = 1, kScriptHash = 8 };

std::string_view prefix_name(AddressPrefix p);
// Errors: kInvalid for anything but the four names above.
core::Result<AddressPrefix> parse_prefix(std::string_view name);

struct Address {
  AddressPrefix prefix = AddressPrefix::kMainnet;
  AddressVersion version = AddressVersion::kPubKey;
  core::Bytes payload;  // 32 bytes, or 33 for kPubKeyEcdsa

  // Errors: kInvalid, saying what is wrong (no prefix, unknown prefix, a character outside the
  // alphabet, bad checksum, unknown version, wrong payload length, non-zero padding).
  static core::Result<Address> parse(std::string_view text);
  static Address p2pk(AddressPrefix prefix, const crypto::SchnorrPublicKey& key);
  // The P2SH address of a redeem script.
  static Address p2sh(AddressPrefix prefix, core::ByteSpan redeem_script);
  // The address a standard script public key pays to. Errors: kInvalid for any other script.
  static core::Result<Address> from_script(AddressPrefix prefix, const ScriptPublicKey& spk);

  std::string to_string() const;
  // The script public key paying to this address.
  ScriptPublicKey script() const;
  bool operator==(const Address&) const = default;
};

}  // namespace basalt::kaspa
