#include "app/doctor.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <variant>

#include "core/status.hpp"
#include "detect/cuda_probe.hpp"
#include "gpu/probe.hpp"
#include "io/hwdecode.hpp"
#include "io/source.hpp"
#include "synth/synth.hpp"
#if defined(BALLCAM_HAVE_CUDA_KERNELS)
#include "gpu/self_test.hpp"
#endif

extern "C" {
#include <libavcodec/version.h>
#include <libavformat/version.h>
#include <libavutil/version.h>
}

namespace ballcam::app {
namespace {

using Clock = std::chrono::steady_clock;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "(none)" : s;
}

void line(const char* key, const std::string& value) { std::printf("  %-22s %s\n", key, value.c_str()); }

struct Check {
  bool ok = false;
  std::string detail;
};

// Decodes every frame of `path` with `mode`; detail names frames and time.
Check decode_check(const std::string& path, io::DecodeMode mode) {
  const auto t0 = Clock::now();
  io::SourceOptions so;
  so.url = path;
  so.decode = mode;
  so.want_audio = false;
  auto src = io::Source::open(so);
  if (!src.ok()) return {false, src.status().message()};
  if (mode == io::DecodeMode::kNvdec && (*src)->info().decoder != "nvdec") return {false, "decoder is not NVDEC"};
  int frames = 0;
  for (;;) {
    auto item = (*src)->read();
    if (!item.ok()) return {false, item.status().message()};
    if (std::holds_alternative<io::EndOfStream>(*item)) break;
    if (std::holds_alternative<Frame>(*item)) ++frames;
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  char buf[200];
  std::snprintf(buf, sizeof buf, "%d frames %dx%d in %.0f ms (%llu bytes device->host)", frames, (*src)->info().width_px,
                (*src)->info().height_px, ms, static_cast<unsigned long long>((*src)->bytes_device_to_host()));
  return {frames > 0, buf};
}

const char* mark(bool ok) { return ok ? "ok  " : "FAIL"; }
const char* mark(const Check& c) { return c.ok ? "ok  " : c.detail.rfind("skipped", 0) == 0 ? "skip" : "FAIL"; }

}  // namespace

int run_doctor(const DoctorOptions& options) {
  std::printf("ballcam doctor (requested path: --device %s)\n\n", options.device.c_str());

  // --- driver and GPUs ------------------------------------------------------
  const gpu::DriverProbe& probe = gpu::probe_driver();
  std::printf("NVIDIA driver\n");
  if (!probe.driver_loaded) {
    line("driver", "NONE: " + probe.driver_error);
  } else {
    line("driver", (probe.driver_version.empty() ? std::string("(version unknown)") : probe.driver_version) +
                       ", supports CUDA " + gpu::cuda_version_string(probe.cuda_driver_version));
  }
  line("NVDEC library", probe.nvcuvid_present ? "libnvcuvid.so.1 present" : "libnvcuvid.so.1 missing");
  line("NVENC library", probe.nvenc_library_present ? "libnvidia-encode.so.1 present" : "libnvidia-encode.so.1 missing");
  for (const gpu::GpuInfo& g : probe.gpus) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s, %.1f GiB, compute capability %d.%d", g.name.c_str(),
                  static_cast<double>(g.memory_bytes) / (1024.0 * 1024.0 * 1024.0), g.cc_major, g.cc_minor);
    line(("GPU " + std::to_string(g.index)).c_str(), buf);
    if (g.nvdec.empty()) line("  NVDEC", g.nvdec_error);
    for (const gpu::NvdecCaps& c : g.nvdec) {
      if (!c.supported) {
        line(("  NVDEC " + c.codec).c_str(), "no");
        continue;
      }
      std::snprintf(buf, sizeof buf, "yes, up to %dx%d, %d engine(s)", c.max_width_px, c.max_height_px, c.engines);
      line(("  NVDEC " + c.codec).c_str(), buf);
    }
  }
  if (probe.driver_loaded && probe.gpus.empty()) line("GPUs", "none");
  std::printf("\nThis build\n");
