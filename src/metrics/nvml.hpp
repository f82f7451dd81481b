// GPU utilisation and memory through NVML, loaded at run time (dlopen): a
// binary built anywhere reports GPU gauges where a driver is present and
// nothing elsewhere. "No GPU" is a normal answer, not an error.
#pragma once

#include <memory>

namespace ballcam::metrics {

struct GpuSample {
  double utilisation_percent = 0.0;
  double memory_used_bytes = 0.0;
  double memory_total_bytes = 0.0;
};

class Nvml {
 public:
  // Null when libnvidia-ml is missing or no GPU answers.
  static std::unique_ptr<Nvml> open(unsigned device_index = 0);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;
  bool sample(GpuSample& out) const;

 private:
  struct Impl;
  explicit Nvml(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ballcam::metrics
