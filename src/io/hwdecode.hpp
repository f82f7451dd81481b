// NVDEC decode through FFmpeg's CUDA hwaccel (h264_nvdec, hevc_nvdec): the
// decoder gets a CUDA hardware device and hands out AV_PIX_FMT_CUDA frames
// (NV12 in device memory, P010 for 10-bit) from a frame pool sized for the
// frames in flight. FFmpeg loads the driver (libcuda, libnvcuvid) at run
// time, so this builds and runs everywhere; without a GPU enable_nvdec()
// returns kUnavailable naming what is missing.
//
// No spdlog here: tests/gpu builds this file without the logging libraries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "io/ffmpeg_raii.hpp"

namespace ballcam::io {

enum class DecodeMode : std::uint8_t {
  kCpu,    // libavcodec's software decoders
  kAuto,   // NVDEC when the codec is one it takes and a CUDA device opens, else CPU
  kNvdec,  // NVDEC or fail (kUnavailable)
};
const char* to_string(DecodeMode mode);

// Codecs we decode with NVDEC (FFmpeg has an nvdec hwaccel for them).
bool nvdec_codec(AVCodecID id);

// Creates a CUDA device (device 0, or CUDA_VISIBLE_DEVICES' first) and makes
// `dec` decode into AV_PIX_FMT_CUDA frames. Call before avcodec_open2.
// `frames_in_flight`: frames the caller holds at once beyond the decoder's own
// references (queue capacity + one per stage); FFmpeg sizes the pool with it.
// Capped at kMaxExtraNvdecSurfaces (NVDEC's 32 surfaces less a full DPB).
Status enable_nvdec(AVCodecContext* dec, int frames_in_flight);
inline constexpr int kMaxExtraNvdecSurfaces = 32 - 16 - 2;

// Copies a hardware frame into host memory (NV12, or P010 for 10-bit) and
// adds the bytes moved to `*bytes`. Timestamps and properties are copied too.
Result<ff::FramePtr> download_hw_frame(const AVFrame* hw, std::uint64_t* bytes);

// What this FFmpeg build carries (for `ballcam doctor`).
std::vector<std::string> ffmpeg_hw_device_types();  // "cuda", ...
std::vector<std::string> ffmpeg_video_encoders();   // "libx264", "h264_nvenc", ...
std::vector<std::string> ffmpeg_hw_decoders();      // "h264 (cuda)", "h264_cuvid", ...

// A CUDA hardware device on device 0's primary context (the one the CUDA
// runtime, our kernels and libtorch use, so device pointers are shared).
// kUnavailable naming the reason when no driver or GPU answers.
Result<ff::BufferRefPtr> open_cuda_device();

// Makes encoder context `enc` (its width and height set) take CUDA NV12
// frames: pix_fmt AV_PIX_FMT_CUDA and a frames context of its size on the
// primary context (open_cuda_device), where the pipeline's device pictures
// live. kUnavailable when no CUDA device opens.
Status use_cuda_nv12_frames(AVCodecContext* enc);

// NVENC encoders (h264_nvenc, hevc_nvenc): they can take CUDA frames.
bool is_nvenc(const std::string& encoder);

// Opens encoder `name` for a width x height yuv420p/nv12 stream (with
// `cuda_frames`: CUDA NV12 frames, NVENC only) and closes it again:
// kUnavailable with FFmpeg's reason when it does not open (e.g. h264_nvenc on
// a GPU without an NVENC engine, or no GPU at all).
Status try_open_encoder(const std::string& name, int width_px, int height_px, bool cuda_frames = false);

}  // namespace ballcam::io
