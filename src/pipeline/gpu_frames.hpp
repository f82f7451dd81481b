// The GPU side of the zero-copy pipeline (docs/GPU.md, "The zero-copy
// path"): between decode and the output crop a frame stays in device memory.
//
//   source thread: adopt()   NVDEC surface --D2D--> a pooled device NV12 frame
//                            (or a host frame NVDEC could not decode: one upload)
//   analyse thread:          the detector reads the device frame (libtorch CUDA)
//   render thread: render()  crop + resize (CUDA kernel), the overlay (crosses
//                            and ring) on the device; then either one download
//                            of the output picture into pooled pinned memory
//                            (host NV12, for libx264), or none: the device NV12
//                            picture goes to NVENC (Output::kDevice)
//
// Why adopt() copies: NVDEC has 32 decode surfaces, and the pipeline holds up
// to 3 queues plus hindsight's 18 frames; a device-to-device copy (~3 MB at
// 1080p, microseconds) frees the surface at once, so the decoder never waits.
// Ordering: FFmpeg writes a decoded frame on the legacy default stream of the
// primary context; adopt() copies on a blocking stream (ordered after it) and
// waits for that copy, and render() waits for its own stream before it
// returns, so a pooled frame is never reused while a kernel reads it.
//
// Both implementations are PooledFrames (pooled_frames.hpp: the pools, the
// render target, the order of the steps, the byte counters) over their own
// primitive steps: CUDA (gpu_frames.cpp, builds with the CUDA kernels;
// without them gpu_frames_none.cpp's create() answers kUnavailable), and
// create_reference()'s kernels' CPU references in host memory
// (gpu_frames_common.cpp, every build): the GPU path's wiring, tested where
// no GPU is (`gpu.reference_path`).
#pragma once

#include <cstdint>
#include <memory>

#include "core/frame.hpp"
#include "core/geometry.hpp"
#include "core/status.hpp"
#include "render/overlay.hpp"

namespace ballcam::pipeline {

class GpuFrames {
 public:
  // Where render() leaves the output picture: downloaded to host memory (an
  // encoder on the CPU), or kept on the device (NVENC reads it there).
  enum class Output : std::uint8_t { kHost, kDevice };

  // kUnavailable when this build has no CUDA kernels or no device opens.
  static Result<std::unique_ptr<GpuFrames>> create(int output_width_px, int output_height_px, Output output);
  // The same contract on the CPU references (gpu/reference.hpp): frames are
  // host NV12 (MemoryLocation::kHost) throughout; the byte counters count
  // what the CUDA path would move. For tests; slow.
  static Result<std::unique_ptr<GpuFrames>> create_reference(int output_width_px, int output_height_px, Output output);
  virtual ~GpuFrames() = default;

  // Source thread. An NVDEC frame (kNv12 or 10-bit kP010, kCuda; P010 is
  // rounded to 8 bits on the device) or a host yuv420p frame -> an NV12
  // frame in this pool's device memory, same pts and index.
  virtual Result<Frame> adopt(Frame decoded) = 0;

  // Render thread. Crops `crop` out of the device frame, resizes it to the
  // output size, paints `marks` when given (crosses, then the ring) and
  // returns the NV12 picture (pts and index of `src`): a pooled pinned host
  // frame (Output::kHost), or a pooled device frame whose kernels have
  // finished (Output::kDevice). The pools take pictures back when the last
  // reference goes, so encoders may hold them.
  virtual Result<Frame> render(const Frame& src, const CropRect& crop, const render::OverlayMarks* marks) = 0;

  // Render thread. An output picture as a host NV12 frame: a device one is
  // downloaded (counted), a host one returned as it is. The live preview.
  virtual Result<Frame> to_host(const Frame& picture) = 0;

  virtual std::uint64_t bytes_host_to_device() const = 0;
  virtual std::uint64_t bytes_device_to_host() const = 0;
  // Input frames of the current size allocated by the pool: the most that
  // were in flight at once (the pool is emptied when the input's size changes).
  virtual int pooled_frames() const = 0;
};

// A yuv420p frame -> NV12 planes (the upload staging of frames NVDEC did not
// decode; both implementations).
void nv12_from_yuv420p(const Frame& yuv, std::uint8_t* y, int y_pitch, std::uint8_t* uv, int uv_pitch);

// `to` takes `from`'s pts, index and arrival time (a picture made from it).
void copy_timing(const Frame& from, Frame& to);

// NV12 needs an even, positive size: `code` naming `what` ("frame",
// "output") when it is not.
Status check_nv12_size(int width_px, int height_px, const char* what, ErrorCode code);

}  // namespace ballcam::pipeline