#if defined(BALLCAM_HAVE_CUDA_KERNELS)
  line("CUDA kernels", "built in");
#else
  line("CUDA kernels", "not built (no CUDA toolkit when this was compiled)");
#endif
  std::string torch_note;
  const bool torch_cuda = detect::torch_cuda_available(&torch_note);
  line("libtorch", torch_note);
  line("FFmpeg", std::string("libavcodec ") + AV_STRINGIFY(LIBAVCODEC_VERSION) + ", libavformat " +
                     AV_STRINGIFY(LIBAVFORMAT_VERSION) + ", libavutil " + AV_STRINGIFY(LIBAVUTIL_VERSION));
  line("FFmpeg hwaccels", join(io::ffmpeg_hw_device_types()));
  line("FFmpeg hw decoders", join(io::ffmpeg_hw_decoders()));
  line("FFmpeg video encoders", join(io::ffmpeg_video_encoders()));

  // --- self-tests -------------------------------------------------------------
  Check cpu_decode, nvdec, kernels, torch, x264, nvenc;
  if (options.self_test) {
    std::printf("\nSelf-tests\n");
    // POSIX calls, not std::filesystem: libtorch exports its own copies of
    // some std::filesystem symbols, and remove_all() through them crashed.
    std::string dir_template = "/tmp/ballcam-doctor-XXXXXX";
    const char* dir = ::mkdtemp(dir_template.data());
    const std::string clip = std::string(dir != nullptr ? dir : "/tmp") + "/ballcam-doctor-clip.mp4";
    synth::SynthOptions so;
    so.width_px = 640;
    so.height_px = 360;
    so.duration_s = 1.0;
    so.audio = false;
    so.preset = "ultrafast";
    const Status made = synth::synthesize(so, clip, "");
    x264 = {made.ok(), made.ok() ? "encoded a 640x360 1 s clip (libx264)" : made.message()};
    std::printf("  [%s] %-18s %s\n", mark(x264.ok), "encode libx264", x264.detail.c_str());
    if (made.ok()) {
      cpu_decode = decode_check(clip, io::DecodeMode::kCpu);
      std::printf("  [%s] %-18s %s\n", mark(cpu_decode.ok), "decode CPU", cpu_decode.detail.c_str());
      if (probe.has_gpu()) {
        nvdec = decode_check(clip, io::DecodeMode::kNvdec);
      } else {
        nvdec = {false, "skipped: " + probe.driver_error};
      }
      std::printf("  [%s] %-18s %s\n", mark(nvdec), "decode NVDEC", nvdec.detail.c_str());
    }
    ::unlink(clip.c_str());
    if (dir != nullptr) ::rmdir(dir);
#if defined(BALLCAM_HAVE_CUDA_KERNELS)
    if (probe.has_gpu()) {
      const Status st = gpu::kernel_self_test(&kernels.detail);
      kernels.ok = st.ok();
      if (!st.ok()) kernels.detail = st.message();
    } else {
      kernels = {false, "skipped: " + probe.driver_error};
    }
#else
    kernels = {false, "not built"};
#endif
    std::printf("  [%s] %-18s %s\n", mark(kernels), "CUDA kernels", kernels.detail.c_str());
    torch.ok = torch_cuda && detect::torch_cuda_self_test(&torch.detail);
    if (!torch_cuda) torch.detail = torch_note;
    std::printf("  [%s] %-18s %s\n", mark(torch), "libtorch CUDA", torch.detail.c_str());
    if (probe.has_gpu()) {
      // What the zero-copy path opens (CUDA frames), per codec.
      std::vector<std::string> opened, failed;
      for (const char* name : {"h264_nvenc", "hevc_nvenc"}) {
        const Status st = io::try_open_encoder(name, 1280, 720, /*cuda_frames=*/true);
        (st.ok() ? opened : failed).push_back(st.ok() ? std::string(name) : st.message());
      }
      nvenc.ok = !opened.empty() && opened.front() == "h264_nvenc";
      nvenc.detail = opened.empty() ? failed.front()
                                    : join(opened) + " open at 1280x720 with CUDA frames" +
                                          (failed.empty() ? "" : "; " + failed.front());
    } else {
      nvenc = {false, "skipped: " + probe.driver_error};
    }
    std::printf("  [%s] %-18s %s\n", mark(nvenc), "encode NVENC", nvenc.detail.c_str());
  }

  // --- verdict --------------------------------------------------------------------
  // --device cuda needs a GPU and NVDEC. The zero-copy path (frames kept on
  // the GPU, a neural detector on libtorch CUDA, crop on the GPU) also needs
  // the kernels and libtorch CUDA; without them the classical detector still
  // runs with NVDEC decode. NVENC, where it opens, encodes (--encoder auto);
  // otherwise libx264 (data-centre GPUs have no NVENC).
  const bool cpu_ok = !options.self_test || (x264.ok && cpu_decode.ok);
  const bool gpu_ok = probe.has_gpu() && (!options.self_test || nvdec.ok);
