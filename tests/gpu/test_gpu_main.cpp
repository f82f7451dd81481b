// Test runner for tests/gpu. `--perf [--perf-out FILE]` (or
// BALLCAM_GPU_PERF=1) prints the kernel timing table instead of testing.
#include <cstdlib>
#include <cstring>
#include <string>

#include "gpu_test.hpp"

#if defined(BALLCAM_HAVE_CUDA_KERNELS)
namespace ballcam::gpu {
int run_perf(const char* out_path);
}
#endif

int main(int argc, char** argv) {
  bool perf = false;
  const char* perf_out = nullptr;
  if (const char* env = std::getenv("BALLCAM_GPU_PERF"); env != nullptr && std::strcmp(env, "1") == 0) perf = true;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--perf") == 0) {
      perf = true;
    } else if (std::strcmp(argv[i], "--perf-out") == 0 && i + 1 < argc) {
      perf_out = argv[++i];
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (perf) {
#if defined(BALLCAM_HAVE_CUDA_KERNELS)
    return ballcam::gpu::run_perf(perf_out);
#else
    (void)perf_out;
    std::puts("perf: built without CUDA, nothing to measure");
    return 0;
#endif
  }
#if defined(BALLCAM_TEST_SHIM)
  return bcshim::run_all();
#else
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
#endif
}
