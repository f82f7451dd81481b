#include "preview/preview_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "metrics/metrics.hpp"
#include "preview/picture.hpp"

namespace ballcam::preview {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double gauge(const std::map<std::string, double>& gauges, const char* name) {
  auto it = gauges.find(name);
  return it == gauges.end() ? 0.0 : it->second;
}

std::uint64_t counter(const std::map<std::string, std::uint64_t>& counters, const char* name) {
  auto it = counters.find(name);
  return it == counters.end() ? 0 : it->second;
}

}  // namespace

nlohmann::json pipeline_stats(const metrics::Registry& registry, const std::map<std::string, double>& gauges) {
  const auto counters = registry.counter_values();
  nlohmann::json j;
  j["fps"] = gauge(gauges, "fps");
  j["cpu_percent"] = gauge(gauges, "cpu_percent");
  j["frames_in"] = counter(counters, "frames_in");
  j["frames_out"] = counter(counters, "frames_out");
  // The counter is final only at the end of the run; the gauge is live.
  j["dropped"] = std::max<double>(static_cast<double>(counter(counters, "frames_dropped")),
                                  gauge(gauges, "frames_dropped_now"));
  j["queues"] = {{"decoded", gauge(gauges, "queue_depth_decoded")},
                 {"analysed", gauge(gauges, "queue_depth_analysed")},
                 {"rendered", gauge(gauges, "queue_depth_rendered")}};
  nlohmann::json stages = nlohmann::json::object();
  for (const auto& [name, s] : registry.stage_summaries()) {
    stages[name] = {{"p95_ms", s.p95_ms}, {"p50_ms", s.p50_ms}, {"mean_ms", s.mean_ms}, {"count", s.count}};
  }
  j["stages"] = std::move(stages);
  return j;
}

struct PreviewServer::Impl {
  PreviewOptions options;
  PreviewCallbacks callbacks;
  httplib::Server server;
  std::thread http_thread;
  std::thread worker;
  std::int64_t started_ns = now_ns();
  std::int64_t min_interval_ns = 200'000'000;

  // Render thread -> worker: the latest accepted frame only.
  struct Pending {
    Frame frame;
    TrackState track;
    CropRect crop;
  };
  std::mutex pending_mutex;
  std::condition_variable pending_cv;
  std::optional<Pending> pending;
  std::atomic<std::int64_t> next_accept_ns{0};
  std::atomic<std::uint64_t> frames_superseded{0};
  bool stopping = false;  // guarded by pending_mutex

  // Worker -> HTTP handlers: the latest picture.
  mutable std::mutex picture_mutex;
  mutable std::condition_variable picture_cv;
  std::shared_ptr<const std::vector<std::uint8_t>> jpeg;
  std::uint64_t pictures = 0;
  int picture_w = 0;
  int picture_h = 0;
  double encode_ms = 0.0;
  TrackState track;
  bool have_track = false;
  bool closing = false;  // guarded by picture_mutex; wakes stream clients

  std::atomic<int> streams{0};

  void run_worker() {
    PictureEncoder encoder(options.width_px, options.quality);
    bool warned = false;
    while (true) {
      Pending p;
      {
        std::unique_lock lock(pending_mutex);
        pending_cv.wait(lock, [&] { return stopping || pending.has_value(); });
        if (stopping) return;
        p = std::move(*pending);
        pending.reset();
      }
      const auto t0 = Clock::now();
      auto jpeg_bytes = encoder.encode(p.frame, p.track, p.crop);
      p.frame = Frame{};  // release the pipeline's picture at once
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (!jpeg_bytes.ok()) {
        if (!warned) spdlog::warn("{}", jpeg_bytes.status().message());
        warned = true;
        continue;
      }
      {
        std::lock_guard lock(picture_mutex);
        jpeg = std::make_shared<const std::vector<std::uint8_t>>(std::move(jpeg_bytes).value());
        ++pictures;
        picture_w = encoder.last_width_px();
        picture_h = encoder.last_height_px();
        encode_ms = ms;
        track = p.track;
        have_track = true;
      }
      picture_cv.notify_all();
    }
  }

  nlohmann::json stats_json() {
    nlohmann::json j = callbacks.stats ? callbacks.stats() : nlohmann::json::object();
    if (!j.is_object()) j = nlohmann::json::object();
    j["uptime_s"] = static_cast<double>(now_ns() - started_ns) * 1e-9;
    std::lock_guard lock(picture_mutex);
    nlohmann::json t = {{"mode", have_track ? to_string(track.mode) : "searching"},
                        {"frame", track.frame_index},
                        {"has_estimate", have_track && track.has_estimate}};
    if (have_track && track.has_estimate) {
      t["x"] = track.position.x;
      t["y"] = track.position.y;
      t["uncertainty_px"] = track.uncertainty_px;
    }
    j["track"] = std::move(t);
    j["preview"] = {{"pictures", pictures},
                    {"width", picture_w},
                    {"height", picture_h},
                    {"encode_ms", encode_ms},
                    {"max_fps", options.max_fps},
                    {"frames_superseded", frames_superseded.load()},
                    {"streams", streams.load()}};
    return j;
  }

  std::shared_ptr<const std::vector<std::uint8_t>> latest() const {
    std::lock_guard lock(picture_mutex);
    return jpeg;
  }

