// `basalt key new | show`: a fresh key file only its owner reads, never overwritten, shown as the
// public key and address every other command derives from it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "cli/key_commands.hpp"
#include "client/api_client.hpp"
#include "kaspa/address.hpp"
#include "test_util.hpp"

namespace basalt::cli {
namespace {

TEST(KeyCommands, ANewKeyIsPrivateNeverOverwrittenAndShownAsItsAddress) {
  test::TempDir dir;
  const std::string path = dir.path() + "/k";
  std::ostringstream made, log;
  ASSERT_EQ(key_new(path, kaspa::Network::kMainnet, made, log), 0) << log.str();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = client::read_key_file(path);
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  const std::string address =
      kaspa::Address::p2pk(kaspa::AddressPrefix::kMainnet, key->public_key()).to_string();
  EXPECT_NE(made.str().find("public key " + core::to_hex(key->public_key().x)), std::string::npos);
  EXPECT_NE(made.str().find("address    " + address), std::string::npos);
  std::ostringstream shown;
  ASSERT_EQ(key_show(path, kaspa::Network::kMainnet, shown, log), 0);
  EXPECT_NE(made.str().find(shown.str()), std::string::npos);

  // A second key over the first is refused, and the first stays.
  std::ostringstream again, why;
  EXPECT_EQ(key_new(path, kaspa::Network::kMainnet, again, why), 2);
  EXPECT_NE(why.str().find("File exists"), std::string::npos) << why.str();
  auto still = client::read_key_file(path);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->export_bytes(), key->export_bytes());
  // Two fresh keys differ.
  std::ostringstream other;
  ASSERT_EQ(key_new(dir.path() + "/k2", kaspa::Network::kMainnet, other, log), 0);
  EXPECT_NE(other.str(), made.str());
}

TEST(KeyCommands, AMissingOrDamagedKeyFileSaysWhy) {
  test::TempDir dir;
  std::ostringstream out, log;
  EXPECT_EQ(key_show(dir.path() + "/none", kaspa::Network::kSimnet, out, log), 2);
  EXPECT_NE(log.str().find("No such file or directory"), std::string::npos) << log.str();
  const std::string bad = dir.path() + "/bad";
  { std::ofstream(bad) << "zz\n"; }
  std::ostringstream log2;
  EXPECT_EQ(key_show(bad, kaspa::Network::kSimnet, out, log2), 2);
  EXPECT_NE(log2.str().find(bad + ": not a secret key"), std::string::npos) << log2.str();
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace basalt::cli
