// Run-time probe of the NVIDIA driver: is there a CUDA driver, which GPUs,
// and what can each one's NVDEC decode. The driver (libcuda.so.1) and the
// NVDEC library (libnvcuvid.so.1) are opened with dlopen, so a binary built
// with CUDA runs on a machine without a GPU and simply finds nothing. No CUDA
// toolkit is needed to build this file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ballcam::gpu {

// What cuvidGetDecoderCaps said for one codec / bit depth (4:2:0).
struct NvdecCaps {
  std::string codec;        // "h264", "hevc", "hevc-10bit", "vp9", "av1"
  bool supported = false;
  int engines = 0;          // NVDEC engines that take it
  int max_width_px = 0;
  int max_height_px = 0;
  int min_width_px = 0;
  int min_height_px = 0;
};

struct GpuInfo {
  int index = 0;
  std::string name;
  std::uint64_t memory_bytes = 0;
  int cc_major = 0;
  int cc_minor = 0;
  std::vector<NvdecCaps> nvdec;  // empty when libnvcuvid is missing
  std::string nvdec_error;       // why nvdec is empty
};

struct DriverProbe {
  bool driver_loaded = false;      // libcuda.so.1 opened and cuInit succeeded
  std::string driver_error;        // why not (one line)
  int cuda_driver_version = 0;     // cuDriverGetVersion: 13000 = CUDA 13.0
  std::string driver_version;      // "580.159.04" (/proc/driver/nvidia/version), "" if unknown
  bool nvcuvid_present = false;    // libnvcuvid.so.1 (NVDEC) opens
  bool nvenc_library_present = false;  // libnvidia-encode.so.1 opens (the GPU may still have no NVENC engine)
  std::vector<GpuInfo> gpus;

  bool has_gpu() const { return driver_loaded && !gpus.empty(); }
};

// Probes once per process (the result is cached; cheap after the first call).
const DriverProbe& probe_driver();

// "13.0" from 13000.
std::string cuda_version_string(int version);

// Whether GPU `gpu_index`'s NVDEC decodes `codec` (FFmpeg's codec name:
// "h264", "hevc", ...) at this size and bit depth; `why` gets the reason
// when not.
bool nvdec_supports(const DriverProbe& probe, int gpu_index, const std::string& codec, int width_px, int height_px,
                    int bit_depth, std::string* why);

}  // namespace ballcam::gpu
