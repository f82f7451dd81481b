// A short end-to-end check of the CUDA kernels on this machine's GPU (for
// `ballcam doctor`): upload a 1280x720 NV12 frame, run nv12_to_tensor (fp32),
// download and compare with the CPU reference. Only in builds with the CUDA
// kernels (ballcam_gpu).
#pragma once

#include <string>

#include "core/status.hpp"

namespace ballcam::gpu {

// `detail` gets e.g. "nv12_to_tensor 1280x720 -> 384x384 max |diff| 2e-06 in 0.4 ms".
Status kernel_self_test(std::string* detail);

}  // namespace ballcam::gpu
