// The GPU side of the zero-copy pipeline (docs/GPU.md, "The zero-copy
// path"): between decode and the output crop a frame stays in device memory.
//
//   source thread: adopt()   NVDEC surface --D2D--> a pooled device NV12 frame
//                            (or a host frame NVDEC could not decode: one upload)
//   analyse thread:          the detector reads the device frame (libtorch CUDA)
//   render thread: render()  crop + resize (CUDA kernel), the overlay's ring
//                            on the device, one download of the output picture
//                            into pinned memory, handed on as host yuv420p
//
// Why adopt() copies: NVDEC has 32 decode surfaces, and the pipeline holds up
// to 3 queues plus hindsight's 18 frames; a device-to-device copy (~3 MB at
// 1080p, microseconds) frees the surface at once, so the decoder never waits.
// Ordering: FFmpeg writes a decoded frame on the legacy default stream of the
// primary context; adopt() copies on a blocking stream (ordered after it) and
// waits for that copy, and render() waits for its own stream before it
// returns, so a pooled frame is never reused while a kernel reads it.
//
// Builds with the CUDA kernels (gpu_frames.cpp); without them
// (gpu_frames_none.cpp) create() answers kUnavailable. create_reference()
// (gpu_frames_common.cpp, every build) runs the same stages on the kernels'
// CPU references with host NV12 frames: the GPU path's wiring, tested where
// no GPU is (`gpu.reference_path`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "core/frame.hpp"
#include "core/geometry.hpp"
#include "core/status.hpp"
#include "render/overlay.hpp"

namespace ballcam::pipeline {

class GpuFrames {
 public:
  // kUnavailable when this build has no CUDA kernels or no device opens.
  static Result<std::unique_ptr<GpuFrames>> create(int output_width_px, int output_height_px);
  // The same contract on the CPU references (gpu/reference.hpp): frames are
  // host NV12 (MemoryLocation::kHost); the byte counters count what the CUDA
  // path would move. For tests; slow.
  static Result<std::unique_ptr<GpuFrames>> create_reference(int output_width_px, int output_height_px);
  virtual ~GpuFrames() = default;

  // Source thread. An NVDEC frame (kNv12, kCuda) or a host yuv420p frame ->
  // an NV12 frame in this pool's device memory, same pts and index.
  virtual Result<Frame> adopt(Frame decoded) = 0;

  // Render thread. Crops `crop` out of the device frame, resizes it to the
  // output size, paints `ring` when given, downloads the picture and returns
  // it as a host yuv420p frame (pts and index of `src`).
  virtual Result<Frame> render(const Frame& src, const CropRect& crop, const std::optional<render::OverlayRing>& ring) = 0;

  virtual std::uint64_t bytes_host_to_device() const = 0;
  virtual std::uint64_t bytes_device_to_host() const = 0;
  // Device frames allocated by the pool (its high-water mark).
  virtual int pooled_frames() const = 0;
};

// Host picture conversions both implementations use: the output's NV12 ->
// a new yuv420p frame; a yuv420p frame -> NV12 planes (the upload staging).
Frame yuv420p_from_nv12(const std::uint8_t* y, int y_pitch, const std::uint8_t* uv, int uv_pitch, int width_px,
                        int height_px);
void nv12_from_yuv420p(const Frame& yuv, std::uint8_t* y, int y_pitch, std::uint8_t* uv, int uv_pitch);

// `to` takes `from`'s pts, index and arrival time (a picture made from it).
void copy_timing(const Frame& from, Frame& to);

// NV12 needs an even, positive size: `code` naming `what` ("frame",
// "output") when it is not.
Status check_nv12_size(int width_px, int height_px, const char* what, ErrorCode code);

}  // namespace ballcam::pipeline
