#include "pipeline/gpu_frames.hpp"
#include "pipeline/frame_pool.hpp"

#include <atomic>
#include <string>

#include "gpu/cuda_check.hpp"
#include "gpu/cuda_raii.hpp"
#include "gpu/frame_view.hpp"
#include "gpu/kernels.hpp"

namespace ballcam::pipeline {
namespace {

using DevicePool = FramePool<gpu::DeviceNv12Frame, MemoryLocation::kCuda>;
// Output pictures downloaded into page-locked memory.
using PinnedPool = FramePool<PackedNv12Frame<gpu::PinnedBuffer>, MemoryLocation::kHost>;

class CudaFrames final : public GpuFrames {
 public:
  Status open(int out_w, int out_h, Output output) {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(out_w, out_h, "output", ErrorCode::kInvalidArgument));
    out_w_ = out_w;
    out_h_ = out_h;
    output_ = output;
    BALLCAM_ASSIGN_OR_RETURN(copy_, gpu::Stream::create_blocking());
    BALLCAM_ASSIGN_OR_RETURN(render_, gpu::Stream::create());
    if (output == Output::kHost) {
      BALLCAM_ASSIGN_OR_RETURN(out_, gpu::DeviceNv12Frame::allocate(out_w, out_h));
    }
    return Status::Ok();
  }

  Result<Frame> adopt(Frame decoded) override {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(decoded.width_px, decoded.height_px, "frame", ErrorCode::kInputError));
    BALLCAM_ASSIGN_OR_RETURN(Frame out, pool_->take(decoded.width_px, decoded.height_px));
    copy_timing(decoded, out);
    const gpu::Nv12MutView dst = gpu::nv12_mut_view(out);
    const int w = decoded.width_px, h = decoded.height_px;
    if (decoded.memory == MemoryLocation::kCuda && decoded.format == PixelFormat::kNv12) {
      // Ordered after FFmpeg's copy on the legacy stream (copy_ is blocking).
      BALLCAM_RETURN_IF_ERROR(gpu::copy_nv12(gpu::nv12_view(decoded), dst, cudaMemcpyDeviceToDevice, copy_.get()));
    } else if (decoded.memory == MemoryLocation::kCuda && decoded.format == PixelFormat::kP010) {
      // 10-bit NVDEC output: converted to 8-bit NV12 into the pooled frame
      // on the device (same stream ordering as the copy above).
      const gpu::P010View p010{decoded.planes[0], decoded.strides[0], decoded.planes[1], decoded.strides[1], w, h};
      BALLCAM_RETURN_IF_ERROR(gpu::p010_to_nv12(p010, dst, copy_.get()));
    } else if (decoded.memory == MemoryLocation::kHost && decoded.format == PixelFormat::kYuv420p) {
      // A stream NVDEC did not decode: one upload, UV interleaved on the way.
      const std::size_t luma = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
      const std::size_t bytes = luma * 3 / 2;
      if (up_staging_.size() < bytes) {
        BALLCAM_ASSIGN_OR_RETURN(up_staging_, gpu::PinnedBuffer::allocate(bytes));
      }
      const gpu::Nv12MutView staging{up_staging_.get(), w, up_staging_.get() + luma, w, w, h};
      nv12_from_yuv420p(decoded, staging.y, staging.y_pitch, staging.uv, staging.uv_pitch);
      BALLCAM_RETURN_IF_ERROR(gpu::copy_nv12(gpu::as_const(staging), dst, cudaMemcpyHostToDevice, copy_.get()));
      bytes_h2d_.fetch_add(bytes);
    } else {
      return error(ErrorCode::kInvalidArgument, std::string("the GPU path takes NVDEC (nv12, p010) or host yuv420p frames, not ") +
                                                    to_string(decoded.format));
    }
    // The copy is done before the decoder's surface (or the host picture) goes.
    BALLCAM_RETURN_IF_ERROR(copy_.synchronize());
    return out;
  }

