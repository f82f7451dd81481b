#include "metrics/nvml.hpp"

#include <dlfcn.h>

namespace ballcam::metrics {

namespace {
// The few NVML types and entry points used here (ABI-stable C API).
using nvmlReturn_t = int;
using nvmlDevice_t = void*;
struct NvmlUtilization {
  unsigned gpu;
  unsigned memory;
};
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
using InitFn = nvmlReturn_t (*)();
using ShutdownFn = nvmlReturn_t (*)();
using HandleFn = nvmlReturn_t (*)(unsigned, nvmlDevice_t*);
using UtilFn = nvmlReturn_t (*)(nvmlDevice_t, NvmlUtilization*);
using MemFn = nvmlReturn_t (*)(nvmlDevice_t, NvmlMemory*);
}  // namespace

struct Nvml::Impl {
  void* lib = nullptr;
  ShutdownFn shutdown = nullptr;
  UtilFn utilization = nullptr;
  MemFn memory = nullptr;
  nvmlDevice_t device = nullptr;
};

Nvml::Nvml(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Nvml::~Nvml() {
  if (impl_->shutdown) impl_->shutdown();
  if (impl_->lib) dlclose(impl_->lib);
}

std::unique_ptr<Nvml> Nvml::open(unsigned device_index) {
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return nullptr;
  auto impl = std::make_unique<Impl>();
  impl->lib = lib;
  auto init = reinterpret_cast<InitFn>(dlsym(lib, "nvmlInit_v2"));
  impl->shutdown = reinterpret_cast<ShutdownFn>(dlsym(lib, "nvmlShutdown"));
  auto handle = reinterpret_cast<HandleFn>(dlsym(lib, "nvmlDeviceGetHandleByIndex_v2"));
  impl->utilization = reinterpret_cast<UtilFn>(dlsym(lib, "nvmlDeviceGetUtilizationRates"));
  impl->memory = reinterpret_cast<MemFn>(dlsym(lib, "nvmlDeviceGetMemoryInfo"));
  if (!init || !impl->shutdown || !handle || !impl->utilization || !impl->memory || init() != 0) {
    impl->shutdown = nullptr;  // never initialised
    dlclose(lib);
    impl->lib = nullptr;
    return nullptr;
  }
  if (handle(device_index, &impl->device) != 0) {
    impl->shutdown();
    dlclose(lib);
    impl->lib = nullptr;
    impl->shutdown = nullptr;
    return nullptr;
  }
  return std::unique_ptr<Nvml>(new Nvml(std::move(impl)));
}

bool Nvml::sample(GpuSample& out) const {
  NvmlUtilization u{};
  NvmlMemory m{};
  if (impl_->utilization(impl_->device, &u) != 0 || impl_->memory(impl_->device, &m) != 0) return false;
  out.utilisation_percent = u.gpu;
  out.memory_used_bytes = static_cast<double>(m.used);
  out.memory_total_bytes = static_cast<double>(m.total);
  return true;
}

}  // namespace ballcam::metrics
