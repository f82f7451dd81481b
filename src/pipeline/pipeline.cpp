#include "pipeline/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <mutex>
#include <thread>
#include <variant>

#include "core/bounded_queue.hpp"
#include "core/records.hpp"
#include "metrics/nvml.hpp"
#include "render/crop_scale.hpp"
#include "render/overlay.hpp"

namespace ballcam::pipeline {

const char* to_string(Device device) {
  switch (device) {
    case Device::kAuto: return "auto";
    case Device::kCpu: return "cpu";
    case Device::kCuda: return "cuda";
  }
  return "unknown";
}

namespace {

using Clock = std::chrono::steady_clock;

// A frame with what analysis decided about it.
struct AnalysedFrame {
  Frame frame;
  CropRect crop;
  TrackState track;
  Detections detections;
};

}  // namespace

struct Pipeline::Impl {
  explicit Impl(const PipelineConfig& c)
      : frames(static_cast<std::size_t>(c.queue_capacity), OverflowPolicy::kBlock),
        analysed(static_cast<std::size_t>(c.queue_capacity), OverflowPolicy::kBlock),
        rendered(static_cast<std::size_t>(c.queue_capacity), OverflowPolicy::kBlock),
        audio(2048, OverflowPolicy::kBlock) {}

  // Built in open(), used by the stage threads.
  std::unique_ptr<io::Source> source;
  std::unique_ptr<io::Sink> sink;
  std::unique_ptr<detect::Detector> detector;
  std::unique_ptr<BallTracker> tracker;
  std::unique_ptr<VirtualCamera> camera;
  std::unique_ptr<render::CropScaler> scaler;
  std::ofstream track_out;

  BoundedQueue<Frame> frames;
  BoundedQueue<AnalysedFrame> analysed;
  BoundedQueue<Frame> rendered;
  BoundedQueue<io::AudioPacket> audio;
  std::unique_ptr<BoundedQueue<Frame>> live_frames;  // drop-oldest variant for live inputs

  metrics::Registry registry;
  std::atomic<std::int64_t> frames_out{0};
  std::atomic<bool> aborted{false};
  std::mutex error_mutex;
  Status first_error;

  BoundedQueue<Frame>& frame_queue() { return live_frames ? *live_frames : frames; }

  void fail(Status status) {
    {
      std::lock_guard lock(error_mutex);
      if (first_error.ok()) first_error = std::move(status);
    }
    aborted = true;
    frame_queue().close();
    analysed.close();
    rendered.close();
    audio.close();
    if (source) source->interrupt();
  }
};

Pipeline::Pipeline(PipelineConfig config) : config_(std::move(config)), impl_(std::make_unique<Impl>(config_)) {}

Pipeline::~Pipeline() = default;

namespace {
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Process CPU time (user + system), seconds.
double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}
}  // namespace

const metrics::Registry& Pipeline::registry() const { return impl_->registry; }

std::map<std::string, double> Pipeline::gauges() const {
  std::lock_guard lock(gauges_mutex_);
  return gauges_;
}

bool Pipeline::healthy(double stall_after_s) const {
  const std::int64_t now = now_ns();
  const std::int64_t last = last_output_ns_.load();
  const std::int64_t started = started_ns_.load();
  const auto limit = static_cast<std::int64_t>(stall_after_s * 1e9);
  if (last == 0) return started != 0 && now - started < limit;
  return now - last < limit;
}

void Pipeline::request_stop() {
  // Only an atomic store: safe from a signal handler. run()'s monitor loop
  // sees it and interrupts a blocked demuxer.
  stop_requested_.store(true);
}

