#include "l1/protowire/rpc.hpp"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "l1/protowire/chain_v2.hpp"
#include "l1/protowire/protowire.grpc.pb.h"
#include "l1/protowire/wire.hpp"

namespace basalt::l1::protowire {

using core::Error;
using core::ErrorCode;
// gRPC deadlines are system_clock time points.
using Clock = std::chrono::system_clock;

// KaspadResponse's id field.
constexpr std::uint32_t kIdField = 101;
constexpr const char* kMessageStreamMethod = "/protowire.RPC/MessageStream";

namespace {

google::protobuf::ArenaOptions arena_options() {
  google::protobuf::ArenaOptions o;
  o.start_block_size = 1 << 10;  // most answers are small; large ones grow the blocks
  o.max_block_size = 4 << 20;
  return o;
}

std::string bytes_of(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!b.Dump(&slices).ok()) return out;
  out.reserve(b.Length());
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace

Answer::Answer()
    : arena_(std::make_unique<google::protobuf::Arena>(arena_options())),
      message_(google::protobuf::Arena::CreateMessage<Response>(arena_.get())) {}
Answer::Answer(Answer&&) noexcept = default;
Answer& Answer::operator=(Answer&&) noexcept = default;
Answer::~Answer() = default;

core::Result<Answer> Answer::from_frame(std::string frame) {
  Answer a;
  a.frame_ = std::move(frame);
  const auto not_ours = [] {
    return Error{ErrorCode::kInvalid, "a message that is not a KaspadResponse"};
  };
  std::uint64_t id = 0;
  WireReader r(a.frame_);
  while (!r.done()) {
    auto f = r.next();
    if (!f.ok()) return not_ours();
    if (f->number == kIdField && f->type == WireType::kVarint) id = f->varint;
    if (f->number != kChainV2ResponseField) continue;
    // Protobuf would merge two of them; kaspad never sends two.
    if (f->type != WireType::kLen || a.is_chain_v2_) return not_ours();
    a.is_chain_v2_ = true;
    a.chain_v2_at_ = static_cast<std::size_t>(f->bytes.data() - a.frame_.data());
    a.chain_v2_size_ = f->bytes.size();
  }
  if (a.is_chain_v2_) {
    a.message_->set_id(id);
  } else if (!a.message_->ParseFromString(a.frame_)) {
    return not_ours();
  }
  return a;
}

// --- client ---

struct RpcClient::Impl {
  Options options;
  std::shared_ptr<grpc::Channel> channel;
  grpc::ClientContext context;
  // Answers come as bytes, so that a chain chunk skips protobuf's objects (Answer::from_frame).
  std::unique_ptr<grpc::ClientReaderWriter<Request, grpc::ByteBuffer>> stream;
  std::thread reader;

  std::mutex write_mu;    // one Write at a time, as gRPC requires
  bool finished = false;  // under write_mu: no Write after Finish
  std::mutex mu;
  std::condition_variable answered;
  bool open = true;
  std::string why_closed;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::optional<Answer>> pending;

  void read_loop() {
    std::string unreadable;
    for (;;) {
      grpc::ByteBuffer frame;
      if (!stream->Read(&frame)) break;
      auto read = Answer::from_frame(bytes_of(frame));
      if (!read.ok()) {
        unreadable = read.error().context();
        context.TryCancel();
        continue;  // Read fails from now on
      }
      Answer& r = *read;
      if (r->id() == 0) {
        if (options.on_notification) options.on_notification(*r);
        continue;
      }
      std::lock_guard lock(mu);
      auto it = pending.find(r->id());
      if (it != pending.end())
        it->second.emplace(std::move(r));  // unknown ids: answers given up on
      answered.notify_all();
    }
    // The call is over; its status says why (the server went away, an answer beyond the size
    // bound). Finish must not run beside a Write.
    grpc::Status status;
    {
      std::lock_guard w(write_mu);
      status = stream->Finish();
      finished = true;
    }
    std::lock_guard lock(mu);
    open = false;
    why_closed = unreadable.empty() ? status.error_message() : "kaspad sent " + unreadable;
    answered.notify_all();
  }

