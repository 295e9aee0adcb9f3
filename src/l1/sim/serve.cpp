#include "l1/sim/serve.hpp"

namespace basalt::l1::sim {

core::Result<std::unique_ptr<Served>> Served::start(ServeConfig config) {
  std::unique_ptr<Served> s(new Served());
  s->rpc_ = config.rpc;
  BASALT_ASSIGN_OR_RETURN(s->l1_, Embedded::open(std::move(config.embedded)));
  if (!s->l1_->sim().chain().empty()) s->notified_tip_ = s->l1_->sim().chain().back().hash;
  Served* self = s.get();
  BASALT_ASSIGN_OR_RETURN(
      s->server_, protowire::RpcServer::start(config.listen, [self](const auto& r, auto& out) {
        std::lock_guard lk(self->m_);
        answer(self->l1_->sim(), *self->l1_, self->rpc_, r, out);
      }));
  return s;
}

Served::~Served() {
  stop();
}

void Served::stop() {
  if (server_) server_->stop();
}

core::Status Served::step() {
  protowire::Response note;
  {
    std::lock_guard lk(m_);
    BASALT_TRY(l1_->produce_block());
    // What changed since the last notification (a reorg's removed blocks included).
    auto change = l1_->sim().chain_from(notified_tip_, ~std::size_t{0});
    if (!change.ok()) return change.error();
    notified_tip_ = l1_->sim().chain().back().hash;
    note = chain_changed_notification(*change);
  }
  server_->notify(std::move(note));
  return core::Status::Ok();
}

std::uint64_t Served::steps() const {
  std::lock_guard lk(m_);
  return l1_->steps();
}

std::string Served::describe() const {
  std::lock_guard lk(m_);
  const auto& chain = l1_->sim().chain();
  return std::to_string(chain.size()) + " chain blocks" +
         (chain.empty() ? "" : ", tip " + chain.back().hash.hex());
}

}  // namespace basalt::l1::sim
