// --device auto|cpu|cuda: which path each stage takes, from the run-time
// driver probe (gpu/probe.hpp). Today only decode has a GPU path (NVDEC,
// frames downloaded for the CPU stages); detection, render and encode run on
// the CPU. The choice is logged as one line (describe_choice).
#pragma once

#include <string>

#include "core/status.hpp"
#include "io/media.hpp"
#include "io/source.hpp"

namespace ballcam::pipeline {

enum class Device : std::uint8_t;

struct DevicePlan {
  io::DecodeMode decode = io::DecodeMode::kCpu;  // what the Source is asked for
  bool gpu = false;                             // a CUDA driver and a GPU answered
  std::string gpu_name;
  std::string no_gpu_reason;                    // when !gpu
  bool torch_cuda = false;                      // libtorch sees CUDA (builds with torch)
  std::string torch_note;
};

// kUnavailable (exit 5) for --device cuda when no GPU answers.
Result<DevicePlan> plan_devices(Device device, io::DecodeMode decode);

// The one log line: "device auto: ... because ...".
std::string describe_choice(Device device, const DevicePlan& plan, const io::StreamInfo& info,
                            const std::string& detector);

}  // namespace ballcam::pipeline