  Result<Frame> render(const Frame& src, const CropRect& crop, const render::OverlayMarks* marks) override {
    if (src.memory != MemoryLocation::kCuda || src.format != PixelFormat::kNv12)
      return error(ErrorCode::kInvalidArgument, "GpuFrames::render wants a CUDA NV12 frame");
    Frame device;
    gpu::Nv12MutView dst = out_.view();
    if (output_ == Output::kDevice) {
      BALLCAM_ASSIGN_OR_RETURN(device, out_pool_->take(out_w_, out_h_));
      dst = gpu::nv12_mut_view(device);
    }
    BALLCAM_RETURN_IF_ERROR(gpu::crop_resize_nv12(gpu::nv12_view(src), crop, dst, render_.get()));
    if (marks != nullptr) {
      if (!marks->crosses.empty())
        BALLCAM_RETURN_IF_ERROR(gpu::draw_crosses_nv12(dst, gpu::cross_specs(marks->crosses), render_.get()));
      if (marks->ring) BALLCAM_RETURN_IF_ERROR(gpu::draw_ring_nv12(dst, gpu::ring_spec(*marks->ring), render_.get()));
    }
    Frame out;
    if (output_ == Output::kDevice) {
      out = std::move(device);  // NVENC reads it on its own; the kernels finish first (below)
    } else {
      BALLCAM_ASSIGN_OR_RETURN(out, download(gpu::as_const(dst)));
    }
    BALLCAM_RETURN_IF_ERROR(render_.synchronize());
    copy_timing(src, out);
    return out;
  }

  Result<Frame> to_host(const Frame& picture) override {
    if (picture.memory == MemoryLocation::kHost) return picture;
    BALLCAM_ASSIGN_OR_RETURN(Frame out, download(gpu::nv12_view(picture)));
    BALLCAM_RETURN_IF_ERROR(render_.synchronize());
    copy_timing(picture, out);
    return out;
  }

  std::uint64_t bytes_host_to_device() const override { return bytes_h2d_.load(); }
  std::uint64_t bytes_device_to_host() const override { return bytes_d2h_.load(); }
  int pooled_frames() const override { return pool_->allocated(); }

 private:
  // Queues the download of a device picture into a pooled pinned frame on the
  // render stream (the caller synchronises it).
  Result<Frame> download(const gpu::Nv12View& device) {
    BALLCAM_ASSIGN_OR_RETURN(Frame host, host_pool_->take(device.width_px, device.height_px));
    BALLCAM_RETURN_IF_ERROR(gpu::copy_nv12(device, gpu::nv12_mut_view(host), cudaMemcpyDeviceToHost, render_.get()));
    bytes_d2h_.fetch_add(static_cast<std::uint64_t>(device.width_px) * static_cast<std::uint64_t>(device.height_px) * 3 / 2);
    return host;
  }

  std::shared_ptr<DevicePool> pool_ = std::make_shared<DevicePool>();      // adopted input frames
  std::shared_ptr<DevicePool> out_pool_ = std::make_shared<DevicePool>();  // output pictures kept on the device
  std::shared_ptr<PinnedPool> host_pool_ = std::make_shared<PinnedPool>(); // output pictures downloaded
  int out_w_ = 0;
  int out_h_ = 0;
  Output output_ = Output::kHost;
  gpu::Stream copy_;    // adopt(): blocking, ordered after the decoder's copy
  gpu::Stream render_;  // render(): crop, overlay, download
  gpu::DeviceNv12Frame out_;  // Output::kHost: the picture before its download
  gpu::PinnedBuffer up_staging_;
  std::atomic<std::uint64_t> bytes_h2d_{0};
  std::atomic<std::uint64_t> bytes_d2h_{0};
};

}  // namespace

Result<std::unique_ptr<GpuFrames>> GpuFrames::create(int output_width_px, int output_height_px, Output output) {
  if (gpu::cuda_device_count() == 0)
    return error(ErrorCode::kUnavailable, "no CUDA device opens here (driver or GPU missing)");
  auto frames = std::make_unique<CudaFrames>();
  BALLCAM_RETURN_IF_ERROR(frames->open(output_width_px, output_height_px, output));
  return std::unique_ptr<GpuFrames>(std::move(frames));
}

}  // namespace ballcam::pipeline
