#include "pipeline/stage_bench.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <memory>
#include <variant>

#include "pipeline/device_choice.hpp"
#include "pipeline/gpu_frames.hpp"
#include "render/crop_scale.hpp"

namespace ballcam::pipeline {

namespace {
using Clock = std::chrono::steady_clock;
double since_s(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

const StageRate* StageBench::slowest() const {
  const StageRate* worst = nullptr;
  for (const StageRate& s : stages)
    if (worst == nullptr || s.fps() < worst->fps()) worst = &s;
  return worst;
}

nlohmann::json StageBench::to_json() const {
  nlohmann::json j = {{"device_line", device_line},
                      {"path", path},
                      {"width", width_px},
                      {"height", height_px},
                      {"bytes_host_to_device", bytes_host_to_device},
                      {"bytes_device_to_host", bytes_device_to_host}};
  for (const StageRate& s : stages)
    j["stages"][s.stage] = {{"frames", s.frames}, {"seconds", s.seconds}, {"fps", s.fps()}, {"ms_per_frame", s.ms_per_frame()}};
  if (const StageRate* w = slowest()) j["slowest"] = {{"stage", w->stage}, {"fps", w->fps()}};
  return j;
}

std::string StageBench::to_markdown() const {
  std::string out = "| stage alone (" + path + ", " + std::to_string(width_px) + "x" + std::to_string(height_px) +
                    ") | frames | fps | ms/frame |\n|---|---|---|---|\n";
  char line[160];
  for (const StageRate& s : stages) {
    std::snprintf(line, sizeof line, "| %s | %lld | %.1f | %.2f |\n", s.stage.c_str(), static_cast<long long>(s.frames),
                  s.fps(), s.ms_per_frame());
    out += line;
  }
  return out;
}

Result<StageBench> bench_stages(const PipelineConfig& config, std::int64_t frames, int keep,
                                const std::string& scratch_path) {
  if (frames < 1) return error(ErrorCode::kInvalidArgument, "bench: --frames must be at least 1");
  keep = std::max(1, keep);
  StageBench bench;
  BALLCAM_ASSIGN_OR_RETURN(DevicePlan plan, plan_for(config));
  BALLCAM_ASSIGN_OR_RETURN(std::unique_ptr<GpuFrames> gpu,
                           open_gpu_frames(config.device, plan, config.camera.output_width_px,
                                           config.camera.output_height_px));
  BALLCAM_ASSIGN_OR_RETURN(std::unique_ptr<detect::Detector> detector,
                           open_detector(config.device, config.detector, plan, gpu));
  const io::SourceOptions so = source_options_for(config.source, plan);
  BALLCAM_ASSIGN_OR_RETURN(std::unique_ptr<io::Source> source, io::Source::open(so));
  const io::StreamInfo& info = source->info();
  bench.device_line = describe_choice(config.device, plan, info, config.detector.name);
  bench.path = path_name(plan, info);
  bench.width_px = info.width_px;
  bench.height_px = info.height_px;

  // --- decode (+ the GPU path's copy into its pool) ---------------------------
  std::deque<Frame> kept;
  {
    StageRate r{"decode"};
    const auto t0 = Clock::now();
    while (r.frames < frames) {
      BALLCAM_ASSIGN_OR_RETURN(io::SourceItem item, source->read());
      if (std::holds_alternative<io::EndOfStream>(item)) break;
      auto* frame = std::get_if<Frame>(&item);
      if (frame == nullptr) continue;  // audio
      Frame f = std::move(*frame);
      if (gpu) {
        BALLCAM_ASSIGN_OR_RETURN(f, gpu->adopt(std::move(f)));
      }
      if (static_cast<int>(kept.size()) < keep) kept.push_back(std::move(f));
      ++r.frames;
    }
    r.seconds = since_s(t0);
    if (kept.empty()) return error(ErrorCode::kInputError, "bench: the input has no video frames");
    bench.stages.push_back(r);
  }

  // --- detect ------------------------------------------------------------------
  {
    detect::DetectHints hints;
    BALLCAM_RETURN_IF_ERROR(detector->detect(kept.front(), hints).status());  // warm-up (cuDNN, allocator)
    StageRate r{"detect"};
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < frames; ++i) {
      BALLCAM_RETURN_IF_ERROR(detector->detect(kept[static_cast<std::size_t>(i) % kept.size()], hints).status());
      ++r.frames;
    }
    r.seconds = since_s(t0);
    bench.stages.push_back(r);
  }

  // --- render: a crop that pans, resized to the output ---------------------------
  const int out_w = config.camera.output_width_px, out_h = config.camera.output_height_px;
  render::CropScaler scaler(out_w, out_h);
  std::vector<Frame> rendered;
  {
    const double cw = info.width_px * 0.5, ch = cw * out_h / out_w;
    StageRate r{"render"};
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < frames; ++i) {
      const Frame& src = kept[static_cast<std::size_t>(i) % kept.size()];
      const CropRect crop{(info.width_px - cw) * (0.5 + 0.4 * std::sin(0.05 * static_cast<double>(i))),
                          (info.height_px - ch) * 0.5, cw, ch};
      Frame out;
      if (gpu) {
        BALLCAM_ASSIGN_OR_RETURN(out, gpu->render(src, crop, nullptr));
      } else {
        out = scaler.render(src, crop);
      }
      if (static_cast<int>(rendered.size()) < keep) rendered.push_back(std::move(out));
      ++r.frames;
    }
    r.seconds = since_s(t0);
    bench.stages.push_back(r);
  }
  kept.clear();  // the device frames go back to the pool

  // --- encode: the plan's encoder + mux to a scratch file ---------------------------
  {
    io::SinkOptions sink = config.sink;
    sink.video = encode_options_for(sink.video, plan);
    sink.url = scratch_path;
    sink.format.clear();
    sink.audio = io::AudioPolicy::kNone;
    sink.video.width_px = out_w;
    sink.video.height_px = out_h;
    if (info.frame_rate.num > 0 && info.frame_rate.den > 0) sink.video.frame_rate = info.frame_rate;
    BALLCAM_ASSIGN_OR_RETURN(std::unique_ptr<io::Sink> out, io::Sink::open(sink, nullptr));
    const double fps = info.frame_rate.value() > 1.0 ? info.frame_rate.value() : 25.0;
    StageRate r{"encode"};
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < frames; ++i) {
      Frame f = rendered[static_cast<std::size_t>(i) % rendered.size()];
      f.pts_us = static_cast<std::int64_t>(static_cast<double>(i) * 1e6 / fps);
      f.index = i;
      BALLCAM_RETURN_IF_ERROR(out->write_video(f));
      ++r.frames;
    }
    BALLCAM_RETURN_IF_ERROR(out->finish());
    r.seconds = since_s(t0);
    bench.stages.push_back(r);
  }
  bench.bytes_host_to_device = (gpu ? gpu->bytes_host_to_device() : 0) + detector->bytes_host_to_device();
  bench.bytes_device_to_host =
      source->bytes_device_to_host() + (gpu ? gpu->bytes_device_to_host() : 0) + detector->bytes_device_to_host();
  return bench;
}

}  // namespace ballcam::pipeline
