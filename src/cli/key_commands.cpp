#include "cli/key_commands.hpp"

#include "client/api_client.hpp"
#include "kaspa/address.hpp"

namespace basalt::cli {

namespace {

void describe(const crypto::SecretKey& key, kaspa::Network network, std::ostream& out) {
  const crypto::SchnorrPublicKey pk = key.public_key();
  out << "public key " << core::to_hex(pk.x) << "\n"
      << "address    " << kaspa::Address::p2pk(kaspa::address_prefix(network), pk).to_string()
      << "\n";
}

}  // namespace

int key_new(const std::string& path, kaspa::Network network, std::ostream& out, std::ostream& log) {
  auto key = crypto::SecretKey::generate();
  if (!key.ok()) {
    log << "basalt: " << key.error().context() << "\n";
    return 1;
  }
  if (auto st = client::write_key_file(path, *key); !st.ok()) {
    log << "basalt: " << st.error().context() << "\n";
    return 2;
  }
  out << "secret key written to " << path << "\n";
  describe(*key, network, out);
  return 0;
}

int key_show(const std::string& path, kaspa::Network network, std::ostream& out,
             std::ostream& log) {
  auto key = client::read_key_file(path);
  if (!key.ok()) {
    log << "basalt: " << key.error().context() << "\n";
    return 2;
  }
  describe(*key, network, out);
  return 0;
}

}  // namespace basalt::cli
