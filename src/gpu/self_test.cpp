#include "gpu/self_test.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "gpu/cuda_check.hpp"
#include "gpu/cuda_raii.hpp"
#include "gpu/kernels.hpp"
#include "gpu/reference.hpp"

namespace ballcam::gpu {

Status kernel_self_test(std::string* detail) {
  const auto t0 = std::chrono::steady_clock::now();
  if (cuda_device_count() <= 0) return error(ErrorCode::kUnavailable, "no CUDA device opens (cudaGetDeviceCount)");
  constexpr int kW = 1280;
  constexpr int kH = 720;
  std::vector<std::uint8_t> host(static_cast<std::size_t>(kW) * kH * 3 / 2);
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = static_cast<std::uint8_t>((i * 7919u + i / kW * 31u) & 0xff);
  const Nv12View hv{host.data(), kW, host.data() + static_cast<std::size_t>(kW) * kH, kW, kW, kH};

  auto stream = Stream::create();
  if (!stream.ok()) return stream.status();
  auto frame = DeviceNv12Frame::allocate(kW, kH);
  if (!frame.ok()) return frame.status();
  BALLCAM_RETURN_IF_ERROR(frame->upload(hv, stream->get()));
  TensorSpec spec;
  const RoiF roi{0.f, 0.f, static_cast<float>(kW), static_cast<float>(kH)};
  const std::size_t n = 3u * static_cast<std::size_t>(spec.out_w) * static_cast<std::size_t>(spec.out_h);
  auto out = DeviceBuffer<float>::allocate(n);
  if (!out.ok()) return out.status();
  BALLCAM_RETURN_IF_ERROR(nv12_to_tensor<float>(as_const(frame->view()), std::span<const RoiF>(&roi, 1), spec,
                                                out->get(), stream->get()));
  std::vector<float> got(n);
  BALLCAM_CUDA_CHECK(cudaMemcpyAsync(got.data(), out->get(), n * sizeof(float), cudaMemcpyDeviceToHost, stream->get()));
  BALLCAM_CUDA_CHECK(cudaStreamSynchronize(stream->get()));
  std::vector<float> want(n);
  ref::nv12_to_tensor(hv, std::span<const RoiF>(&roi, 1), spec, want.data());
  double max_diff = 0.0;
  for (std::size_t i = 0; i < n; ++i) max_diff = std::max(max_diff, std::abs(static_cast<double>(got[i]) - want[i]));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (detail != nullptr) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "nv12_to_tensor %dx%d -> %dx%d fp32: max |diff| vs CPU %.2g, %.1f ms with set-up", kW,
                  kH, spec.out_w, spec.out_h, max_diff, ms);
    *detail = buf;
  }
  if (!(max_diff <= 1e-3)) return error(ErrorCode::kInternal, "CUDA kernel differs from the CPU reference");
  return Status::Ok();
}

}  // namespace ballcam::gpu
