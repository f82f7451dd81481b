// Whether libtorch in this build can run on CUDA here (for --device auto and
// `ballcam doctor`). Builds without libtorch answer false with a note.
#pragma once

#include <string>

namespace ballcam::detect {

// True when libtorch was built in and torch::cuda::is_available(); `note`
// says why not, or names the device count when yes.
bool torch_cuda_available(std::string* note);

// Runs a small convolution on CUDA and on the CPU and compares them (for
// `ballcam doctor`); false with the reason in `detail` when it cannot.
bool torch_cuda_self_test(std::string* detail);

}  // namespace ballcam::detect
