// GpuFrames in builds without the CUDA kernels: the zero-copy path is not
// there, and --device auto never asks for it (device_choice.cpp).
#include "pipeline/gpu_frames.hpp"

namespace ballcam::pipeline {

Result<std::unique_ptr<GpuFrames>> GpuFrames::create(int /*output_width_px*/, int /*output_height_px*/, Output /*output*/) {
  return error(ErrorCode::kUnavailable, "this build has no CUDA kernels (configured without a CUDA toolkit)");
}

}  // namespace ballcam::pipeline
