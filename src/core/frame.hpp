// A video frame: pixel format, size, timestamp and where its memory lives.
//
// Ownership: a Frame never owns pixels directly. `storage` holds a shared
// reference to whatever owns them (a decoder's AVFrame, a pooled host buffer,
// a CUDA allocation). Copying a Frame shares the pixels; a stage that wants to
// modify pixels it did not allocate must make its own copy (see clone()).
// Frames travel the pipeline queues by value (moved), so exactly one stage
// holds a given Frame object at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

namespace ballcam {

enum class PixelFormat : std::uint8_t {
  kYuv420p,  // planar Y, U, V; chroma at half width and height (the CPU pipeline's format)
  kNv12,     // Y plane + interleaved UV plane (NVDEC's output)
  kP010,     // NV12's layout with 16-bit little-endian samples, the value in the top 10 bits (NVDEC, 10-bit)
  kRgb24,    // packed RGB, for reports and previews
  kGray8,
};

enum class MemoryLocation : std::uint8_t { kHost, kCuda };

const char* to_string(PixelFormat format);

struct Frame {
  PixelFormat format = PixelFormat::kYuv420p;
  MemoryLocation memory = MemoryLocation::kHost;
  int width_px = 0;
  int height_px = 0;
  std::array<std::uint8_t*, 4> planes{};
  std::array<int, 4> strides{};  // bytes per row of each plane
  std::int64_t pts_us = 0;        // presentation time, microseconds from stream start
  std::int64_t index = 0;         // 0-based position in the decoded stream
  std::int64_t arrival_ns = 0;    // steady-clock time the decoded frame entered the pipeline (latency); 0 = unknown
  std::shared_ptr<void> storage;  // keeps `planes` alive

  bool empty() const { return planes[0] == nullptr; }
  // A host 8-bit 4:2:0 picture, yuv420p or NV12: what the encoder, the
  // preview and the detectors' CPU input take.
  bool host_420() const {
    return memory == MemoryLocation::kHost && (format == PixelFormat::kYuv420p || format == PixelFormat::kNv12);
  }

  // Host frame with freshly allocated (uninitialised) planes, rows aligned to 64 bytes.
  static Frame allocate(PixelFormat format, int width_px, int height_px);

  // Deep copy into a new host allocation (same format and size).
  Frame clone() const;
};

// `rows` rows of `row_bytes` bytes each from `src` to `dst` (host memory),
// each side with its own pitch.
void copy_plane(std::uint8_t* dst, int dst_pitch, const std::uint8_t* src, int src_pitch, int row_bytes, int rows);

}  // namespace ballcam
