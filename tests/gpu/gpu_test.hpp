// GoogleTest when the build has it, otherwise the tiny shim (test_shim.hpp).
#pragma once

#if defined(BALLCAM_TEST_SHIM)
#include "test_shim.hpp"
#else
#include <gtest/gtest.h>
#endif

#include <cstdlib>
#include <string>

namespace ballcam::gpu::testing {

// scripts/device-check.sh sets BALLCAM_GPU_REQUIRE_DEVICE=1: there, "no
// device" is a failure, not a skip.
inline bool device_required() {
  const char* env = std::getenv("BALLCAM_GPU_REQUIRE_DEVICE");
  return env != nullptr && std::string(env) == "1";
}

}  // namespace ballcam::gpu::testing
