// The Kaspa networks basalt knows, by the names kaspad and its configuration use, and the address
// prefix each shows.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.hpp"
#include "kaspa/address.hpp"

namespace basalt::kaspa {

enum class Network : std::uint8_t { kMainnet, kTestnet10, kDevnet, kSimnet };

// "mainnet", "testnet-10", "devnet", "simnet".
std::string_view network_name(Network n);
// Errors: kInvalid for any other name, listing the four.
core::Result<Network> parse_network(std::string_view name);
AddressPrefix address_prefix(Network n);
// kaspad's default gRPC port: 16110 mainnet, 16210 testnet, 16610 devnet, 16510 simnet.
std::uint16_t default_grpc_port(Network n);

}  // namespace basalt::kaspa
