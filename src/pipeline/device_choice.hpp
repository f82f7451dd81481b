// --device auto|cpu|cuda: which path each stage takes, from the run-time
// driver probe (gpu/probe.hpp), this build (CUDA kernels, libtorch CUDA) and
// the detector. Two GPU shapes (docs/GPU.md):
//  - zero copy: NVDEC decode, frames kept on the GPU, a neural detector on
//    libtorch CUDA reading them there, crop/resize and the overlay on the
//    GPU; NVENC encodes the device picture where the GPU has NVENC, else
//    only the output picture is downloaded, for libx264;
//  - NVDEC only: the classical detector (CPU-only), or no libtorch CUDA:
//    NVDEC frames are downloaded once and the other stages run on the CPU.
// The choice is logged as one line (describe_choice).
#pragma once

#include <memory>
#include <string>

#include "core/status.hpp"
#include "detect/detector.hpp"
#include "io/media.hpp"
#include "io/sink.hpp"
#include "io/source.hpp"

namespace ballcam::pipeline {

enum class Device : std::uint8_t;
class GpuFrames;
struct PipelineConfig;

struct DevicePlan {
  io::DecodeMode decode = io::DecodeMode::kCpu;  // what the Source is asked for
  bool gpu = false;                             // a CUDA driver and a GPU answered
  std::string gpu_name;
  std::string no_gpu_reason;                    // when !gpu
  bool torch_cuda = false;                      // libtorch sees CUDA (builds with torch)
  std::string torch_note;
  // Frames stay on the GPU from decode to the output crop and the detector
  // runs on libtorch CUDA; false: the CPU pipeline (NVDEC decode may still
  // be used). `zero_copy_note` says why not when a GPU answered.
  bool zero_copy = false;
  std::string zero_copy_note;
  // gpu.reference_path: the zero-copy path's stages on their CPU references
  // (host NV12 frames; tests without a GPU).
  bool reference = false;

  // The video encoder (plan_encoder): libx264, or h264_nvenc / hevc_nvenc on
  // a GPU with NVENC; `encoder_cuda_frames`: NVENC reads the zero-copy
  // path's device pictures (nothing is downloaded). `encoder_note`: why
  // --encoder auto did not take NVENC.
  std::string encoder = "libx264";
  bool encoder_cuda_frames = false;
  std::string encoder_note;

  // The neural detector runs on libtorch CUDA (the zero-copy path on a GPU).
  bool detect_on_cuda() const { return zero_copy && !reference; }
};

// Detectors that can run on libtorch CUDA (the neural backends).
bool detector_runs_on_cuda(const std::string& detector);

// kUnavailable (exit 5) for --device cuda when no GPU answers, or when the
// detector is a neural one and this build or machine cannot run it on CUDA.
Result<DevicePlan> plan_devices(Device device, io::DecodeMode decode, const std::string& detector);

// gpu.reference_path: the GPU path on its CPU references (decode on the
// CPU); kInvalidArgument unless the detector is a neural one.
Result<DevicePlan> plan_reference_path(const std::string& detector);

// The plan of a run or a bench: plan_reference_path when
// config.gpu_reference_path, else plan_devices; then plan_encoder.
Result<DevicePlan> plan_for(const PipelineConfig& config);

// --encoder auto|libx264|h264_nvenc|hevc_nvenc for an out_w x out_h output,
// on a device plan (plan_for's last step). auto: h264_nvenc when a GPU
// answered and it opens (taking CUDA frames on the zero-copy path), else
// libx264. NVENC by name: kInvalidArgument with --device cpu or
// gpu.reference_path, kUnavailable (exit 5) when no GPU answers or it does
// not open here.
Status plan_encoder(Device device, const std::string& requested, int out_w, int out_h, DevicePlan& plan);

// The encoder options of a plan: encoder, its input (NV12 on the zero-copy
// path, host or device; yuv420p on the CPU path).
io::VideoEncodeOptions encode_options_for(io::VideoEncodeOptions base, const DevicePlan& plan);

// What ran, for summaries: "reference", "cuda" (zero copy), "cpu+nvdec" or "cpu".
const char* path_name(const DevicePlan& plan, const io::StreamInfo& info);

// The Source options of a plan: decode mode, device frames, NVDEC surfaces.
io::SourceOptions source_options_for(io::SourceOptions base, const DevicePlan& plan);

// The GPU path's frames for a zero-copy plan (the reference implementation
// for plan.reference), keeping output pictures on the device for an NVENC
// that takes CUDA frames; null when the plan is not zero copy. When CUDA
// cannot allocate them: kUnavailable for --device cuda; for auto the plan
// falls back to the CPU pipeline (zero_copy and encoder_cuda_frames false,
// the reason in zero_copy_note).
Result<std::unique_ptr<GpuFrames>> open_gpu_frames(Device device, DevicePlan& plan, int output_width_px,
                                                   int output_height_px);

// The detector of a plan: on libtorch CUDA on the zero-copy path, else on
// the CPU. When it does not start on CUDA: kUnavailable for --device cuda;
// for auto the plan falls back to the CPU pipeline as open_gpu_frames does
// (`gpu_frames` released, the reason in zero_copy_note) and the detector
// starts on the CPU. Call it before opening the Source: the plan decides
// whether decoded frames stay on the GPU.
Result<std::unique_ptr<detect::Detector>> open_detector(Device device, detect::DetectorConfig config, DevicePlan& plan,
                                                        std::unique_ptr<GpuFrames>& gpu_frames);

// The one log line: "device auto: ... because ...".
std::string describe_choice(Device device, const DevicePlan& plan, const io::StreamInfo& info,
                            const std::string& detector);

}  // namespace ballcam::pipeline
