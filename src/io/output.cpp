#include "io/output.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "io/media_internal.hpp"

namespace ballcam::io {

bool is_network_url(const std::string& url) {
  const std::string scheme = url_scheme(url);
  return !scheme.empty() && scheme != "file" && scheme != "pipe";
}

AudioPacket copy_audio_packet(const AudioPacket& packet) {
  if (packet.impl() == nullptr || !packet.impl()->packet) return AudioPacket();
  auto impl = std::make_unique<AudioPacket::Impl>();
  impl->time_base = packet.impl()->time_base;
  impl->packet = ff::make_packet();
  if (!impl->packet || av_packet_ref(impl->packet.get(), packet.impl()->packet.get()) < 0) return AudioPacket();
  return AudioPacket(std::move(impl));
}

void shift_audio_packet(AudioPacket& packet, std::int64_t delta_us) {
  if (delta_us == 0 || packet.impl() == nullptr || !packet.impl()->packet) return;
  AVPacket* p = packet.impl()->packet.get();
  const std::int64_t d = av_rescale_q(delta_us, AVRational{1, 1000000}, packet.impl()->time_base);
  if (p->pts != AV_NOPTS_VALUE) p->pts += d;
  if (p->dts != AV_NOPTS_VALUE) p->dts += d;
}

namespace {

using Clock = std::chrono::steady_clock;

class ReconnectingSink final : public Sink {
 public:
  ReconnectingSink(SinkOptions options, AudioStreamDescPtr audio, const OutputReconnect& reconnect,
                   std::shared_ptr<std::atomic<bool>> cancel, std::unique_ptr<Sink> first)
      : options_(std::move(options)),
        audio_(std::move(audio)),
        capacity_(static_cast<std::size_t>(std::max(reconnect.buffer_frames, 1))),
        backoff_(reconnect.backoff),
        cancel_(std::move(cancel)),
        inner_(std::move(first)) {
    options_.cancel = cancel_;
    url_redacted_ = redact_url(options_.url);
    worker_ = std::thread([this] { run(); });
  }
  ~ReconnectingSink() override { (void)finish(); }

  Status write_video(const Frame& frame) override {
    if (closing_) return error(ErrorCode::kInternal, "write_video after finish()");
    push(Item{frame});
    return Status::Ok();
  }
  Status write_audio(AudioPacket packet) override {
    if (closing_) return error(ErrorCode::kInternal, "write_audio after finish()");
    push(Item{std::move(packet)});
    return Status::Ok();
  }
  Status write_audio_samples(const float*, int, std::int64_t) override {
    return error(ErrorCode::kInvalidArgument, "reconnecting outputs take audio packets only");
  }

  Status finish() override {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return finish_status_;
      closing_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
    if (inner_) {
      finish_status_ = inner_->finish();
      absorb_counts();
      inner_.reset();
    } else {
      spdlog::warn("output {}: not connected at the end; the stream ended while reconnecting", url_redacted_);
    }
    return finish_status_;
  }

  void interrupt() override {
    cancel_->store(true);
    cv_.notify_all();
  }

  std::uint64_t frames_written() const override {
    std::lock_guard lock(mutex_);
    return frames_done_ + inner_frames_.load();
  }
  std::uint64_t bytes_written() const override {
    std::lock_guard lock(mutex_);
    return bytes_done_ + inner_bytes_.load();
  }
  std::uint64_t frames_dropped() const override { return dropped_.load(); }
  std::uint64_t reconnects() const override { return reconnects_.load(); }

 private:
  using Item = std::variant<Frame, AudioPacket>;

