#include <gtest/gtest.h>

#include "kaspa/address.hpp"
#include "kaspa/script.hpp"
#include "kaspa/signing.hpp"
#include "test_util.hpp"

namespace basalt::kaspa {
namespace {

core::Bytes hex(std::string_view h) {
  return core::from_hex(h).value();
}

// Vectors of rusty-kaspa's address tests (crypto/addresses/src/lib.rs).
TEST(Address, RustyKaspaVectors) {
  struct V {
    AddressPrefix prefix;
    AddressVersion version;
    core::Bytes payload;
    const char* text;
  };
  const V vectors[] = {
      {AddressPrefix::kTestnet, AddressVersion::kPubKey, core::Bytes(32, 0),
       "kaspatest:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhqrxplya"},
      {AddressPrefix::kTestnet, AddressVersion::kPubKeyEcdsa, core::Bytes(33, 0),
       "kaspatest:qyqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhe837j2d"},
      {AddressPrefix::kTestnet, AddressVersion::kPubKeyEcdsa,
       hex("ba01fc5f4e9d9879599c69a3dafdb835a7255e5f2e934e9322ecd3af190ab0f60e"),
       "kaspatest:qxaqrlzlf6wes72en3568khahq66wf27tuhfxn5nytkd8tcep2c0vrse6gdmpks"},
      {AddressPrefix::kMainnet, AddressVersion::kPubKey, core::Bytes(32, 0),
       "kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e"},
      {AddressPrefix::kMainnet, AddressVersion::kPubKey,
       hex("5fff3c4da18f45adcdd499e44611e9fff148ba69db3c4ea2ddd955fc46a59522"),
       "kaspa:qp0l70zd5x85ttwd6jv7g3s3a8llzj96d8dncn4zmhv4tlzx5k2jyqh70xmfj"},
  };
  for (const V& v : vectors) {
    const Address a{v.prefix, v.version, v.payload};
    EXPECT_EQ(a.to_string(), v.text);
    auto parsed = Address::parse(v.text);
    ASSERT_TRUE(parsed.ok()) << v.text << ": " << parsed.error().context();
    EXPECT_EQ(*parsed, a);
  }
}

TEST(Address, RoundTripsAndScriptsOfEveryKind) {
  test::Rng rng(11);
  for (int i = 0; i < 300; ++i) {
    const auto prefix = static_cast<AddressPrefix>(rng.below(4));
    const AddressVersion versions[] = {AddressVersion::kPubKey, AddressVersion::kPubKeyEcdsa,
                                       AddressVersion::kScriptHash};
    const AddressVersion version = versions[rng.below(3)];
    const Address a{prefix, version, rng.bytes(version == AddressVersion::kPubKeyEcdsa ? 33 : 32)};
    auto parsed = Address::parse(a.to_string());
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, a);
    auto back = Address::from_script(prefix, a.script());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, a);
  }
}

TEST(Address, KeysAndRedeemScriptsMatchTheScriptsBasaltBuilds) {
  std::array<std::uint8_t, 32> k{};
  k.fill(5);
  const auto key = crypto::SecretKey::from_bytes(k).value().public_key();
  EXPECT_EQ(Address::p2pk(AddressPrefix::kSimnet, key).script(), p2pk_script(key));
  const core::Bytes redeem = {0x51};
  EXPECT_EQ(Address::p2sh(AddressPrefix::kDevnet, redeem).script(), p2sh_script(redeem));
  EXPECT_FALSE(Address::from_script(AddressPrefix::kMainnet, {1, p2pk_script(key).script}).ok());
  EXPECT_FALSE(Address::from_script(AddressPrefix::kMainnet, {0, {0x51}}).ok());
}

TEST(Address, BadTextIsRefusedWithItsReason) {
  const std::string good = "kaspa:qp0l70zd5x85ttwd6jv7g3s3a8llzj96d8dncn4zmhv4tlzx5k2jyqh70xmfj";
  auto reason = [](std::string_view text) {
    auto r = Address::parse(text);
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? std::string() : r.error().context();
  };
  EXPECT_NE(reason("qp0l70zd5x85ttwd6jv7g3s3a8").find("prefix"), std::string::npos);
  EXPECT_NE(reason("bitcoin:" + good.substr(6)).find("unknown prefix"), std::string::npos);
  EXPECT_NE(reason("kaspatest:" + good.substr(6)).find("checksum"), std::string::npos);
  std::string upper = good;
  upper[7] = 'P';
  EXPECT_NE(reason(upper).find("alphabet"), std::string::npos);
  std::string flipped = good;
  flipped[20] = flipped[20] == 'q' ? 'p' : 'q';
  EXPECT_NE(reason(flipped).find("checksum"), std::string::npos);
  EXPECT_NE(reason("kaspa:qqqq").find("short"), std::string::npos);
  // A valid checksum over a payload of the wrong length for its version.
  const Address short_key{AddressPrefix::kMainnet, AddressVersion::kPubKeyEcdsa,
                          core::Bytes(32, 1)};
  EXPECT_NE(reason(short_key.to_string()).find("payload"), std::string::npos);
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(Address::parse(good.substr(0, n)).ok());
}

}  // namespace
}  // namespace basalt::kaspa
