#include "detect/cuda_probe.hpp"

#include <chrono>
#include <cstdio>
#include <exception>

#include <torch/cuda.h>
#include <torch/torch.h>

namespace ballcam::detect {

bool torch_cuda_available(std::string* note) {
  const bool ok = torch::cuda::is_available();
  if (note != nullptr) {
    *note = ok ? "libtorch CUDA: " + std::to_string(torch::cuda::device_count()) + " device(s)"
               : "libtorch has no CUDA device here";
  }
  return ok;
}

bool torch_cuda_self_test(std::string* detail) {
  if (!torch_cuda_available(detail)) return false;
  try {
    const auto t0 = std::chrono::steady_clock::now();
    torch::NoGradGuard no_grad;
    torch::manual_seed(1);
    const auto x = torch::rand({1, 3, 256, 256});
    const auto w = torch::rand({16, 3, 3, 3});
    const auto cpu = torch::conv2d(x, w);
    const auto gpu = torch::conv2d(x.to(torch::kCUDA), w.to(torch::kCUDA)).to(torch::kCPU);
    const double diff = (cpu - gpu).abs().max().item<double>();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    char buf[160];
    std::snprintf(buf, sizeof buf, "conv2d on CUDA vs CPU: max |diff| %.2g, %.0f ms with CUDA start-up", diff, ms);
    if (detail != nullptr) *detail = buf;
    return diff < 1e-2;
  } catch (const std::exception& e) {
    if (detail != nullptr) *detail = std::string("libtorch CUDA failed: ") + e.what();
    return false;
  }
}

}  // namespace ballcam::detect
