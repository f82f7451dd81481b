#include "pipeline/device_choice.hpp"

#include "detect/cuda_probe.hpp"
#include "gpu/probe.hpp"
#include "pipeline/pipeline.hpp"

namespace ballcam::pipeline {

Result<DevicePlan> plan_devices(Device device, io::DecodeMode decode) {
  DevicePlan plan;
  if (device == Device::kCpu) {
    // Explicit --decode nvdec still wins over --device cpu.
    plan.decode = decode == io::DecodeMode::kNvdec ? io::DecodeMode::kNvdec : io::DecodeMode::kCpu;
    plan.no_gpu_reason = "--device cpu";
    if (plan.decode == io::DecodeMode::kCpu) return plan;
  }
  const gpu::DriverProbe& probe = gpu::probe_driver();
  plan.gpu = probe.has_gpu();
  if (plan.gpu) {
    plan.gpu_name = probe.gpus.front().name;
  } else {
    plan.no_gpu_reason = probe.driver_error.empty() ? "no GPU" : probe.driver_error;
  }
  plan.torch_cuda = detect::torch_cuda_available(&plan.torch_note);
  if (device == Device::kCuda) {
    if (!plan.gpu) return error(ErrorCode::kUnavailable, "--device cuda: " + plan.no_gpu_reason + "; use --device cpu or auto");
    if (decode == io::DecodeMode::kCpu) {
      plan.decode = io::DecodeMode::kCpu;
    } else {
      plan.decode = io::DecodeMode::kNvdec;  // required: the Source fails (exit 5) when NVDEC can't take the stream
    }
    return plan;
  }
  if (device == Device::kAuto) plan.decode = plan.gpu ? decode : (decode == io::DecodeMode::kNvdec ? decode : io::DecodeMode::kCpu);
  return plan;
}

std::string describe_choice(Device device, const DevicePlan& plan, const io::StreamInfo& info,
                            const std::string& detector) {
  std::string line = std::string("device ") + to_string(device) + ": ";
  if (info.decoder == "nvdec") {
    line += "decode NVDEC on " + plan.gpu_name + " (" + info.video_codec + " " + std::to_string(info.width_px) + "x" +
            std::to_string(info.height_px) + ", frames downloaded for the CPU stages)";
  } else {
    line += "decode libavcodec";
    if (!plan.gpu) {
      line += " (" + plan.no_gpu_reason + ")";
    } else if (!info.decoder_note.empty()) {
      line += " (" + info.decoder_note + ")";
    } else if (plan.decode == io::DecodeMode::kCpu) {
      line += " (--decode cpu)";
    }
  }
  line += ", detect '" + detector + "' on CPU";
  if (plan.gpu) line += plan.torch_cuda ? " (libtorch CUDA available, not used yet)" : " (" + plan.torch_note + ")";
  line += ", render CPU, encode libx264";
  if (plan.gpu) line += " (no NVENC path yet)";
  return line;
}

}  // namespace ballcam::pipeline
