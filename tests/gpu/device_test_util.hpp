// Device checks for the CUDA tests: whether a device opens and why not
// (whether its absence is a failure: device_required(), gpu_test.hpp);
// Status/Result assertions.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdlib>
#include <string>

#include "core/status.hpp"
#include "gpu/cuda_check.hpp"
#include "gpu_test.hpp"

namespace ballcam::gpu::testing {

inline bool have_device() {
  static const bool yes = cuda_device_count() > 0;
  return yes;
}

inline std::string no_device_reason() {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  (void)cudaGetLastError();
  return err == cudaSuccess ? "no CUDA device here (0 devices)"
                            : std::string("no CUDA device here: ") + cudaGetErrorName(err) + " (" +
                                  cudaGetErrorString(err) + ")";
}

}  // namespace ballcam::gpu::testing

#define SKIP_WITHOUT_DEVICE() \
  if (!::ballcam::gpu::testing::have_device()) GTEST_SKIP() << ::ballcam::gpu::testing::no_device_reason()

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    const ::ballcam::Status _st = (expr);                     \
    ASSERT_TRUE(_st.ok()) << _st.to_string();                 \
  } while (0)

// Unwrap a Result in a test; fails the test (and returns) on error.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                         \
  auto BALLCAM_CONCAT(_res_, __LINE__) = (expr);                \
  ASSERT_TRUE(BALLCAM_CONCAT(_res_, __LINE__).ok()) << BALLCAM_CONCAT(_res_, __LINE__).status().to_string(); \
  lhs = std::move(BALLCAM_CONCAT(_res_, __LINE__)).value()