  void push(Item item) {
    {
      std::lock_guard lock(mutex_);
      const bool video = std::holds_alternative<Frame>(item);
      if (video) {
        if (videos_ >= capacity_) {  // drop the oldest frame: the viewer wants now, not then
          const auto it = std::find_if(items_.begin(), items_.end(),
                                       [](const Item& i) { return std::holds_alternative<Frame>(i); });
          if (it != items_.end()) {
            items_.erase(it);
            --videos_;
            dropped_.fetch_add(1);
          }
        }
        ++videos_;
      } else if (items_.size() >= capacity_ * 8) {
        return;  // audio beyond any sensible backlog
      }
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

  void absorb_counts() {
    std::lock_guard lock(mutex_);
    frames_done_ += inner_->frames_written();
    bytes_done_ += inner_->bytes_written();
    inner_frames_ = 0;
    inner_bytes_ = 0;
  }

  void lose(const Status& why) {
    spdlog::warn("{}; reconnecting", why.message());
    inner_->abort();
    absorb_counts();
    inner_.reset();
    lost_at_ = Clock::now();
    next_try_ = Clock::now() + std::chrono::milliseconds(backoff_.next_delay_ms());
  }

  void try_connect() {
    auto snk = Sink::open(options_, audio_);
    if (cancel_->load()) return;
    if (!snk.ok()) {
      if (failures_++ % 10 == 0) spdlog::warn("output reconnect failed: {}", snk.status().message());
      next_try_ = Clock::now() + std::chrono::milliseconds(backoff_.next_delay_ms());
      return;
    }
    inner_ = std::move(snk).value();
    failures_ = 0;
    backoff_.reset();
    reconnects_.fetch_add(1);
    spdlog::info("output {} reconnected after {:.1f} s", url_redacted_,
                 std::chrono::duration<double>(Clock::now() - lost_at_).count());
  }

  void run() {
    for (;;) {
      if (!inner_ && !cancel_->load()) {
        if (closing_) {  // no reconnecting at shutdown: drop what is left
          std::lock_guard lock(mutex_);
          dropped_.fetch_add(videos_);
          items_.clear();
          videos_ = 0;
          return;
        }
        if (Clock::now() >= next_try_) try_connect();
      }
      std::optional<Item> item;
      {
        std::unique_lock lock(mutex_);
        auto ready = [&] { return closing_ || !items_.empty() || cancel_->load(); };
        if (inner_) cv_.wait(lock, ready);
        else cv_.wait_until(lock, next_try_, ready);
        if (!items_.empty()) {
          item = std::move(items_.front());
          items_.pop_front();
          if (std::holds_alternative<Frame>(*item)) --videos_;
        } else if (closing_ || cancel_->load()) {
          return;
        }
      }
      if (!item) continue;  // time for the next connection attempt
      const bool video = std::holds_alternative<Frame>(*item);
      if (!inner_ || cancel_->load()) {
        if (video) dropped_.fetch_add(1);
        continue;
      }
      Status st = video ? inner_->write_video(std::get<Frame>(*item)) : inner_->write_audio(std::move(std::get<AudioPacket>(*item)));
      inner_frames_ = inner_->frames_written();
      inner_bytes_ = inner_->bytes_written();
      if (!st.ok()) {
        if (video) dropped_.fetch_add(1);
        lose(st);
      }
    }
  }

  SinkOptions options_;
  AudioStreamDescPtr audio_;
  std::string url_redacted_;
  const std::size_t capacity_;
  Backoff backoff_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::unique_ptr<Sink> inner_;  // touched by the worker, then by finish() after the join

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> items_;
  std::size_t videos_ = 0;
  std::atomic<bool> closing_{false};
  Status finish_status_;

  Clock::time_point next_try_{};
  Clock::time_point lost_at_{};
  std::uint64_t failures_ = 0;
  std::uint64_t frames_done_ = 0;
  std::uint64_t bytes_done_ = 0;
  std::atomic<std::uint64_t> inner_frames_{0};
  std::atomic<std::uint64_t> inner_bytes_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::thread worker_;  // last: starts after everything above exists
};

}  // namespace

Result<std::unique_ptr<Sink>> open_output(const SinkOptions& options, AudioStreamDescPtr audio,
                                          const OutputReconnect& reconnect) {
  if (!reconnect.enabled || !is_network_url(options.url)) return Sink::open(options, std::move(audio));
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  SinkOptions with_cancel = options;
  with_cancel.cancel = cancel;
  auto first = Sink::open(with_cancel, audio);
  if (!first.ok()) return first.status();
  return std::unique_ptr<Sink>(std::make_unique<ReconnectingSink>(std::move(with_cancel), std::move(audio), reconnect,
                                                                   std::move(cancel), std::move(first).value()));
}

}  // namespace ballcam::io
