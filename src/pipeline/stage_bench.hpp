// `ballcam bench`: each stage of the pipeline alone, on the same input, device
// plan and settings as `ballcam run`: decode (with the GPU path's copy into
// its pool), detect (the detector on decoded frames, outputs downloaded),
// render (crop/resize, and on the GPU path the output's download) and encode
// (libx264 + mux to a scratch file). Stages run one after the other, never at
// once, so each rate is that stage's own; the pipeline's efficiency is its
// end-to-end FPS over the slowest of them (docs/BENCHMARKS.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.hpp"
#include "pipeline/pipeline.hpp"

namespace ballcam::pipeline {

struct StageRate {
  std::string stage;  // decode, detect, render, encode
  std::int64_t frames = 0;
  double seconds = 0.0;
  double fps() const { return seconds > 0.0 ? static_cast<double>(frames) / seconds : 0.0; }
  double ms_per_frame() const { return frames > 0 ? 1000.0 * seconds / static_cast<double>(frames) : 0.0; }
};

struct StageBench {
  std::string device_line;  // describe_choice()'s line for this input
  std::string path;         // "cuda" (zero copy), "cpu+nvdec" or "cpu"
  int width_px = 0, height_px = 0;
  std::vector<StageRate> stages;
  std::uint64_t bytes_host_to_device = 0;
  std::uint64_t bytes_device_to_host = 0;
  const StageRate* slowest() const;
  nlohmann::json to_json() const;
  std::string to_markdown() const;  // one table
};

// `frames`: frames per stage (decode reads that many, or the whole input when
// shorter; the other stages cycle over the first `keep` decoded frames).
// The encode stage writes to `scratch_path` (removed afterwards by the caller).
Result<StageBench> bench_stages(const PipelineConfig& config, std::int64_t frames, int keep,
                                const std::string& scratch_path);

}  // namespace ballcam::pipeline
