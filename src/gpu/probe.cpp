#include "gpu/probe.hpp"

#include <dlfcn.h>

#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

namespace ballcam::gpu {
namespace {

// The few driver-API entry points we call, declared here (a stable C ABI)
// so that no CUDA header is needed.
using CUresult = int;
using CUdevice = int;
using CUcontext = void*;
constexpr int kAttrCcMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kAttrCcMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

// cuvidGetDecoderCaps' argument (nvcuvid's CUVIDDECODECAPS, same layout).
struct CuvidDecodeCaps {
  int codec_type;       // cudaVideoCodec
  int chroma_format;    // cudaVideoChromaFormat (1 = 4:2:0)
  unsigned bit_depth_minus8;
  unsigned reserved1[3];
  unsigned char is_supported;
  unsigned char num_nvdecs;
  unsigned short output_format_mask;
  unsigned max_width;
  unsigned max_height;
  unsigned max_mb_count;
  unsigned short min_width;
  unsigned short min_height;
  unsigned char histogram_supported;
  unsigned char counter_bit_depth;
  unsigned short max_histogram_bins;
  unsigned reserved3[10];
};

struct CodecQuery {
  const char* name;
  int cuvid_codec;  // cudaVideoCodec
  unsigned bit_depth_minus8;
};
constexpr std::array<CodecQuery, 5> kCodecs = {{
    {"h264", 4, 0}, {"hevc", 8, 0}, {"hevc-10bit", 8, 2}, {"vp9", 10, 0}, {"av1", 11, 0}}};

template <typename F>
F sym(void* lib, const char* name) {
  return reinterpret_cast<F>(dlsym(lib, name));
}

std::string read_driver_version() {
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  ..."
  std::ifstream in("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(in, line)) return {};
  std::istringstream words(line);
  std::string w;
  std::string last_numeric;
  while (words >> w) {
    if (!w.empty() && std::isdigit(static_cast<unsigned char>(w[0])) && w.find('.') != std::string::npos) return w;
  }
  return last_numeric;
}

DriverProbe run_probe() {
  DriverProbe p;
  p.driver_version = read_driver_version();
  // Handles stay open for the process's life: the driver is not meant to be
  // unloaded, and FFmpeg/cudart open the same library anyway.
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (cuda == nullptr) {
    p.driver_error = "no NVIDIA driver (libcuda.so.1 not found)";
    return p;
  }
  auto cu_init = sym<CUresult (*)(unsigned)>(cuda, "cuInit");
  auto cu_version = sym<CUresult (*)(int*)>(cuda, "cuDriverGetVersion");
  auto cu_count = sym<CUresult (*)(int*)>(cuda, "cuDeviceGetCount");
  auto cu_get = sym<CUresult (*)(CUdevice*, int)>(cuda, "cuDeviceGet");
  auto cu_name = sym<CUresult (*)(char*, int, CUdevice)>(cuda, "cuDeviceGetName");
  auto cu_mem = sym<CUresult (*)(std::size_t*, CUdevice)>(cuda, "cuDeviceTotalMem_v2");
  auto cu_attr = sym<CUresult (*)(int*, int, CUdevice)>(cuda, "cuDeviceGetAttribute");
  auto cu_retain = sym<CUresult (*)(CUcontext*, CUdevice)>(cuda, "cuDevicePrimaryCtxRetain");
  auto cu_release = sym<CUresult (*)(CUdevice)>(cuda, "cuDevicePrimaryCtxRelease_v2");
  auto cu_push = sym<CUresult (*)(CUcontext)>(cuda, "cuCtxPushCurrent_v2");
  auto cu_pop = sym<CUresult (*)(CUcontext*)>(cuda, "cuCtxPopCurrent_v2");
  auto cu_errstr = sym<CUresult (*)(CUresult, const char**)>(cuda, "cuGetErrorString");
  if (!cu_init || !cu_version || !cu_count || !cu_get || !cu_name || !cu_mem || !cu_attr || !cu_retain ||
      !cu_release || !cu_push || !cu_pop) {
    p.driver_error = "libcuda.so.1 lacks driver API entry points (driver too old?)";
    return p;
  }
  const CUresult rc = cu_init(0);
  if (rc != 0) {
    const char* s = nullptr;
    if (cu_errstr != nullptr) cu_errstr(rc, &s);
    p.driver_error = std::string("cuInit failed: ") + (s != nullptr ? s : "error " + std::to_string(rc)) +
                     (rc == 100 ? " (no CUDA-capable GPU visible)" : "");
    return p;
  }
  p.driver_loaded = true;
  cu_version(&p.cuda_driver_version);

  void* cuvid = dlopen("libnvcuvid.so.1", RTLD_NOW | RTLD_LOCAL);
  p.nvcuvid_present = cuvid != nullptr;
  auto get_caps = cuvid != nullptr ? sym<CUresult (*)(CuvidDecodeCaps*)>(cuvid, "cuvidGetDecoderCaps") : nullptr;
  void* nvenc = dlopen("libnvidia-encode.so.1", RTLD_NOW | RTLD_LOCAL);
  p.nvenc_library_present = nvenc != nullptr;

  int count = 0;
  if (cu_count(&count) != 0) count = 0;
  for (int i = 0; i < count; ++i) {
    CUdevice dev = 0;
    if (cu_get(&dev, i) != 0) continue;
    GpuInfo g;
    g.index = i;
    std::array<char, 256> name{};
    if (cu_name(name.data(), static_cast<int>(name.size()), dev) == 0) g.name = name.data();
    std::size_t mem = 0;
    if (cu_mem(&mem, dev) == 0) g.memory_bytes = mem;
    cu_attr(&g.cc_major, kAttrCcMajor, dev);
    cu_attr(&g.cc_minor, kAttrCcMinor, dev);
    if (get_caps == nullptr) {
      g.nvdec_error = cuvid == nullptr ? "libnvcuvid.so.1 not found (driver installed without video support?)"
                                       : "libnvcuvid.so.1 lacks cuvidGetDecoderCaps";
    } else {
      CUcontext ctx = nullptr;
      if (cu_retain(&ctx, dev) != 0 || cu_push(ctx) != 0) {
        g.nvdec_error = "cannot create a CUDA context on this GPU";
      } else {
        for (const CodecQuery& q : kCodecs) {
          CuvidDecodeCaps caps{};
          caps.codec_type = q.cuvid_codec;
          caps.chroma_format = 1;
          caps.bit_depth_minus8 = q.bit_depth_minus8;
          NvdecCaps c;
          c.codec = q.name;
          if (get_caps(&caps) == 0 && caps.is_supported != 0) {
            c.supported = true;
            c.engines = caps.num_nvdecs;
            c.max_width_px = static_cast<int>(caps.max_width);
            c.max_height_px = static_cast<int>(caps.max_height);
            c.min_width_px = caps.min_width;
            c.min_height_px = caps.min_height;
          }
          g.nvdec.push_back(c);
        }
        CUcontext popped = nullptr;
        cu_pop(&popped);
      }
      if (ctx != nullptr) cu_release(dev);
    }
    p.gpus.push_back(std::move(g));
  }
  if (p.gpus.empty() && p.driver_error.empty()) p.driver_error = "the driver sees no GPU";
  return p;
}

}  // namespace

const DriverProbe& probe_driver() {
  static const DriverProbe probe = run_probe();
  return probe;
}

std::string cuda_version_string(int version) {
  if (version <= 0) return "none";
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

bool nvdec_supports(const DriverProbe& probe, int gpu_index, const std::string& codec, int width_px, int height_px,
                    int bit_depth, std::string* why) {
  auto say = [why](std::string s) {
    if (why != nullptr) *why = std::move(s);
    return false;
  };
  if (!probe.driver_loaded) return say(probe.driver_error);
  if (gpu_index < 0 || gpu_index >= static_cast<int>(probe.gpus.size())) return say("no GPU " + std::to_string(gpu_index));
  const GpuInfo& g = probe.gpus[static_cast<std::size_t>(gpu_index)];
  if (g.nvdec.empty()) return say("NVDEC unavailable: " + g.nvdec_error);
  const std::string key = (codec == "hevc" && bit_depth > 8) ? "hevc-10bit" : codec;
  if (bit_depth > 8 && codec != "hevc") return say("NVDEC probe covers " + codec + " at 8 bits only");
  for (const NvdecCaps& c : g.nvdec) {
    if (c.codec != key) continue;
    if (!c.supported) return say("this GPU's NVDEC does not decode " + key);
    if (width_px > c.max_width_px || height_px > c.max_height_px) {
      return say(key + " " + std::to_string(width_px) + "x" + std::to_string(height_px) + " exceeds NVDEC's " +
                 std::to_string(c.max_width_px) + "x" + std::to_string(c.max_height_px));
    }
    if (width_px < c.min_width_px || height_px < c.min_height_px) {
      return say(key + " " + std::to_string(width_px) + "x" + std::to_string(height_px) + " is below NVDEC's minimum " +
                 std::to_string(c.min_width_px) + "x" + std::to_string(c.min_height_px));
    }
    if (why != nullptr) why->clear();
    return true;
  }
  return say("NVDEC does not take codec " + codec);
}

}  // namespace ballcam::gpu