  Error broke() const {
    return Error{ErrorCode::kUnavailable,
                 "the RPC stream broke" + (why_closed.empty() ? "" : ": " + why_closed)};
  }
};

RpcClient::RpcClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Result<std::unique_ptr<RpcClient>> RpcClient::connect(Options options) {
  auto impl = std::make_unique<Impl>();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  impl->channel =
      grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
  if (!impl->channel->WaitForConnected(Clock::now() + options.connect_timeout)) {
    return Error{ErrorCode::kUnavailable, "no kaspad RPC answers at " + options.target};
  }
  // What the generated stub does, with the answers' type ours: gRPC's own way to read raw bytes
  // off a typed method (its generic stub is asynchronous only).
  const grpc::internal::RpcMethod method(kMessageStreamMethod,
                                         grpc::internal::RpcMethod::BIDI_STREAMING, impl->channel);
  impl->stream.reset(grpc::internal::ClientReaderWriterFactory<Request, grpc::ByteBuffer>::Create(
      impl->channel.get(), method, &impl->context));
  impl->options = std::move(options);
  Impl* raw = impl.get();
  impl->reader = std::thread([raw] { raw->read_loop(); });
  return std::unique_ptr<RpcClient>(new RpcClient(std::move(impl)));
}

RpcClient::~RpcClient() {
  impl_->context.TryCancel();
  impl_->reader.join();  // it finishes the call
}

bool RpcClient::connected() const {
  std::lock_guard lock(impl_->mu);
  return impl_->open;
}

core::Result<Answer> RpcClient::call(Request request) {
  std::vector<Request> one;
  one.push_back(std::move(request));
  return std::move(call_all(std::move(one)).front());
}

std::vector<core::Result<Answer>> RpcClient::call_all(std::vector<Request> requests) {
  return take(send(std::move(requests)));
}

RpcClient::Batch::Batch(Batch&& other) noexcept
    : client_(std::exchange(other.client_, nullptr)),
      ids_(std::move(other.ids_)),
      written_(other.written_),
      sent_(other.sent_) {
  other.ids_.clear();
}

RpcClient::Batch& RpcClient::Batch::operator=(Batch&& other) noexcept {
  if (this != &other) {
    drop();
    client_ = std::exchange(other.client_, nullptr);
    ids_ = std::move(other.ids_);
    other.ids_.clear();
    written_ = other.written_;
    sent_ = other.sent_;
  }
  return *this;
}

RpcClient::Batch::~Batch() {
  drop();
}

void RpcClient::Batch::drop() {
  if (!client_) return;
  std::lock_guard lock(client_->mu);
  for (std::uint64_t id : ids_) client_->pending.erase(id);
  ids_.clear();
  client_ = nullptr;
}

RpcClient::Batch RpcClient::send(std::vector<Request> requests) {
  Impl& c = *impl_;
  Batch b;
  b.client_ = &c;
  b.sent_ = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(c.mu);
    b.written_ = c.open;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      b.ids_.push_back(c.next_id++);
      c.pending[b.ids_.back()];
    }
  }
  if (!b.written_) return b;
  std::lock_guard lock(c.write_mu);
  b.written_ = !c.finished;
  for (std::size_t i = 0; i < requests.size() && b.written_; ++i) {
    requests[i].set_id(b.ids_[i]);
    // gRPC may hold all but the last back and send them together.
    grpc::WriteOptions wo;
    if (i + 1 < requests.size()) wo.set_buffer_hint();
    b.written_ = c.stream->Write(requests[i], wo);
  }
  return b;
}

std::vector<core::Result<Answer>> RpcClient::take(Batch batch) {
  Impl& c = *impl_;
  std::vector<core::Result<Answer>> out;
  out.reserve(batch.ids_.size());
  std::unique_lock lock(c.mu);
  // A write gRPC refuses means the stream is over, whether or not the reader has seen it yet.
  if (!batch.written_) c.open = false;
  const auto all_answered = [&] {
    for (std::uint64_t id : batch.ids_)
      if (!c.pending.at(id).has_value()) return false;
    return true;
  };
  if (batch.written_) {
    c.answered.wait_until(lock, batch.sent_ + c.options.call_timeout,
                          [&] { return all_answered() || !c.open; });
  }
  for (std::uint64_t id : batch.ids_) {
    std::optional<Answer> answer = std::move(c.pending.at(id));
    c.pending.erase(id);
    if (answer) {
      out.emplace_back(std::move(*answer));
    } else if (!batch.written_ || !c.open) {
      out.emplace_back(c.broke());
    } else {
      out.emplace_back(
          Error{ErrorCode::kUnavailable,
                "no answer within " + std::to_string(c.options.call_timeout.count()) + " ms"});
    }
  }
  batch.ids_.clear();
  batch.client_ = nullptr;
  return out;
}

// --- server ---

namespace {

class Service final : public ::protowire::RPC::Service {
 public:
  explicit Service(RpcServer::Handler handler) : handler_(std::move(handler)) {}

  grpc::Status MessageStream(grpc::ServerContext*,
                             grpc::ServerReaderWriter<Response, Request>* stream) override {
    auto write_mu = std::make_shared<std::mutex>();
    {
      std::lock_guard lock(mu_);
      streams_[stream] = write_mu;
    }
    Request req;
    while (stream->Read(&req)) {
      Answer resp;
      handler_(req, *resp);
      resp->set_id(req.id());
      std::lock_guard lock(*write_mu);
      if (!stream->Write(*resp)) break;
    }
    std::lock_guard lock(mu_);
    streams_.erase(stream);
    return grpc::Status::OK;
  }

  void notify(const Response& n) {
    std::lock_guard lock(mu_);
    for (auto& [stream, write_mu] : streams_) {
      std::lock_guard w(*write_mu);
      stream->Write(n);
    }
  }

 private:
  RpcServer::Handler handler_;
  std::mutex mu_;
  std::map<grpc::ServerReaderWriter<Response, Request>*, std::shared_ptr<std::mutex>> streams_;
};

}  // namespace

struct RpcServer::Impl {
  explicit Impl(Handler h) : service(std::move(h)) {}
  Service service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::once_flag stopped;
};

RpcServer::RpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Result<std::unique_ptr<RpcServer>> RpcServer::start(const std::string& address,
                                                          Handler handler) {
  auto impl = std::make_unique<Impl>(std::move(handler));
  grpc::ServerBuilder builder;
  // gRPC shares a port with SO_REUSEPORT by default: a second server would split the clients.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &impl->port);
  builder.RegisterService(&impl->service);
  impl->server = builder.BuildAndStart();
  if (!impl->server || impl->port == 0) {
    return Error{ErrorCode::kUnavailable,
                 "cannot listen on " + address + " (in use, or not an address of this host)"};
  }
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(impl)));
}

RpcServer::~RpcServer() {
  stop();
}

int RpcServer::port() const {
  return impl_->port;
}

void RpcServer::notify(Response notification) {
  notification.set_id(0);
  impl_->service.notify(notification);
}

void RpcServer::stop() {
  std::call_once(impl_->stopped, [this] {
    // Streams blocked in Read are cancelled once the deadline passes.
    impl_->server->Shutdown(Clock::now() + std::chrono::milliseconds(200));
    impl_->server->Wait();
  });
}

}  // namespace basalt::l1::protowire
