#include "gpu/cuda_check.hpp"

#include <string>

namespace ballcam::gpu {

Status cuda_status(cudaError_t err, const char* call, const char* file, int line) {
  const bool unavailable = err == cudaErrorNoDevice || err == cudaErrorInsufficientDriver ||
                           err == cudaErrorDevicesUnavailable || err == cudaErrorCompatNotSupportedOnDevice ||
                           err == cudaErrorSystemDriverMismatch;
  std::string msg = std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " +
                    cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
  if (err == cudaErrorInsufficientDriver) msg += "; the NVIDIA driver is older than this CUDA build needs";
  if (err == cudaErrorNoKernelImageForDevice) {
    msg += "; rebuild with this GPU's architecture in CMAKE_CUDA_ARCHITECTURES";
  }
  return {unavailable ? ErrorCode::kUnavailable : ErrorCode::kInternal, std::move(msg)};
}

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the non-sticky error so later probes start clean
    return 0;
  }
  return count;
}

}  // namespace ballcam::gpu
