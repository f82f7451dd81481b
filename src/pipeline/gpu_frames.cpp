#include "pipeline/gpu_frames.hpp"

#include <span>
#include <string>

#include "gpu/cuda_check.hpp"
#include "gpu/cuda_raii.hpp"
#include "gpu/frame_view.hpp"
#include "gpu/kernels.hpp"
#include "pipeline/pooled_frames.hpp"

namespace ballcam::pipeline {
namespace {

// The zero-copy path's steps on CUDA (PooledFrames, pooled_frames.hpp).
// Ordering: FFmpeg writes a decoded frame on the legacy default stream;
// to_device() copies on a blocking stream (ordered after it) and waits for
// that copy, so the NVDEC surface is free at once. The render steps and the
// download run on a stream of their own, waited for before a picture leaves.
struct CudaOps {
  using DeviceFrame = gpu::DeviceNv12Frame;  // Y, then UV at pitch * height: the layout NVENC reads
  using HostFrame = PackedNv12Frame<gpu::PinnedBuffer>;  // page-locked: the download is truly async
  static constexpr MemoryLocation kDeviceMemory = MemoryLocation::kCuda;
  static constexpr const char* kDeviceName = "CUDA memory";

  Status open() {
    BALLCAM_ASSIGN_OR_RETURN(copy, gpu::Stream::create_blocking());
    BALLCAM_ASSIGN_OR_RETURN(render, gpu::Stream::create());
    return Status::Ok();
  }

  Result<std::uint64_t> to_device(const Frame& decoded, const gpu::Nv12MutView& dst) {
    const int w = decoded.width_px, h = decoded.height_px;
    std::uint64_t uploaded = 0;
    if (decoded.memory == MemoryLocation::kCuda && decoded.format == PixelFormat::kNv12) {
      BALLCAM_RETURN_IF_ERROR(gpu::copy_nv12(gpu::nv12_view(decoded), dst, cudaMemcpyDeviceToDevice, copy.get()));
    } else if (decoded.memory == MemoryLocation::kCuda && decoded.format == PixelFormat::kP010) {
      // 10-bit NVDEC output: rounded to 8-bit NV12 on the device.
      const gpu::P010View p010{decoded.planes[0], decoded.strides[0], decoded.planes[1], decoded.strides[1], w, h};
      BALLCAM_RETURN_IF_ERROR(gpu::p010_to_nv12(p010, dst, copy.get()));
    } else if (decoded.memory == MemoryLocation::kHost && decoded.format == PixelFormat::kYuv420p) {
      // A stream NVDEC did not decode: one upload, UV interleaved on the way.
      const std::size_t luma = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
      const std::size_t bytes = luma * 3 / 2;
      if (up_staging.size() < bytes) {
        BALLCAM_ASSIGN_OR_RETURN(up_staging, gpu::PinnedBuffer::allocate(bytes));
      }
      const gpu::Nv12MutView staging{up_staging.get(), w, up_staging.get() + luma, w, w, h};
      nv12_from_yuv420p(decoded, staging.y, staging.y_pitch, staging.uv, staging.uv_pitch);
      BALLCAM_RETURN_IF_ERROR(gpu::copy_nv12(gpu::as_const(staging), dst, cudaMemcpyHostToDevice, copy.get()));
      uploaded = bytes;
    } else {
      return error(ErrorCode::kInvalidArgument, std::string("the GPU path takes NVDEC (nv12, p010) or host yuv420p frames, not ") +
                                                    to_string(decoded.format));
    }
    // Done before the decoder's surface (or the host picture) goes.
    BALLCAM_RETURN_IF_ERROR(copy.synchronize());
    return uploaded;
  }

  Status crop_resize(const gpu::Nv12View& src, const CropRect& crop, const gpu::Nv12MutView& dst) {
    return gpu::crop_resize_nv12(src, crop, dst, render.get());
  }
  Status draw_crosses(const gpu::Nv12MutView& dst, std::span<const gpu::CrossSpec> crosses) {
    return gpu::draw_crosses_nv12(dst, crosses, render.get());
  }
  Status draw_ring(const gpu::Nv12MutView& dst, const gpu::RingSpec& ring) {
    return gpu::draw_ring_nv12(dst, ring, render.get());
  }
  Status download(const gpu::Nv12View& device, const gpu::Nv12MutView& host) {
    return gpu::copy_nv12(device, host, cudaMemcpyDeviceToHost, render.get());
  }
  Status finish_render() { return render.synchronize(); }

  gpu::Stream copy;    // to_device(): blocking, ordered after the decoder's copy
  gpu::Stream render;  // crop, overlay, download
  gpu::PinnedBuffer up_staging;
};

}  // namespace

Result<std::unique_ptr<GpuFrames>> GpuFrames::create(int output_width_px, int output_height_px, Output output) {
  if (gpu::cuda_device_count() == 0)
    return error(ErrorCode::kUnavailable, "no CUDA device opens here (driver or GPU missing)");
  return PooledFrames<CudaOps>::create(output_width_px, output_height_px, output);
}

}  // namespace ballcam::pipeline