Status Pipeline::run() {
  Impl& im = *impl_;
  const auto started = Clock::now();
  started_ns_.store(now_ns());

  if (config_.device == Device::kCuda) {
    return error(ErrorCode::kUnavailable,
                 "--device cuda: this build has no CUDA pipeline; use --device cpu or auto");
  }

  // --- open everything (errors here leave no output behind) ---------------
  {
    auto src = io::Source::open(config_.source);
    if (!src.ok()) return src.status();
    im.source = std::move(src).value();
  }
  const io::StreamInfo& info = im.source->info();
  const bool live = info.live;
  double fps = info.frame_rate.value();
  if (!(fps > 1.0 && fps < 1000.0)) fps = 25.0;
  if (live) {
    im.live_frames = std::make_unique<BoundedQueue<Frame>>(static_cast<std::size_t>(config_.queue_capacity),
                                                           OverflowPolicy::kDropOldest);
  }
  spdlog::info("input {}: {} {}x{} @ {:.3f} fps{}{}", info.url_redacted, info.video_codec, info.width_px,
               info.height_px, fps, live ? ", live" : "",
               info.has_audio ? ", audio " + info.audio_codec : ", no audio");
  spdlog::info("device {}: CPU pipeline (decode libavcodec, detect '{}', encode libx264)",
               to_string(config_.device), config_.detector.name);

  {
    auto det = detect::create_detector(config_.detector);
    if (!det.ok()) return det.status();
    im.detector = std::move(det).value();
  }
  im.tracker = std::make_unique<BallTracker>(config_.tracker.scaled_for(info.width_px, fps), info.width_px, info.height_px, fps);
  im.camera = std::make_unique<VirtualCamera>(config_.camera, info.width_px, info.height_px, fps);
  im.scaler = std::make_unique<render::CropScaler>(config_.camera.output_width_px, config_.camera.output_height_px);

  if (!config_.track_out.empty()) {
    im.track_out.open(config_.track_out, std::ios::out | std::ios::trunc);
    if (!im.track_out) return error(ErrorCode::kOutputError, "cannot write track file '" + config_.track_out + "'");
  }

  io::SinkOptions sink_options = config_.sink;
  sink_options.video.width_px = config_.camera.output_width_px;
  sink_options.video.height_px = config_.camera.output_height_px;
  if (info.frame_rate.num > 0 && info.frame_rate.den > 0) sink_options.video.frame_rate = info.frame_rate;
  {
    auto audio_desc = sink_options.audio == io::AudioPolicy::kNone ? nullptr : im.source->audio();
    auto snk = io::Sink::open(sink_options, audio_desc);
    if (!snk.ok()) return snk.status();
    im.sink = std::move(snk).value();
  }
  const bool with_audio = sink_options.audio != io::AudioPolicy::kNone && im.source->audio() != nullptr;

  auto& decode_stats = im.registry.stage("decode");
  auto& detect_stats = im.registry.stage("detect");
  auto& track_stats = im.registry.stage("track_camera");
  auto& render_stats = im.registry.stage("render");
  auto& encode_stats = im.registry.stage("encode");
  auto& frames_in = im.registry.counter("frames_in");
  auto& audio_packets = im.registry.counter("audio_packets");
  auto& frames_out_counter = im.registry.counter("frames_out");
  // Registered up front so /metrics shows them from the first scrape. The CPU
  // pipeline moves no bytes between host and device; nothing reconnects yet.
  im.registry.counter("bytes_host_to_device");
  im.registry.counter("bytes_device_to_host");
  im.registry.counter("reconnects");

  // --- stage threads ------------------------------------------------------
  std::thread source_thread([&] {
    BoundedQueue<Frame>& out = im.frame_queue();
    while (!stop_requested_.load() && !im.aborted.load()) {
      if (config_.max_frames >= 0 && static_cast<std::int64_t>(frames_in.value()) >= config_.max_frames) break;
      const auto t0 = Clock::now();
      auto item = im.source->read();
      if (!item.ok()) {
        if (stop_requested_.load()) break;  // an interrupted read is not an error
        im.fail(item.status());
        break;
      }
      if (auto* frame = std::get_if<Frame>(&*item)) {
        decode_stats.add_ms(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        frames_in.add();
        if (!out.push(std::move(*frame))) break;
      } else if (auto* packet = std::get_if<io::AudioPacket>(&*item)) {
        if (with_audio) {
          audio_packets.add();
          if (!im.audio.push(std::move(*packet))) break;
        }
      } else {
        break;  // EndOfStream
      }
    }
    out.close();
    im.audio.close();
  });

  std::thread analyse_thread([&] {
    while (auto frame = im.frame_queue().pop()) {
      if (im.aborted.load()) break;
      detect::DetectHints hints;
      if (auto p = im.tracker->predict(1)) {
        hints.predicted = *p;
        hints.search_radius_px = im.tracker->search_radius_px();
      }
      Result<Detections> dets = [&] {
        metrics::ScopedTimer timer(detect_stats);
        return im.detector->detect(*frame, hints);
      }();
      if (!dets.ok()) {
        im.fail(dets.status().with_context("detector"));
        break;
      }
      dets->frame_index = frame->index;
      dets->pts_us = frame->pts_us;
      AnalysedFrame a;
      {
        metrics::ScopedTimer timer(track_stats);
        a.track = im.tracker->update(*dets);
        a.crop = im.camera->update(a.track);
      }
      if (im.track_out.is_open() || on_record) {
        TrackRecord rec;
        rec.frame_index = frame->index;
        rec.pts_us = frame->pts_us;
        rec.detections = dets->balls;
        rec.players = dets->players;
        rec.track = a.track;
        rec.crop = a.crop;
        if (im.track_out.is_open()) im.track_out << to_json_line(rec) << '\n';
        if (on_record) {
          Status st = on_record(rec);
          if (!st.ok()) {
            im.fail(std::move(st));
            break;
          }
        }
      }
      a.detections = std::move(dets).value();
      a.frame = std::move(*frame);
      if (!im.analysed.push(std::move(a))) break;
    }
    im.analysed.close();
  });

  std::thread render_thread([&] {
    while (auto a = im.analysed.pop()) {
      if (im.aborted.load()) break;
      Frame out;
      {
        metrics::ScopedTimer timer(render_stats);
        out = im.scaler->render(a->frame, a->crop);
        if (config_.overlay) render::draw_overlay(out, a->crop, a->track, a->detections);
      }
      a->frame = Frame{};  // release the decoder's picture early
      if (on_output_frame) on_output_frame(out, a->track, a->crop);
      if (!im.rendered.push(std::move(out))) break;
    }
    im.rendered.close();
  });

  std::thread sink_thread([&] {
    auto drain_audio = [&](bool all) {
      while (true) {
        auto packet = all ? im.audio.pop() : im.audio.try_pop();
        if (!packet) return Status::Ok();
        BALLCAM_RETURN_IF_ERROR(im.sink->write_audio(std::move(*packet)));
      }
    };
    while (auto frame = im.rendered.pop()) {
      if (im.aborted.load()) break;
      Status st;
      {
        metrics::ScopedTimer timer(encode_stats);
        st = im.sink->write_video(*frame);
      }
      if (st.ok() && with_audio) st = drain_audio(false);
      if (!st.ok()) {
        im.fail(st);
        break;
      }
      im.frames_out.fetch_add(1);
      frames_out_counter.add();
      last_output_ns_.store(now_ns());
    }
    if (!im.aborted.load() && with_audio) {
      Status st = drain_audio(true);
      if (!st.ok()) im.fail(st);
    }
  });

  // --- monitor: progress, periodic lines for live inputs ------------------
  auto last_report = Clock::now();
  std::int64_t last_frames = 0;
  bool interrupted = false;
  auto gauge_time = Clock::now();
  std::int64_t gauge_frames = 0;
  double gauge_cpu = process_cpu_s();
  const std::unique_ptr<metrics::Nvml> nvml = metrics::Nvml::open();
  std::map<std::string, std::pair<std::uint64_t, double>> stage_prev;
  nlohmann::json timeline = nlohmann::json::array();
  const std::int64_t total = config_.max_frames >= 0 && info.frame_count >= 0
                                 ? std::min(config_.max_frames, info.frame_count)
                                 : (config_.max_frames >= 0 ? config_.max_frames : info.frame_count);
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop_requested_.load() && !interrupted) {
      im.source->interrupt();
      interrupted = true;
    }
    if (on_progress) on_progress(im.frames_out.load(), total);
    {
      const auto now = Clock::now();
      const double dt = std::chrono::duration<double>(now - gauge_time).count();
      if (dt >= 1.0) {
        const std::int64_t f = im.frames_out.load();
        const double cpu = process_cpu_s();
        std::lock_guard lock(gauges_mutex_);
        gauges_["fps"] = (f - gauge_frames) / dt;
        gauges_["cpu_percent"] = 100.0 * (cpu - gauge_cpu) / dt;
        gauges_["queue_depth_decoded"] = static_cast<double>(im.frame_queue().size());
        gauges_["queue_depth_analysed"] = static_cast<double>(im.analysed.size());
        gauges_["queue_depth_rendered"] = static_cast<double>(im.rendered.size());
        gauges_["frames_dropped_now"] = static_cast<double>(im.frame_queue().dropped());
        metrics::GpuSample gpu;
        if (nvml && nvml->sample(gpu)) {
          gauges_["gpu_utilisation_percent"] = gpu.utilisation_percent;
          gauges_["gpu_memory_used_bytes"] = gpu.memory_used_bytes;
          gauges_["gpu_memory_total_bytes"] = gpu.memory_total_bytes;
        }
        // One timeline sample per second: what the report plots over time.
        nlohmann::json sample = {{"t_s", std::chrono::duration<double>(now - started).count()},
                                 {"frames_out", f},
                                 {"fps", gauges_["fps"]},
                                 {"cpu_percent", gauges_["cpu_percent"]}};
        for (const auto& [name, st] : im.registry.stage_summaries()) {
          auto& prev = stage_prev[name];
          const double n = static_cast<double>(st.count - prev.first);
          sample["stage_mean_ms"][name] = n > 0 ? (st.total_ms - prev.second) / n : 0.0;
          prev = {st.count, st.total_ms};
        }
        timeline.push_back(std::move(sample));
        gauge_frames = f;
        gauge_cpu = cpu;
        gauge_time = now;
      }
    }
    if (live && config_.report_interval_s > 0) {
      const auto now = Clock::now();
      const double dt = std::chrono::duration<double>(now - last_report).count();
      if (dt >= config_.report_interval_s) {
        const std::int64_t f = im.frames_out.load();
        spdlog::info("frames {} ({:.1f} fps), dropped {}, queues {}/{}/{}", f, (f - last_frames) / dt,
                     im.frame_queue().dropped(), im.frame_queue().size(), im.analysed.size(), im.rendered.size());
        last_frames = f;
        last_report = now;
      }
    }
    // Done when every stage has ended: the sink's input closed and drained.
    if (im.rendered.closed() && im.rendered.size() == 0 && im.analysed.closed() && im.frame_queue().closed()) break;
  }
  source_thread.join();
  analyse_thread.join();
  render_thread.join();
  sink_thread.join();
  if (on_progress) on_progress(im.frames_out.load(), total);

  Status finish = im.sink->finish();
  if (im.track_out.is_open()) im.track_out.flush();

  // --- summary --------------------------------------------------------------
  const double wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  im.registry.counter("frames_dropped").set(im.frame_queue().dropped());
  im.registry.counter("corrupt_packets").set(im.source->corrupt_packets());
  im.registry.counter("bytes_in").set(im.source->bytes_read());
  im.registry.counter("bytes_out").set(im.sink->bytes_written());
  im.registry.counter("bytes_host_to_device").set(0);
  im.registry.counter("bytes_device_to_host").set(0);
  summary_.wall_s = wall_s;
  summary_.fps = wall_s > 0 ? static_cast<double>(im.frames_out.load()) / wall_s : 0.0;
  summary_.stages = im.registry.stage_summaries();
  summary_.counters = im.registry.counter_values();
  summary_.extra = {{"input", {{"url", info.url_redacted},
                               {"codec", info.video_codec},
                               {"width", info.width_px},
                               {"height", info.height_px},
                               {"fps", fps},
                               {"live", live},
                               {"audio", info.has_audio ? info.audio_codec : ""}}},
                    {"output", {{"width", config_.camera.output_width_px},
                                {"height", config_.camera.output_height_px},
                                {"audio", with_audio}}},
                    {"detector", im.detector->name()},
                    {"timeline", std::move(timeline)},
                    {"device", "cpu"}};
  if (!config_.metrics_json.empty()) {
    std::ofstream out(config_.metrics_json);
    if (!out) {
      if (finish.ok()) finish = error(ErrorCode::kOutputError, "cannot write metrics file '" + config_.metrics_json + "'");
    } else {
      out << metrics::to_json(summary_).dump(2) << '\n';
    }
  }

  {
    std::lock_guard lock(im.error_mutex);
    if (!im.first_error.ok()) return im.first_error;
  }
  if (!finish.ok()) return finish;
  if (stop_requested_.load()) return error(ErrorCode::kCancelled, "stopped by signal; output finalised");
  return Status::Ok();
}

}  // namespace ballcam::pipeline
