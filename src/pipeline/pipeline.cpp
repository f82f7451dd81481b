#include "pipeline/pipeline.hpp"
#include "pipeline/device_choice.hpp"
#include "pipeline/gpu_frames.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <ctime>
#include <limits>
#include <optional>
#include <fstream>
#include <mutex>
#include <thread>
#include <variant>

#include "core/bounded_queue.hpp"
#include "core/records.hpp"
#include "metrics/nvml.hpp"
#include "render/crop_scale.hpp"
#include "render/overlay.hpp"
#include "render/slate.hpp"
#include "track/hindsight.hpp"

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
        audio(2048, OverflowPolicy::kBlock),
        live_analysed(1, OverflowPolicy::kBlock),
        live_rendered(1, OverflowPolicy::kBlock) {}

  // Built in open(), used by the stage threads.
  // The zero-copy path (device plan); null on the CPU path. First, so it
  // goes last: an NVENC sink holds its device pictures until it is closed.
  std::unique_ptr<GpuFrames> gpu_frames;
  std::unique_ptr<io::Source> source;
  std::unique_ptr<io::Sink> sink;
  std::unique_ptr<io::Sink> record;  // --record: a local file beside the main output
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
  // Live inputs: frames waiting behind the drop point (the decoded-frame
  // queue) only add latency, so these hold one frame.
  BoundedQueue<AnalysedFrame> live_analysed;
  BoundedQueue<Frame> live_rendered;
  bool live = false;

  metrics::Registry registry;
  std::atomic<std::int64_t> frames_out{0};
  std::atomic<bool> aborted{false};
  std::mutex error_mutex;
  Status first_error;

  BoundedQueue<Frame>& frame_queue() { return live_frames ? *live_frames : frames; }
  BoundedQueue<AnalysedFrame>& analysed_queue() { return live ? live_analysed : analysed; }
  BoundedQueue<Frame>& rendered_queue() { return live ? live_rendered : rendered; }

  // A stage thread running `body`. An exception escaping it (a bug, memory
  // running out) would end the process in std::terminate with the outputs
  // unfinalised; it ends the run with an error instead (fail() closes the
  // queues the body would have closed).
  template <typename Body>
  std::thread start_stage(const char* stage, Body body) {
    return std::thread([this, stage, body = std::move(body)]() mutable {
      try {
        body();
      } catch (const std::exception& e) {
        fail(error(ErrorCode::kInternal, std::string(stage) + " thread: " + e.what()));
      }
    });
  }

  void fail(Status status) {
    {
      std::lock_guard lock(error_mutex);
      if (first_error.ok()) first_error = std::move(status);
    }
    aborted = true;
    frame_queue().close();
    analysed_queue().close();
    rendered_queue().close();
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

// The tracker's settings for this input, scaled to its size and rate, with
// automatic hindsight resolved: files get it, live inputs keep their latency.
TrackerConfig input_tracker_config(TrackerConfig config, bool live, int width_px, double fps) {
  if (config.hindsight_frames < 0) config.hindsight_frames = live ? 0 : TrackerConfig::kAutoHindsightFrames;
  return config.scaled_for(width_px, fps);
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

  // --- device choice (probes the driver; docs/GPU.md) ----------------------
  DevicePlan plan;
  {
    auto p = plan_for(config_);
    if (!p.ok()) return p.status();
    plan = std::move(p).value();
  }
  {
    auto g = open_gpu_frames(config_.device, plan, config_.camera.output_width_px, config_.camera.output_height_px);
    if (!g.ok()) return g.status();
    im.gpu_frames = std::move(g).value();
  }
  {
    // Before the Source: a detector that does not start on CUDA turns an auto
    // plan into the CPU pipeline, and then decoded frames leave the GPU.
    auto det = open_detector(config_.device, config_.detector, plan, im.gpu_frames);
    if (!det.ok()) return det.status();
    im.detector = std::move(det).value();
  }

  // --- open everything (errors here leave no output behind) ---------------
  {
    const io::SourceOptions source_options = source_options_for(config_.source, plan);
    auto src = io::Source::open(source_options);
    if (!src.ok()) {
      if (config_.device == Device::kCuda && src.status().code() == ErrorCode::kUnavailable) {
        std::string why = src.status().message();
        if (why.rfind("--decode nvdec: ", 0) == 0) why = why.substr(16);
        return error(ErrorCode::kUnavailable, "--device cuda: " + why + "; use --device cpu or auto");
      }
      return src.status();
    }
    im.source = std::move(src).value();
  }
  const io::StreamInfo& info = im.source->info();
  const bool live = info.live;
  double fps = info.frame_rate.value();
  if (!(fps > 1.0 && fps < 1000.0)) fps = 25.0;
  if (live) {
    im.live = true;
    im.live_frames = std::make_unique<BoundedQueue<Frame>>(
        static_cast<std::size_t>(std::min(config_.queue_capacity, config_.live_queue_capacity)), OverflowPolicy::kDropOldest);
  }
  BoundedQueue<AnalysedFrame>& analysed_q = im.analysed_queue();
  BoundedQueue<Frame>& rendered_q = im.rendered_queue();
  spdlog::info("input {}: {} {}x{} @ {:.3f} fps{}{}", info.url_redacted, info.video_codec, info.width_px,
               info.height_px, fps, live ? ", live" : "",
               info.has_audio ? ", audio " + info.audio_codec : ", no audio");
  spdlog::info("{}", describe_choice(config_.device, plan, info, config_.detector.name));

  im.tracker = std::make_unique<BallTracker>(input_tracker_config(config_.tracker, live, info.width_px, fps), info.width_px,
                                             info.height_px, fps);
  im.camera = std::make_unique<VirtualCamera>(config_.camera, info.width_px, info.height_px, fps);
  im.scaler = std::make_unique<render::CropScaler>(config_.camera.output_width_px, config_.camera.output_height_px);

  if (!config_.track_out.empty()) {
    im.track_out.open(config_.track_out, std::ios::out | std::ios::trunc);
    if (!im.track_out) return error(ErrorCode::kOutputError, "cannot write track file '" + config_.track_out + "'");
  }

  io::SinkOptions sink_options = config_.sink;
  sink_options.video = encode_options_for(sink_options.video, plan);
  sink_options.video.width_px = config_.camera.output_width_px;
  sink_options.video.height_px = config_.camera.output_height_px;
  if (info.frame_rate.num > 0 && info.frame_rate.den > 0) sink_options.video.frame_rate = info.frame_rate;
  // End-to-end latency of the main output: a frame's arrival to its packet leaving.
  auto& latency_stats = im.registry.stage("frame_to_packet");
  if (live) sink_options.on_packet_latency_ms = [&latency_stats](double ms) { latency_stats.add_ms(ms); };
  {
    auto audio_desc = sink_options.audio == io::AudioPolicy::kNone ? nullptr : im.source->audio();
    if (!config_.record_url.empty()) {
      io::SinkOptions record_options = sink_options;
      record_options.url = config_.record_url;
      record_options.format.clear();
      record_options.on_packet_latency_ms = nullptr;
      if (io::is_network_url(record_options.url)) {
        return error(ErrorCode::kInvalidArgument, "--record wants a local file (e.g. match.mp4), not a URL");
      }
      if (record_options.url == sink_options.url) {
        return error(ErrorCode::kInvalidArgument, "--record and --output name the same file; give the recording its own name");
      }
      auto rec = io::Sink::open(record_options, audio_desc);
      if (!rec.ok()) return rec.status();
      im.record = std::move(rec).value();
    }
    auto snk = io::open_output(sink_options, audio_desc, config_.output_reconnect);
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
  // pipeline moves no bytes between host and device.
  im.registry.counter("bytes_host_to_device");
  im.registry.counter("bytes_device_to_host");
  auto& reconnects = im.registry.counter("reconnects");               // the input came back
  auto& output_reconnects = im.registry.counter("output_reconnects");  // the main output came back
  auto& output_frames_dropped = im.registry.counter("output_frames_dropped");  // never left: disconnected / buffer full
  auto& gap_frames = im.registry.counter("gap_frames");               // repeated or slate pictures during input gaps
  auto& size_changes = im.registry.counter("input_size_changes");
  auto update_live_counters = [&] {
    reconnects.set(im.source->reconnects());
    output_reconnects.set(im.sink->reconnects());
    output_frames_dropped.set(im.sink->frames_dropped());
  };

  // --- stage threads ------------------------------------------------------
  std::thread source_thread = im.start_stage("source", [&] {
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
        if (im.gpu_frames) {
          // Into the GPU path's own device frame (NVDEC surface freed at once).
          auto adopted = im.gpu_frames->adopt(std::move(*frame));
          if (!adopted.ok()) {
            im.fail(adopted.status().with_context("GPU frames"));
            break;
          }
          *frame = std::move(adopted).value();
        }
        decode_stats.add_ms(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (live) frame->arrival_ns = now_ns();
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

  // Hindsight: the tracker's state of a frame is decided again N frames
  // later (track/hindsight.hpp); the frames wait here meanwhile.
  std::thread analyse_thread = im.start_stage("analyse", [&] {
    int geometry_w = info.width_px, geometry_h = info.height_px;
    track::Hindsight hindsight(im.tracker->config().hindsight_frames, im.tracker->config().max_speed_px_per_frame);
    std::deque<AnalysedFrame> waiting;  // frames whose state hindsight still holds, oldest first
    std::vector<BallTracker::HypothesisView> hypotheses;
    // The oldest waiting frame with its final state and crop: record it, pass it on.
    auto emit = [&](const TrackState& state, const CropRect& crop) -> bool {
      AnalysedFrame a = std::move(waiting.front());
      waiting.pop_front();
      a.track = state;
      a.crop = crop;
      if (im.track_out.is_open() || on_record) {
        TrackRecord rec;
        rec.frame_index = a.frame.index;
        rec.pts_us = a.frame.pts_us;
        rec.detections = a.detections.balls;
        rec.players = a.detections.players;
        rec.track = a.track;
        rec.crop = a.crop;
        if (im.track_out.is_open()) im.track_out << to_json_line(rec) << '\n';
        if (on_record) {
          Status st = on_record(rec);
          if (!st.ok()) {
            im.fail(std::move(st));
            return false;
          }
        }
      }
      return analysed_q.push(std::move(a));
    };
    auto drain = [&] {
      while (auto state = hindsight.drain())
        if (!emit(*state, im.camera->update(*state))) return false;
      return true;
    };
    detect::DetectHints hints;  // reused: its watch list keeps its capacity
    bool ok = true;
    while (ok) {
      auto frame = im.frame_queue().pop();
      if (!frame) {
        ok = drain();
        break;
      }
      if (im.aborted.load()) break;
      if (frame->width_px != geometry_w || frame->height_px != geometry_h) {
        // A live camera came back with another size: the track and the
        // framing are in source pixels, so both restart at the new size (the
        // ball was lost during the gap anyway). The detector resets itself.
        spdlog::info("input size changed {}x{} -> {}x{}: tracker and camera restart", geometry_w, geometry_h,
                     frame->width_px, frame->height_px);
        if (!drain()) break;
        geometry_w = frame->width_px;
        geometry_h = frame->height_px;
        im.tracker = std::make_unique<BallTracker>(input_tracker_config(config_.tracker, live, geometry_w, fps), geometry_w,
                                                     geometry_h, fps);
        im.camera = std::make_unique<VirtualCamera>(config_.camera, geometry_w, geometry_h, fps);
        // The new tracker numbers its hypotheses afresh: nothing of the old one may be remembered.
        hindsight = track::Hindsight(im.tracker->config().hindsight_frames, im.tracker->config().max_speed_px_per_frame);
        size_changes.add();
      }
      hints.predicted.reset();
      hints.search_radius_px = 0.0;
      if (auto p = im.tracker->predict(1)) {
        hints.predicted = *p;
        hints.search_radius_px = im.tracker->search_radius_px();
      }
      im.tracker->watch_points(hints.watch, config_.detector.planner.max_watch_tiles);
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
      std::optional<TrackState> final_state;
      CropRect crop;
      {
        // One sample per input frame: tracker, hindsight and the camera on
        // the state that became final (the last frames' camera steps at the
        // drain are not timed).
        metrics::ScopedTimer timer(track_stats);
        const TrackState state = im.tracker->update(*dets);
        im.tracker->hypotheses(hypotheses);
        final_state = hindsight.push(state, im.tracker->primary_id(), hypotheses);
        if (final_state) crop = im.camera->update(*final_state);
      }
      AnalysedFrame a;
      a.detections = std::move(dets).value();
      a.frame = std::move(*frame);
      waiting.push_back(std::move(a));
      if (final_state) ok = emit(*final_state, crop);
    }
    analysed_q.close();
  });

  std::thread render_thread = im.start_stage("render", [&] {
    const int out_w = config_.camera.output_width_px, out_h = config_.camera.output_height_px;
    while (auto a = analysed_q.pop()) {
      if (im.aborted.load()) break;
      Frame out;
      {
        metrics::ScopedTimer timer(render_stats);
        if (im.gpu_frames) {
          // Crop and overlay on the GPU; the picture is downloaded once, or
          // stays on the device for NVENC.
          std::optional<render::OverlayMarks> marks;
          if (config_.overlay) marks = render::overlay_marks(out_w, out_h, a->crop, a->track, a->detections);
          auto r = im.gpu_frames->render(a->frame, a->crop, marks ? &*marks : nullptr);
          if (!r.ok()) {
            im.fail(r.status().with_context("GPU render"));
            break;
          }
          out = std::move(r).value();
        } else {
          out = im.scaler->render(a->frame, a->crop);
          out.arrival_ns = a->frame.arrival_ns;
          if (config_.overlay) render::draw_overlay(out, a->crop, a->track, a->detections);
        }
      }
      a->frame = Frame{};  // release the decoder's picture early
      if (on_output_frame && (!output_frame_wanted || output_frame_wanted())) {
        // On the GPU path the picture may be in GPU memory (NVENC): the
        // callback gets a host copy.
        Result<Frame> shown = im.gpu_frames ? im.gpu_frames->to_host(out) : Result<Frame>(out);
        if (!shown.ok()) {
          im.fail(shown.status().with_context("output picture download"));
          break;
        }
        on_output_frame(*shown, a->track, a->crop);
      }
      if (!rendered_q.push(std::move(out))) break;
    }
    rendered_q.close();
  });

  std::thread sink_thread = im.start_stage("sink", [&] {
    // The output timeline. Files: the input's timestamps. Live: the same,
    // shifted forward after a gap so it never goes back (offset_us only grows).
    std::int64_t offset_us = 0;
    std::int64_t last_pts = std::numeric_limits<std::int64_t>::min();
    const auto frame_us = static_cast<std::int64_t>(1e6 / fps);
    auto drain_audio = [&](bool all) {
      while (true) {
        auto packet = all ? im.audio.pop() : im.audio.try_pop();
        if (!packet) return Status::Ok();
        io::shift_audio_packet(*packet, offset_us);
        if (im.record) BALLCAM_RETURN_IF_ERROR(im.record->write_audio(io::copy_audio_packet(*packet)));
        BALLCAM_RETURN_IF_ERROR(im.sink->write_audio(std::move(*packet)));
      }
    };
    auto write_frame = [&](const Frame& f) -> Status {
      metrics::ScopedTimer timer(encode_stats);
      BALLCAM_RETURN_IF_ERROR(im.sink->write_video(f));
      if (im.record) BALLCAM_RETURN_IF_ERROR(im.record->write_video(f));
      return Status::Ok();
    };
    // Live input gap: keep the viewers' stream going on the output's cadence,
    // the last picture first, then the slate.
    const bool fill = live && config_.fill_gaps;
    // Gaps in wall time and holes in the timeline, both in microseconds.
    const auto period = std::chrono::microseconds(frame_us);
    const std::int64_t repeat_after_us = config_.gap_repeat_after_ms * 1000;
    const auto slate_after_us = static_cast<std::int64_t>(config_.gap_slate_after_s * 1e6);
    Frame last;
    Frame slate;
    auto last_real = Clock::now();
    std::int64_t fills = 0;  // pictures filled since the last real frame
    // The last picture again (or the slate), one frame period after the last one written.
    auto write_filler = [&](bool use_slate) -> Status {
      Frame filler = last;
      if (use_slate) {
        if (slate.empty()) slate = render::make_slate(last.width_px, last.height_px);
        filler = slate;
      }
      filler.pts_us = last_pts + frame_us;
      filler.arrival_ns = 0;  // not an input frame: no latency sample
      BALLCAM_RETURN_IF_ERROR(write_frame(filler));
      last_pts = filler.pts_us;
      gap_frames.add();
      return Status::Ok();
    };
    while (true) {
      std::optional<Frame> frame;
      if (fill && !last.empty()) {
        frame = rendered_q.pop_for(period);
        if (!frame) {
          if (rendered_q.closed() || im.aborted.load()) break;
          const std::int64_t gap_us =
              std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - last_real).count();
          if (gap_us < repeat_after_us) continue;
          Status st;
          // Catch up to the wall clock: one picture per frame period of gap.
          for (const std::int64_t due = gap_us / frame_us; fills < due && st.ok(); ++fills) {
            st = write_filler(gap_us >= slate_after_us);
          }
          if (st.ok() && with_audio) st = drain_audio(false);
          if (!st.ok()) {
            im.fail(st);
            break;
          }
          continue;
        }
      } else {
        frame = rendered_q.pop();
        if (!frame) break;
      }
      if (im.aborted.load()) break;
      Status st;
      if (live) {
        std::int64_t pts = frame->pts_us + offset_us;
        const bool first = last_pts == std::numeric_limits<std::int64_t>::min();
        const std::int64_t jump = first ? 0 : pts - last_pts;
        if (fills > 0 || (!first && pts <= last_pts) || (fill && jump >= slate_after_us)) {
          // After a filled gap the input resumes right after the fill (the
          // fill already stood for the time it was away); otherwise never go
          // back, and take a jump longer than the slate delay as a break in
          // the input's clock.
          offset_us = last_pts + frame_us - frame->pts_us;
          pts = last_pts + frame_us;
        } else if (fill && !last.empty() && jump >= repeat_after_us) {
          // The timeline jumped (frames dropped to stay live, or missing at
          // the source) while frames kept coming: fill the hole on the
          // output's cadence, as for a gap in time.
          while (st.ok() && last_pts + frame_us + frame_us / 2 <= pts) st = write_filler(false);
        }
        frame->pts_us = pts;
      }
      if (st.ok()) st = write_frame(*frame);
      if (st.ok() && with_audio) st = drain_audio(false);
      if (!st.ok()) {
        im.fail(st);
        break;
      }
      last_pts = frame->pts_us;
      if (fill) {
        last = std::move(*frame);  // keeps a reference to the picture for repeats
        last_real = Clock::now();
        fills = 0;
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
  double gpu_util_sum = 0.0;  // NVML samples, one a second, for the summary's mean
  int gpu_util_samples = 0;
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
        gauges_["queue_depth_analysed"] = static_cast<double>(analysed_q.size());
        gauges_["queue_depth_rendered"] = static_cast<double>(rendered_q.size());
        update_live_counters();
        if (live) {
          const metrics::LatencySummary lat = latency_stats.summary();
          gauges_["latency_p50_ms"] = lat.p50_ms;
          gauges_["latency_p95_ms"] = lat.p95_ms;
        }
        gauges_["frames_dropped_now"] = static_cast<double>(im.frame_queue().dropped());
        metrics::GpuSample gpu;
        const bool gpu_sampled = nvml && nvml->sample(gpu);
        if (gpu_sampled) {
          gpu_util_sum += gpu.utilisation_percent;
          ++gpu_util_samples;
          gauges_["gpu_utilisation_percent"] = gpu.utilisation_percent;
          gauges_["gpu_memory_used_bytes"] = gpu.memory_used_bytes;
          gauges_["gpu_memory_total_bytes"] = gpu.memory_total_bytes;
        }
        // One timeline sample per second: what the report plots over time.
        nlohmann::json sample = {{"t_s", std::chrono::duration<double>(now - started).count()},
                                 {"frames_out", f},
                                 {"fps", gauges_["fps"]},
                                 {"cpu_percent", gauges_["cpu_percent"]}};
        if (gpu_sampled) sample["gpu_percent"] = gpu.utilisation_percent;
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
                     im.frame_queue().dropped(), im.frame_queue().size(), analysed_q.size(), rendered_q.size());
        last_frames = f;
        last_report = now;
      }
    }
    // Done when every stage has ended: the sink's input closed and drained;
    // or when one failed: then the stages leave without draining the closed
    // queues, and waiting for them to empty would hang.
    if (im.aborted.load() ||
        (rendered_q.closed() && rendered_q.size() == 0 && analysed_q.closed() && im.frame_queue().closed())) {
      break;
    }
  }
  source_thread.join();
  analyse_thread.join();
  render_thread.join();
  sink_thread.join();
  if (on_progress) on_progress(im.frames_out.load(), total);

  // The recording first: whatever happened to the stream, it is finalised.
  Status record_finish = im.record ? im.record->finish() : Status::Ok();
  Status finish = im.sink->finish();
  if (finish.ok() && !record_finish.ok()) finish = record_finish;
  update_live_counters();
  if (im.track_out.is_open()) im.track_out.flush();

  // --- summary --------------------------------------------------------------
  const double wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  im.registry.counter("frames_dropped").set(im.frame_queue().dropped());
  im.registry.counter("corrupt_packets").set(im.source->corrupt_packets());
  im.registry.counter("bytes_in").set(im.source->bytes_read());
  im.registry.counter("bytes_out").set(im.sink->bytes_written() + (im.record ? im.record->bytes_written() : 0));
  // The zero-copy proof: on the GPU path only the output pictures (and the
  // detector's outputs) cross; the CPU path with NVDEC downloads every frame.
  const std::uint64_t gpu_h2d = im.gpu_frames ? im.gpu_frames->bytes_host_to_device() : 0;
  const std::uint64_t gpu_d2h = im.gpu_frames ? im.gpu_frames->bytes_device_to_host() : 0;
  im.registry.counter("bytes_host_to_device").set(gpu_h2d + im.detector->bytes_host_to_device());
  im.registry.counter("bytes_device_to_host")
      .set(im.source->bytes_device_to_host() + gpu_d2h + im.detector->bytes_device_to_host());
  im.registry.counter("bytes_device_to_host_output").set(gpu_d2h);
  im.registry.counter("bytes_device_to_host_detector").set(im.detector->bytes_device_to_host());
  if (im.gpu_frames) im.registry.counter("gpu_pool_frames").set(static_cast<std::uint64_t>(im.gpu_frames->pooled_frames()));
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
                    {"device", path_name(plan, info)},
                    {"encoder", plan.encoder + (plan.encoder_cuda_frames ? " (CUDA frames)" : "")},
                    {"decoder", info.decoder}};
  if (gpu_util_samples > 0) summary_.extra["gpu_utilisation_mean_percent"] = gpu_util_sum / gpu_util_samples;
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
