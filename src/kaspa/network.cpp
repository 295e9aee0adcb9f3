#include "kaspa/network.hpp"

#include <string>

namespace basalt::kaspa {

namespace {
constexpr Network kAll[] = {Network::kMainnet, Network::kTestnet10, Network::kDevnet,
                            Network::kSimnet};
}  // namespace

std::string_view network_name(Network n) {
  switch (n) {
    case Network::kMainnet:
      return "mainnet";
    case Network::kTestnet10:
      return "testnet-10";
    case Network::kDevnet:
      return "devnet";
    case Network::kSimnet:
      return "simnet";
  }
  return "mainnet";
}

core::Result<Network> parse_network(std::string_view name) {
  for (Network n : kAll) {
    if (network_name(n) == name) return n;
  }
  return core::Error{core::ErrorCode::kInvalid, "unknown network \"" + std::string(name) +
                                                    "\" (mainnet, testnet-10, devnet or simnet)"};
}

AddressPrefix address_prefix(Network n) {
  switch (n) {
    case Network::kMainnet:
      return AddressPrefix::kMainnet;
    case Network::kTestnet10:
      return AddressPrefix::kTestnet;
    case Network::kDevnet:
      return AddressPrefix::kDevnet;
    case Network::kSimnet:
      return AddressPrefix::kSimnet;
  }
  return AddressPrefix::kMainnet;
}

std::uint16_t default_grpc_port(Network n) {
  switch (n) {
    case Network::kMainnet:
      return 16110;
    case Network::kTestnet10:
      return 16210;
    case Network::kDevnet:
      return 16610;
    case Network::kSimnet:
      return 16510;
  }
  return 16110;
}

}  // namespace basalt::kaspa