#if defined(BALLCAM_HAVE_CUDA_KERNELS)
  const bool kernels_built = true;
#else
  const bool kernels_built = false;
#endif
  const bool zero_copy_ok = gpu_ok && kernels_built && (!options.self_test || kernels.ok) && torch_cuda &&
                            (!options.self_test || torch.ok);
  const std::string zero_copy_why = !kernels_built                          ? "no CUDA kernels in this build"
                                    : options.self_test && !kernels.ok      ? "kernel self-test failed"
                                    : !torch_cuda                           ? torch_note
                                    : options.self_test && !torch.ok        ? "libtorch CUDA self-test failed"
                                                                            : "";
  const std::string gpu_path =
      zero_copy_ok ? std::string("NVDEC decode; footandball/rfdetr on libtorch CUDA with frames kept on the GPU, crop on "
                                 "the GPU, ") +
                         (nvenc.ok ? "encoded by h264_nvenc from device memory"
                                   : options.self_test ? "output downloaded and encoded with libx264 (no NVENC)"
                                                       : "encoded by h264_nvenc where it opens, else libx264 on the "
                                                         "downloaded output") +
                         "; the classical detector with NVDEC decode and CPU stages"
                   : "NVDEC decode with CPU stages (the classical detector); footandball/rfdetr cannot run on CUDA here: " +
                         zero_copy_why;
  std::printf("\n");
  if (options.device == "cpu") {
    std::printf("verdict: CPU pipeline %s\n", cpu_ok ? "works" : "does NOT work");
    return cpu_ok ? 0 : static_cast<int>(ErrorCode::kUnavailable);
  }
  if (options.device == "auto") {
    std::printf("verdict: --device auto would run %s\n",
                gpu_ok ? gpu_path.c_str()
                       : ("the CPU pipeline (" + (probe.has_gpu() ? nvdec.detail : probe.driver_error) + ")").c_str());
    return cpu_ok || gpu_ok ? 0 : static_cast<int>(ErrorCode::kUnavailable);
  }
  if (!probe.has_gpu()) {
    std::printf("verdict: NO GPU: --device cuda cannot run here (%s); use --device cpu or auto\n", probe.driver_error.c_str());
    return static_cast<int>(ErrorCode::kUnavailable);
  }
  std::printf("verdict: --device cuda %s\n", gpu_ok ? ("works: " + gpu_path).c_str()
                                                   : ("does NOT work: " + nvdec.detail).c_str());
  return gpu_ok ? 0 : static_cast<int>(ErrorCode::kUnavailable);
}

}  // namespace ballcam::app
