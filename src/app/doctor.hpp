// `ballcam doctor`: what this machine and this build can run, and a short
// self-test of each path (docs/GPU.md, "ballcam doctor").
#pragma once

#include <string>

namespace ballcam::app {

struct DoctorOptions {
  std::string device = "cuda";  // the path whose health decides the exit code: cuda, auto or cpu
  bool self_test = true;        // run the ~2 s self-tests (decode, kernels, libtorch, encoders)
};

// Prints the report on stdout. Returns 0 when the requested path works,
// 5 (ErrorCode::kUnavailable) when it does not, 1 on an internal failure.
int run_doctor(const DoctorOptions& options);

}  // namespace ballcam::app
