// CUDA runtime errors -> ballcam::Status, with the failing call, file and line.
#pragma once

#include <cuda_runtime_api.h>

#include "core/status.hpp"

namespace ballcam::gpu {

// kUnavailable for "no usable device/driver here", kInternal otherwise.
Status cuda_status(cudaError_t err, const char* call, const char* file, int line);

// Number of CUDA devices that open here; 0 (not an error) when there is no
// device or no driver. Never throws, never aborts.
int cuda_device_count();

}  // namespace ballcam::gpu

// Return a Status from the enclosing function (Status or Result<T>) when a
// CUDA runtime call fails.
#define BALLCAM_CUDA_CHECK(call)                                                 \
  do {                                                                           \
    const cudaError_t _bc_cuda_err = (call);                                     \
    if (_bc_cuda_err != cudaSuccess) {                                           \
      return ::ballcam::gpu::cuda_status(_bc_cuda_err, #call, __FILE__, __LINE__); \
    }                                                                            \
  } while (0)
