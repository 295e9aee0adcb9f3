#include "users/workload.hpp"

#include <algorithm>
#include <string_view>

#include "core/byte_writer.hpp"
#include "crypto/sha256.hpp"
#include "kaspa/limits.hpp"

namespace basalt::users {

using exec::Access;
using exec::AccessEntry;
using exec::encode_payload;
using exec::ExitKind;
using exec::kMaxPayloadBytes;

namespace {

core::Hash32 tagged(std::string_view tag, core::ByteSpan data) {
  crypto::Sha256 h;
  h.update({reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()});
  h.update(data);
  return h.finalize();
}

// Appends a little-endian u64 to bytes already built (a payload's unique tail).
void put_u64(core::Bytes& b, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

crypto::SecretKey key_from(const core::Hash32& seed) {
  core::Hash32 h = seed;
  // A hash is a valid secret key except with negligible probability; rehash until it is.
  for (;;) {
    auto k = crypto::SecretKey::from_bytes(h.bytes);
    if (k.ok()) return *k;
    h = crypto::sha256(h.span());
  }
}

// The signed message of a token operation (guest/apps/token.c).
core::Bytes sign_op(const crypto::SecretKey& signer, core::Bytes op) {
  const crypto::SchnorrPublicKey authority = token_demo_authority().public_key();
  crypto::Sha256 h;
  const std::string_view tag = "basalt.token.v1";
  h.update({reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()});
  h.update(authority.x);
  h.update(op);
  const crypto::SchnorrSignature sig = signer.sign(h.finalize(), core::Hash32{});
  op.insert(op.end(), sig.bytes.begin(), sig.bytes.end());
  return op;
}

}  // namespace

crypto::SecretKey token_demo_authority() {
  const std::string_view s = "basalt token demo authority";
  return key_from(crypto::sha256({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}));
}

ResourceId token_account_id(const crypto::SchnorrPublicKey& key) {
  return ResourceId(tagged("basalt.token.account.v1", key.x));
}

ResourceId counter_resource(std::uint32_t i) {
  core::ByteWriter le(4);
  le.u32_le(i);
  return ResourceId(tagged("basalt.counter.v1", le.data()));
}

core::Bytes token_mint(const crypto::SecretKey& authority, const crypto::SchnorrPublicKey& to,
                       std::uint64_t amount, std::uint64_t nonce) {
  core::ByteWriter op;
  op.u8(1);
  op.bytes(to.x);
  op.u64_le(amount);
  op.u64_le(nonce);
  return sign_op(authority, op.take());
}

core::Bytes token_transfer(const crypto::SecretKey& from, const crypto::SchnorrPublicKey& to,
                           std::uint64_t amount, std::uint64_t nonce) {
  core::ByteWriter op;
  op.u8(2);
  op.bytes(from.public_key().x);
  op.bytes(to.x);
  op.u64_le(amount);
  op.u64_le(nonce);
  return sign_op(from, op.take());
}

core::Bytes token_withdraw(const crypto::SecretKey& from, const Exit& exit, std::uint64_t nonce) {
  core::ByteWriter op;
  op.u8(3);
  op.bytes(from.public_key().x);
  op.u8(static_cast<std::uint8_t>(exit.kind));
  op.hash(exit.key);
  op.u64_le(exit.amount);
  op.u64_le(nonce);
  return sign_op(from, op.take());
}

Workload::Workload(WorkloadParams params)
    : params_(std::move(params)), rng_(params_.seed ^ 0x5eed'0f'a11'0ad5ull) {
  holders_.resize(std::max<std::uint32_t>(params_.accounts, 2));
}

Workload::Holder& Workload::holder(std::uint32_t i) {
  auto& h = holders_[i];
  if (!h) {
    core::ByteWriter seed(12);
    seed.u32_le(i);
    seed.u64_le(params_.seed);
    h.emplace();
    h->key = key_from(tagged("basalt.workload.holder", seed.data()));
    h->pub = h->key->public_key();
    h->id = token_account_id(h->pub);
  }
  return *h;
}

kaspa::Transaction Workload::wrap(core::Bytes payload) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = params_.lane;
  tx.payload = std::move(payload);
  ++generated_;
  return tx;
}

core::Bytes Workload::malformed_payload() {
  ++invalid_;
  const ResourceId a = counter_resource(0), b = counter_resource(1);
  const ResourceId lo = std::min(a, b), hi = std::max(a, b);
  core::Bytes p =
      encode_payload(std::vector<AccessEntry>{{lo, Access::kWrite}, {hi, Access::kWrite}}, {});
  switch (rng_() % 5) {
    case 0:  // truncated access list
      p.resize(3 + 33 + 10);
      break;
    case 1:  // ids not ascending
      p = encode_payload(std::vector<AccessEntry>{{hi, Access::kWrite}, {lo, Access::kWrite}}, {});
      break;
    case 2:  // a duplicate id
      p = encode_payload(std::vector<AccessEntry>{{lo, Access::kWrite}, {lo, Access::kWrite}}, {});
      break;
    case 3:  // a write that is not a read
      p[3 + 32] = 2;
      break;
    default:  // more data than a lane payload may carry
      p.resize(kMaxPayloadBytes + 1, 0);
      break;
  }
  // A unique tail keeps every generated transaction's id distinct.
  put_u64(p, generated_);
  return p;
}

core::Bytes Workload::counter_tx() {
  if (rng_() % 1000 < params_.invalid_permille) {
    if (rng_() % 2 == 0) return malformed_payload();
    // Declared read-only: the increment is a write to a read-only resource.
    ++invalid_;
    core::Bytes p = encode_payload(
        std::vector<AccessEntry>{
            {counter_resource(static_cast<std::uint32_t>(rng_() % params_.accounts)),
             Access::kRead}},
        {});
    put_u64(p, generated_);
    return p;
  }
  std::vector<AccessEntry> acc;
  const std::size_t k = 1 + rng_() % 3;
  for (std::size_t i = 0; i < k; ++i) {
    acc.push_back(
        {counter_resource(static_cast<std::uint32_t>(rng_() % params_.accounts)), Access::kWrite});
  }
  std::sort(acc.begin(), acc.end(),
            [](const AccessEntry& x, const AccessEntry& y) { return x.id < y.id; });
  acc.erase(std::unique(acc.begin(), acc.end()), acc.end());
  core::ByteWriter data;
  data.u64_le(generated_);  // ignored by the counter; keeps ids distinct
  return encode_payload(acc, data.data());
}

core::Bytes Workload::token_tx() {
  if (!authority_) authority_ = token_demo_authority();
  const std::uint32_t n = static_cast<std::uint32_t>(holders_.size());
  // A holder that has not sent in this round.
  std::uint32_t i = static_cast<std::uint32_t>(rng_() % n);
  for (std::uint32_t tries = 0; holder(i).last_round == round_ && tries < 8; ++tries) {
    i = static_cast<std::uint32_t>(rng_() % n);
  }
  Holder& from = holder(i);
  if (from.last_round == round_) return malformed_payload();
  from.last_round = round_;
  std::uint32_t j = static_cast<std::uint32_t>(rng_() % n);
  if (j == i) j = (j + 1) % n;
  Holder& to = holder(j);
  auto both = [&](const Holder& x, const Holder& y) {
    std::vector<AccessEntry> acc{{x.id, Access::kWrite}};
    if (y.id != x.id) acc.push_back({y.id, Access::kWrite});
    std::sort(acc.begin(), acc.end(),
              [](const AccessEntry& a, const AccessEntry& b) { return a.id < b.id; });
    return acc;
  };
  const std::vector<AccessEntry> one{{from.id, Access::kWrite}};

  if (rng_() % 1000 < params_.invalid_permille) {
    ++invalid_;
    switch (rng_() % 8) {
      case 0: {  // a bad signature
        core::Bytes op = token_transfer(*from.key, to.pub, 1, from.nonce);
        op.back() ^= 0x01;
        return encode_payload(both(from, to), op);
      }
      case 1:  // a replayed nonce (or, for a fresh account, one from the future)
        return encode_payload(both(from, to), token_transfer(*from.key, to.pub, 1,
                                                             from.nonce > 0 ? from.nonce - 1 : 7));
      case 2:  // overdraft
        return encode_payload(
            both(from, to),
            token_transfer(*from.key, to.pub, from.balance + from.incoming + 1, from.nonce));
      case 3:  // malformed app data
        return encode_payload(one, core::Bytes{9, 9, 9, static_cast<std::uint8_t>(generated_)});
      case 4:  // the recipient is not declared
        return encode_payload(one, token_transfer(*from.key, to.pub, 1, from.nonce));
      case 5: {  // from an account nobody ever funded
        core::Hash32 seed;
        for (auto& b : seed.bytes) b = static_cast<std::uint8_t>(rng_());
        const crypto::SecretKey stranger = key_from(seed);
        const Holder ghost{std::nullopt, stranger.public_key(),
                           token_account_id(stranger.public_key())};
        return encode_payload(both(ghost, to), token_transfer(stranger, to.pub, 1, 0));
      }
      case 6: {  // an exit of a kind the ABI does not have
        const Exit bad{static_cast<ExitKind>(7), core::Hash32{from.pub.x}, 1};
        return encode_payload(one, token_withdraw(*from.key, bad, from.nonce));
      }
      default:
        --invalid_;
        return malformed_payload();
    }
  }
  if (from.balance < 2) {
    // Fund the holder (its first mint creates the account).
    const std::uint64_t amount = 1000 + rng_() % 9000;
    core::Bytes op = token_mint(*authority_, from.pub, amount, from.nonce);
    from.nonce += 1;
    from.incoming += amount;
    credited_.push_back(i);
    return encode_payload(one, op);
  }
  if (rng_() % 1000 < params_.exit_permille) {
    // Withdraw a little to the holder's own key on L1.
    const Exit e{ExitKind::kSchnorrP2pk, core::Hash32{from.pub.x},
                 1 + rng_() % std::min<std::uint64_t>(from.balance / 2, 100)};
    core::Bytes op = token_withdraw(*from.key, e, from.nonce);
    from.nonce += 1;
    from.balance -= e.amount;
    ++exits_;
    exit_amount_ += e.amount;
    return encode_payload(one, op);
  }
  const std::uint64_t amount = 1 + rng_() % (from.balance / 2);
  core::Bytes op = token_transfer(*from.key, to.pub, amount, from.nonce);
  from.nonce += 1;
  from.balance -= amount;
  to.incoming += amount;
  credited_.push_back(j);
  return encode_payload(both(from, to), op);
}

std::vector<state::ResourceWrite> Workload::genesis(std::uint64_t balance) {
  std::vector<state::ResourceWrite> out;
  out.reserve(holders_.size());
  for (std::uint32_t i = 0; i < holders_.size(); ++i) {
    if (params_.app == "token") {
      Holder& h = holder(i);
      h.balance = balance;
      core::ByteWriter data(16);
      data.u64_le(balance);
      data.u64_le(0);
      out.push_back({h.id, data.take()});
    } else {
      out.push_back({counter_resource(i), core::Bytes(4, 0)});
    }
  }
  return out;
}

std::vector<kaspa::Transaction> Workload::next_block(std::uint64_t round) {
  if (round != round_) {
    // Credits of the previous round become spendable.
    for (std::uint32_t i : credited_) {
      holders_[i]->balance += holders_[i]->incoming;
      holders_[i]->incoming = 0;
    }
    credited_.clear();
    round_ = round;
  }
  std::vector<kaspa::Transaction> out;
  out.reserve(params_.tx_per_block);
  for (std::uint32_t k = 0; k < params_.tx_per_block; ++k) {
    out.push_back(wrap(params_.app == "token" ? token_tx() : counter_tx()));
  }
  return out;
}

}  // namespace basalt::users
