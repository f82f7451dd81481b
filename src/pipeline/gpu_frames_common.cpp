// Host helpers shared by both GpuFrames implementations, and the
// reference implementation: the GPU path's stages on the kernels' CPU
// references (gpu/reference.hpp), so its wiring runs in tests without a GPU.
#include <span>

#include "gpu/frame_view.hpp"
#include "gpu/reference.hpp"
#include "pipeline/gpu_frames.hpp"
#include "pipeline/pooled_frames.hpp"

namespace ballcam::pipeline {

void nv12_from_yuv420p(const Frame& yuv, std::uint8_t* y, int y_pitch, std::uint8_t* uv, int uv_pitch) {
  copy_plane(y, y_pitch, yuv.planes[0], yuv.strides[0], yuv.width_px, yuv.height_px);
  for (int r = 0; r < yuv.height_px / 2; ++r) {
    const std::uint8_t* u = yuv.planes[1] + static_cast<std::ptrdiff_t>(r) * yuv.strides[1];
    const std::uint8_t* v = yuv.planes[2] + static_cast<std::ptrdiff_t>(r) * yuv.strides[2];
    std::uint8_t* o = uv + static_cast<std::ptrdiff_t>(r) * uv_pitch;
    for (int c = 0; c < yuv.width_px / 2; ++c) {
      o[2 * c] = u[c];
      o[2 * c + 1] = v[c];
    }
  }
}

void copy_timing(const Frame& from, Frame& to) {
  to.pts_us = from.pts_us;
  to.index = from.index;
  to.arrival_ns = from.arrival_ns;
}

Status check_nv12_size(int width_px, int height_px, const char* what, ErrorCode code) {
  if (width_px > 0 && height_px > 0 && width_px % 2 == 0 && height_px % 2 == 0) return Status::Ok();
  return error(code, std::string("the GPU path needs an even ") + what + " size, got " + std::to_string(width_px) +
                         "x" + std::to_string(height_px));
}

namespace {

// The zero-copy path's steps on the kernels' CPU references
// (PooledFrames, pooled_frames.hpp): host memory stands in for device
// memory (input frames, NVENC pictures) and for pinned memory (downloaded
// pictures); the bytes counted are those the CUDA path would move.
struct ReferenceOps {
  using DeviceFrame = HostNv12Frame;
  using HostFrame = HostNv12Frame;
  static constexpr MemoryLocation kDeviceMemory = MemoryLocation::kHost;
  static constexpr const char* kDeviceName = "host memory (the reference path)";

  Status open() { return Status::Ok(); }

  Result<std::uint64_t> to_device(const Frame& decoded, const gpu::Nv12MutView& dst) {
    if (decoded.memory != MemoryLocation::kHost || decoded.format != PixelFormat::kYuv420p)
      return error(ErrorCode::kInvalidArgument, "the reference GPU path takes host yuv420p frames");
    nv12_from_yuv420p(decoded, dst.y, dst.y_pitch, dst.uv, dst.uv_pitch);
    return static_cast<std::uint64_t>(decoded.width_px) * static_cast<std::uint64_t>(decoded.height_px) * 3 / 2;
  }
  Status crop_resize(const gpu::Nv12View& src, const CropRect& crop, const gpu::Nv12MutView& dst) {
    gpu::ref::crop_resize_nv12(src, crop, dst);
    return Status::Ok();
  }
  Status draw_crosses(const gpu::Nv12MutView& dst, std::span<const gpu::CrossSpec> crosses) {
    gpu::ref::draw_crosses_nv12(dst, crosses);
    return Status::Ok();
  }
  Status draw_ring(const gpu::Nv12MutView& dst, const gpu::RingSpec& ring) {
    gpu::ref::draw_ring_nv12(dst, ring);
    return Status::Ok();
  }
  Status download(const gpu::Nv12View& device, const gpu::Nv12MutView& host) {
    copy_plane(host.y, host.y_pitch, device.y, device.y_pitch, device.width_px, device.height_px);
    copy_plane(host.uv, host.uv_pitch, device.uv, device.uv_pitch, device.width_px, device.height_px / 2);
    return Status::Ok();
  }
  Status finish_render() { return Status::Ok(); }
};

}  // namespace

Result<std::unique_ptr<GpuFrames>> GpuFrames::create_reference(int output_width_px, int output_height_px,
                                                               Output output) {
  return PooledFrames<ReferenceOps>::create(output_width_px, output_height_px, output);
}

}  // namespace ballcam::pipeline
