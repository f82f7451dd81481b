// Device check helper: samples GPU utilisation and memory through
// metrics::Nvml (libnvidia-ml loaded at run time), as `ballcam run
// --metrics-port` does. Built and run by scripts/device-check.sh.
#include <cstdio>

#include "metrics/nvml.hpp"

int main() {
  auto nvml = ballcam::metrics::Nvml::open();
  if (!nvml) {
    std::printf("NVML: not available (no libnvidia-ml or no GPU)\n");
    return 1;
  }
  ballcam::metrics::GpuSample s;
  if (!nvml->sample(s)) {
    std::printf("NVML: opened but sampling failed\n");
    return 1;
  }
  std::printf("NVML: utilisation %.0f %%, memory %.0f / %.0f MiB\n", s.utilisation_percent,
              s.memory_used_bytes / 1048576.0, s.memory_total_bytes / 1048576.0);
  return 0;
}