  void install_routes() {
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(page_html(), "text/html; charset=utf-8");
    });
    server.Get("/stats.json", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(stats_json().dump(), "application/json");
    });
    server.Get("/frame.jpg", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      auto pic = latest();
      if (!pic) {
        res.status = 503;
        res.set_header("Retry-After", "1");
        res.set_content("no picture yet\n", "text/plain");
        return;
      }
      res.set_content(reinterpret_cast<const char*>(pic->data()), pic->size(), "image/jpeg");
    });
    server.Get("/stream.mjpg", [this](const httplib::Request&, httplib::Response& res) {
      if (streams.fetch_add(1) >= options.max_streams) {
        streams.fetch_sub(1);
        res.status = 503;
        res.set_content("too many preview streams; use /frame.jpg\n", "text/plain");
        return;
      }
      res.set_header("Cache-Control", "no-store");
      auto last_seen = std::make_shared<std::uint64_t>(0);
      res.set_chunked_content_provider(
          "multipart/x-mixed-replace; boundary=ballcamframe",
          [this, last_seen](std::size_t, httplib::DataSink& sink) {
            std::shared_ptr<const std::vector<std::uint8_t>> pic;
            {
              std::unique_lock lock(picture_mutex);
              // Wake at least once a second to notice a gone client.
              picture_cv.wait_for(lock, std::chrono::seconds(1),
                                  [&] { return closing || pictures != *last_seen; });
              if (closing) return false;
              if (pictures == *last_seen || !jpeg) return sink.is_writable();
              *last_seen = pictures;
              pic = jpeg;
            }
            const std::string head = "--ballcamframe\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                                     std::to_string(pic->size()) + "\r\n\r\n";
            if (!sink.write(head.data(), head.size())) return false;
            if (!sink.write(reinterpret_cast<const char*>(pic->data()), pic->size())) return false;
            return sink.write("\r\n", 2);
          },
          [this](bool) { streams.fetch_sub(1); });
    });
  }
};

PreviewServer::PreviewServer(std::unique_ptr<Impl> impl, int port) : impl_(std::move(impl)), port_(port) {}

PreviewServer::~PreviewServer() {
  Impl& im = *impl_;
  {
    std::lock_guard lock(im.picture_mutex);
    im.closing = true;
  }
  im.picture_cv.notify_all();
  im.server.stop();
  if (im.http_thread.joinable()) im.http_thread.join();
  {
    std::lock_guard lock(im.pending_mutex);
    im.stopping = true;
  }
  im.pending_cv.notify_all();
  if (im.worker.joinable()) im.worker.join();
}

Result<std::unique_ptr<PreviewServer>> PreviewServer::start(PreviewOptions options, PreviewCallbacks callbacks) {
  if (options.port < 0 || options.port > 65535) {
    return error(ErrorCode::kInvalidArgument, "preview port out of range: " + std::to_string(options.port));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->callbacks = std::move(callbacks);
  const double max_fps = std::clamp(impl->options.max_fps, 0.1, 60.0);
  impl->min_interval_ns = static_cast<std::int64_t>(1e9 / max_fps);
  Impl* raw = impl.get();
  raw->install_routes();
  // A browser keeps idle connections open; a short keep-alive lets the run
  // end promptly.
  raw->server.set_keep_alive_timeout(1);
  // Only SO_REUSEADDR (see metrics/http_exporter.cpp): no silent port sharing.
  raw->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  const std::string& addr = raw->options.bind_address;
  int bound = raw->options.port;
  if (bound == 0) {
    bound = raw->server.bind_to_any_port(addr.c_str());
  } else if (!raw->server.bind_to_port(addr.c_str(), bound)) {
    bound = -1;
  }
  if (bound <= 0) {
    return error(ErrorCode::kInvalidArgument,
                 "preview: cannot listen on " + addr + ":" + std::to_string(raw->options.port) + " (port in use?)");
  }
  raw->worker = std::thread([raw] { raw->run_worker(); });
  raw->http_thread = std::thread([raw] { raw->server.listen_after_bind(); });
  // stop() is a no-op until the server runs: wait for it.
  for (int i = 0; i < 2000 && !raw->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<PreviewServer>(new PreviewServer(std::move(impl), bound));
}

bool PreviewServer::wants_frame() const {
  return now_ns() >= impl_->next_accept_ns.load(std::memory_order_relaxed);
}

void PreviewServer::push(const Frame& frame, const TrackState& track, const CropRect& crop) {
  Impl& im = *impl_;
  const std::int64_t now = now_ns();
  if (now < im.next_accept_ns.load(std::memory_order_relaxed)) return;
  if (frame.empty() || !frame.host_420()) return;
  // Never wait: if the worker is swapping right now, try the next frame.
  std::unique_lock lock(im.pending_mutex, std::try_to_lock);
  if (!lock.owns_lock()) return;
  if (im.pending) im.frames_superseded.fetch_add(1, std::memory_order_relaxed);
  im.pending = Impl::Pending{frame, track, crop};  // shares the pixels; no copy
  im.next_accept_ns.store(now + im.min_interval_ns, std::memory_order_relaxed);
  lock.unlock();
  im.pending_cv.notify_one();
}

std::vector<std::uint8_t> PreviewServer::latest_jpeg() const {
  auto pic = impl_->latest();
  return pic ? *pic : std::vector<std::uint8_t>{};
}

std::uint64_t PreviewServer::pictures_encoded() const {
  std::lock_guard lock(impl_->picture_mutex);
  return impl_->pictures;
}

bool PreviewServer::wait_for_pictures(std::uint64_t count, int timeout_ms) const {
  std::unique_lock lock(impl_->picture_mutex);
  return impl_->picture_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                    [&] { return impl_->pictures >= count; });
}

}  // namespace ballcam::preview
