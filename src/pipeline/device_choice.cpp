#include "pipeline/device_choice.hpp"

#include "detect/cuda_probe.hpp"
#include "gpu/probe.hpp"
#include "io/hwdecode.hpp"
#include "pipeline/gpu_frames.hpp"
#include "pipeline/pipeline.hpp"

namespace ballcam::pipeline {

bool detector_runs_on_cuda(const std::string& detector) { return detector == "footandball" || detector == "rfdetr"; }

namespace {

#ifdef BALLCAM_HAVE_GPU_FRAMES
constexpr bool kHaveKernels = true;  // this build has the CUDA kernels (pipeline/gpu_frames.hpp)
#else
constexpr bool kHaveKernels = false;
#endif

// --device auto when a piece of the zero-copy path does not start: the CPU
// pipeline instead of failing (NVDEC decode, if chosen, stays; NVENC, if
// chosen, then takes host pictures).
void fall_back_to_cpu(DevicePlan& plan, std::string why) {
  plan.zero_copy = false;
  plan.encoder_cuda_frames = false;
  plan.zero_copy_note = std::move(why);
}

// --device cuda when a piece of the zero-copy path does not start.
Status cuda_required(const Status& why) {
  return error(ErrorCode::kUnavailable, "--device cuda: " + why.message() + "; use --device cpu or auto");
}

// Fills plan.zero_copy / zero_copy_note once the GPU probe has answered.
void plan_zero_copy(DevicePlan& plan, const std::string& detector) {
  if (!plan.gpu) return;
  if (!kHaveKernels) {
    plan.zero_copy_note = "this build has no CUDA kernels";
  } else if (!detector_runs_on_cuda(detector)) {
    plan.zero_copy_note = "detector '" + detector + "' runs on the CPU only";
  } else if (!plan.torch_cuda) {
    plan.zero_copy_note = plan.torch_note;
  } else {
    plan.zero_copy = true;
  }
}

}  // namespace

Result<DevicePlan> plan_devices(Device device, io::DecodeMode decode, const std::string& detector) {
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
  if (device != Device::kCpu) plan_zero_copy(plan, detector);
  if (device == Device::kCuda) {
    if (!plan.gpu) return error(ErrorCode::kUnavailable, "--device cuda: " + plan.no_gpu_reason + "; use --device cpu or auto");
    if (detector_runs_on_cuda(detector) && !plan.zero_copy)
      return error(ErrorCode::kUnavailable, "--device cuda: detector '" + detector + "' cannot run on CUDA here (" +
                                                plan.zero_copy_note + "); use --device cpu or auto");
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

Result<DevicePlan> plan_reference_path(const std::string& detector) {
  if (!detector_runs_on_cuda(detector))
    return error(ErrorCode::kInvalidArgument, "gpu.reference_path needs a neural detector (footandball or rfdetr), not '" +
                                                  detector + "'");
  DevicePlan plan;
  plan.decode = io::DecodeMode::kCpu;
  plan.zero_copy = true;
  plan.reference = true;
  plan.no_gpu_reason = "gpu.reference_path";
  return plan;
}

Result<DevicePlan> plan_for(const PipelineConfig& config) {
  BALLCAM_ASSIGN_OR_RETURN(DevicePlan plan, config.gpu_reference_path
                                                ? plan_reference_path(config.detector.name)
                                                : plan_devices(config.device, config.decode, config.detector.name));
  BALLCAM_RETURN_IF_ERROR(plan_encoder(config.device, config.encoder, config.camera.output_width_px,
                                       config.camera.output_height_px, plan));
  return plan;
}

Status plan_encoder(Device device, const std::string& requested, int out_w, int out_h, DevicePlan& plan) {
  plan.encoder = "libx264";
  plan.encoder_cuda_frames = false;
  plan.encoder_note.clear();
  if (requested == "libx264") return Status::Ok();
  const bool named = io::is_nvenc(requested);
  if (!named && requested != "auto")
    return error(ErrorCode::kInvalidArgument,
                 "--encoder must be auto, libx264, h264_nvenc or hevc_nvenc, not '" + requested + "'");
  std::string why_not;
  if (plan.reference) {
    why_not = "gpu.reference_path runs without a GPU";
  } else if (device == Device::kCpu) {
    why_not = "--device cpu";
  }
  if (!why_not.empty()) {  // a contradiction in the options
    if (named) return error(ErrorCode::kInvalidArgument, "--encoder " + requested + " needs a GPU, but " + why_not);
    return Status::Ok();  // auto: libx264, and the device line already says why
  }
  if (!plan.gpu) {  // what this machine lacks
    if (named)
      return error(ErrorCode::kUnavailable,
                   "--encoder " + requested + ": " + plan.no_gpu_reason + "; use --encoder libx264 or auto");
    return Status::Ok();  // the device line already says why there is no GPU
  }
  const std::string name = named ? requested : "h264_nvenc";
  const Status opens = io::try_open_encoder(name, out_w, out_h, plan.zero_copy);
  if (!opens.ok()) {
    if (named)
      return error(ErrorCode::kUnavailable, "--encoder " + name + ": " + opens.message() + "; use --encoder libx264 or auto");
    plan.encoder_note = "no NVENC: " + opens.message();
    return Status::Ok();
  }
  plan.encoder = name;
  plan.encoder_cuda_frames = plan.zero_copy;
  return Status::Ok();
}

io::VideoEncodeOptions encode_options_for(io::VideoEncodeOptions base, const DevicePlan& plan) {
  base.encoder = plan.encoder;
  base.input = plan.zero_copy ? PixelFormat::kNv12 : PixelFormat::kYuv420p;
  base.cuda_frames = plan.encoder_cuda_frames;
  return base;
}

const char* path_name(const DevicePlan& plan, const io::StreamInfo& info) {
  if (plan.reference) return "reference";
  if (plan.zero_copy) return "cuda";
  return info.decoder == "nvdec" ? "cpu+nvdec" : "cpu";
}

io::SourceOptions source_options_for(io::SourceOptions base, const DevicePlan& plan) {
  base.decode = plan.decode;
  // NVDEC surfaces held beyond the decoder's own: the one being copied out
  // (downloaded on the CPU path, copied into GpuFrames' pool on the GPU
  // path, which frees it at once) and a little slack.
  base.keep_device_frames = plan.zero_copy && !plan.reference;
  base.hw_frames_in_flight = plan.zero_copy ? 4 : 2;
  return base;
}

Result<std::unique_ptr<GpuFrames>> open_gpu_frames(Device device, DevicePlan& plan, int output_width_px,
                                                   int output_height_px) {
  if (!plan.zero_copy) return std::unique_ptr<GpuFrames>();
  const GpuFrames::Output output = plan.encoder_cuda_frames ? GpuFrames::Output::kDevice : GpuFrames::Output::kHost;
  if (plan.reference) return GpuFrames::create_reference(output_width_px, output_height_px, output);
  auto g = GpuFrames::create(output_width_px, output_height_px, output);
  if (g.ok()) return g;
  if (device == Device::kCuda) return cuda_required(g.status());
  fall_back_to_cpu(plan, g.status().message());
  return std::unique_ptr<GpuFrames>();
}

Result<std::unique_ptr<detect::Detector>> open_detector(Device device, detect::DetectorConfig config, DevicePlan& plan,
                                                        std::unique_ptr<GpuFrames>& gpu_frames) {
  config.cuda = plan.detect_on_cuda();
  auto det = detect::create_detector(config);
  if (det.ok() || !config.cuda) return det;
  if (device == Device::kCuda) return cuda_required(det.status());
  config.cuda = false;
  auto on_cpu = detect::create_detector(config);
  if (!on_cpu.ok()) return on_cpu.status();  // not a CUDA problem: the CPU's error says what is wrong
  fall_back_to_cpu(plan, "detector '" + config.name + "' does not start on libtorch CUDA: " + det.status().message());
  gpu_frames.reset();
  return on_cpu;
}

std::string describe_choice(Device device, const DevicePlan& plan, const io::StreamInfo& info,
                            const std::string& detector) {
  std::string line = std::string("device ") + to_string(device) + ": ";
  const std::string stream = info.video_codec + " " + std::to_string(info.width_px) + "x" + std::to_string(info.height_px);
  const std::string encode = plan.encoder_cuda_frames ? "encode " + plan.encoder + " from device memory (nothing downloaded)"
                             : plan.encoder != "libx264" ? "encode " + plan.encoder
                             : "encode libx264" + (plan.encoder_note.empty() ? std::string() : " (" + plan.encoder_note + ")");
  if (plan.reference) {
    return line + "the GPU path on its CPU references (gpu.reference_path, for tests): decode libavcodec, frames as "
                  "host NV12, detect '" + detector + "' from the reference input, crop/resize and overlay by the "
                  "references, encode libx264 from NV12";
  }
  if (plan.zero_copy) {
    if (info.decoder == "nvdec") {
      line += "decode NVDEC on " + plan.gpu_name + " (" + stream + "), frames stay on the GPU";
    } else {
      line += "decode libavcodec (" + (info.decoder_note.empty() ? std::string("--decode cpu") : info.decoder_note) +
              "), each frame uploaded once to " + plan.gpu_name;
    }
    line += ", detect '" + detector + "' on libtorch CUDA, crop/resize and overlay on the GPU, ";
    line += plan.encoder_cuda_frames ? encode : encode + " on the CPU from the downloaded output picture";
    return line;
  }
  if (info.decoder == "nvdec") {
    line += "decode NVDEC on " + plan.gpu_name + " (" + stream + ", frames downloaded for the CPU stages)";
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
  if (plan.gpu && !plan.zero_copy_note.empty()) line += " (GPU path not taken: " + plan.zero_copy_note + ")";
  line += ", render CPU, " + encode;
  return line;
}

}  // namespace ballcam::pipeline
