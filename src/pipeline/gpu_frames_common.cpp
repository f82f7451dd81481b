// Host helpers shared by both GpuFrames implementations, and the
// reference implementation: the GPU path's stages on the kernels' CPU
// references (gpu/reference.hpp), so its wiring runs in tests without a GPU.
#include <atomic>
#include <cstring>

#include "gpu/frame_view.hpp"
#include "gpu/reference.hpp"
#include "pipeline/frame_pool.hpp"
#include "pipeline/gpu_frames.hpp"

namespace ballcam::pipeline {

void nv12_from_yuv420p(const Frame& yuv, std::uint8_t* y, int y_pitch, std::uint8_t* uv, int uv_pitch) {
  for (int r = 0; r < yuv.height_px; ++r)
    std::memcpy(y + static_cast<std::ptrdiff_t>(r) * y_pitch, yuv.planes[0] + static_cast<std::ptrdiff_t>(r) * yuv.strides[0],
                static_cast<std::size_t>(yuv.width_px));
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

// Host memory standing in for device memory (input frames, NVENC pictures)
// and for pinned memory (downloaded pictures).
using HostPool = FramePool<HostNv12Frame, MemoryLocation::kHost>;

// A host "download": the NV12 rows of `from` into `to` (same size).
void copy_nv12_rows(const gpu::Nv12View& from, const gpu::Nv12MutView& to) {
  const auto w = static_cast<std::size_t>(from.width_px);
  for (int r = 0; r < from.height_px; ++r)
    std::memcpy(to.y + static_cast<std::ptrdiff_t>(r) * to.y_pitch, from.y + static_cast<std::ptrdiff_t>(r) * from.y_pitch, w);
  for (int r = 0; r < from.height_px / 2; ++r)
    std::memcpy(to.uv + static_cast<std::ptrdiff_t>(r) * to.uv_pitch, from.uv + static_cast<std::ptrdiff_t>(r) * from.uv_pitch, w);
}

// CudaFrames (gpu_frames.cpp) step for step, with host memory: the same
// pools, the same scratch picture and the same downloads, so the pools'
// sizes and the byte counters read as on the GPU.
class ReferenceFrames final : public GpuFrames {
 public:
  Status open(int out_w, int out_h, Output output) {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(out_w, out_h, "output", ErrorCode::kInvalidArgument));
    out_w_ = out_w;
    out_h_ = out_h;
    output_ = output;
    if (output == Output::kHost) {
      BALLCAM_ASSIGN_OR_RETURN(out_, HostNv12Frame::allocate(out_w, out_h));
    }
    return Status::Ok();
  }

  Result<Frame> adopt(Frame decoded) override {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(decoded.width_px, decoded.height_px, "frame", ErrorCode::kInputError));
    if (decoded.memory != MemoryLocation::kHost || decoded.format != PixelFormat::kYuv420p)
      return error(ErrorCode::kInvalidArgument, "the reference GPU path takes host yuv420p frames");
    BALLCAM_ASSIGN_OR_RETURN(Frame out, pool_->take(decoded.width_px, decoded.height_px));
    nv12_from_yuv420p(decoded, out.planes[0], out.strides[0], out.planes[1], out.strides[1]);
    copy_timing(decoded, out);
    bytes_h2d_ += static_cast<std::uint64_t>(decoded.width_px) * decoded.height_px * 3 / 2;  // the CUDA path's upload
    return out;
  }

  Result<Frame> render(const Frame& src, const CropRect& crop, const render::OverlayMarks* marks) override {
    if (src.memory != MemoryLocation::kHost || src.format != PixelFormat::kNv12)
      return error(ErrorCode::kInvalidArgument, "the reference GPU path renders host NV12 frames");
    Frame device;
    gpu::Nv12MutView dst = out_.view();
    if (output_ == Output::kDevice) {
      BALLCAM_ASSIGN_OR_RETURN(device, out_pool_->take(out_w_, out_h_));
      dst = gpu::nv12_mut_view(device);
    }
    gpu::ref::crop_resize_nv12(gpu::nv12_view(src), crop, dst);
    if (marks != nullptr) {
      gpu::ref::draw_crosses_nv12(dst, gpu::cross_specs(marks->crosses));
      if (marks->ring) gpu::ref::draw_ring_nv12(dst, gpu::ring_spec(*marks->ring));
    }
    Frame out;
    if (output_ == Output::kDevice) {
      out = std::move(device);
    } else {
      BALLCAM_ASSIGN_OR_RETURN(out, download(gpu::as_const(dst)));
    }
    copy_timing(src, out);
    return out;
  }

  Result<Frame> to_host(const Frame& picture) override {
    // Output::kHost pictures were downloaded by render(); kDevice ones stand
    // for device memory here.
    if (output_ == Output::kHost) return picture;
    BALLCAM_ASSIGN_OR_RETURN(Frame out, download(gpu::nv12_view(picture)));
    copy_timing(picture, out);
    return out;
  }

  std::uint64_t bytes_host_to_device() const override { return bytes_h2d_; }
  std::uint64_t bytes_device_to_host() const override { return bytes_d2h_; }
  int pooled_frames() const override { return pool_->allocated(); }

 private:
  Result<Frame> download(const gpu::Nv12View& device) {
    BALLCAM_ASSIGN_OR_RETURN(Frame host, host_pool_->take(device.width_px, device.height_px));
    copy_nv12_rows(device, gpu::nv12_mut_view(host));
    bytes_d2h_ += static_cast<std::uint64_t>(device.width_px) * static_cast<std::uint64_t>(device.height_px) * 3 / 2;
    return host;
  }

  std::shared_ptr<HostPool> pool_ = std::make_shared<HostPool>();       // adopted input frames
  std::shared_ptr<HostPool> out_pool_ = std::make_shared<HostPool>();   // output pictures "on the device"
  std::shared_ptr<HostPool> host_pool_ = std::make_shared<HostPool>();  // output pictures downloaded
  int out_w_ = 0;
  int out_h_ = 0;
  Output output_ = Output::kHost;
  HostNv12Frame out_;  // Output::kHost: the picture before its download
  std::atomic<std::uint64_t> bytes_h2d_{0};  // adopt(): source thread
  std::atomic<std::uint64_t> bytes_d2h_{0};  // render(): render thread
};

}  // namespace

Result<std::unique_ptr<GpuFrames>> GpuFrames::create_reference(int output_width_px, int output_height_px,
                                                               Output output) {
  auto frames = std::make_unique<ReferenceFrames>();
  BALLCAM_RETURN_IF_ERROR(frames->open(output_width_px, output_height_px, output));
  return std::unique_ptr<GpuFrames>(std::move(frames));
}

}  // namespace ballcam::pipeline
