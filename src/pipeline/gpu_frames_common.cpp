// Host helpers shared by both GpuFrames implementations, and the
// reference implementation: the GPU path's stages on the kernels' CPU
// references (gpu/reference.hpp), so its wiring runs in tests without a GPU.
#include <atomic>
#include <cstring>

#include "gpu/frame_view.hpp"
#include "gpu/reference.hpp"
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

class ReferenceFrames final : public GpuFrames {
 public:
  ReferenceFrames(int out_w, int out_h, Output output) : out_w_(out_w), out_h_(out_h), output_(output) {}

  Result<Frame> adopt(Frame decoded) override {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(decoded.width_px, decoded.height_px, "frame", ErrorCode::kInputError));
    if (decoded.memory != MemoryLocation::kHost || decoded.format != PixelFormat::kYuv420p)
      return error(ErrorCode::kInvalidArgument, "the reference GPU path takes host yuv420p frames");
    Frame out = Frame::allocate(PixelFormat::kNv12, decoded.width_px, decoded.height_px);
    nv12_from_yuv420p(decoded, out.planes[0], out.strides[0], out.planes[1], out.strides[1]);
    copy_timing(decoded, out);
    bytes_h2d_ += static_cast<std::uint64_t>(decoded.width_px) * decoded.height_px * 3 / 2;  // the CUDA path's upload
    return out;
  }

  Result<Frame> render(const Frame& src, const CropRect& crop, const render::OverlayMarks* marks) override {
    if (src.memory != MemoryLocation::kHost || src.format != PixelFormat::kNv12)
      return error(ErrorCode::kInvalidArgument, "the reference GPU path renders host NV12 frames");
    Frame out = Frame::allocate(PixelFormat::kNv12, out_w_, out_h_);
    const gpu::Nv12MutView dst = gpu::nv12_mut_view(out);
    gpu::ref::crop_resize_nv12(gpu::nv12_view(src), crop, dst);
    if (marks != nullptr) {
      gpu::ref::draw_crosses_nv12(dst, gpu::cross_specs(marks->crosses));
      if (marks->ring) gpu::ref::draw_ring_nv12(dst, gpu::ring_spec(*marks->ring));
    }
    if (output_ == Output::kHost) bytes_d2h_ += static_cast<std::uint64_t>(out_w_) * out_h_ * 3 / 2;  // the CUDA path's download
    copy_timing(src, out);
    return out;
  }

  Result<Frame> to_host(const Frame& picture) override {
    if (output_ == Output::kDevice) bytes_d2h_ += static_cast<std::uint64_t>(out_w_) * out_h_ * 3 / 2;
    return picture;
  }

  std::uint64_t bytes_host_to_device() const override { return bytes_h2d_; }
  std::uint64_t bytes_device_to_host() const override { return bytes_d2h_; }
  int pooled_frames() const override { return 0; }

 private:
  int out_w_, out_h_;
  Output output_;
  std::atomic<std::uint64_t> bytes_h2d_{0};  // adopt(): source thread
  std::atomic<std::uint64_t> bytes_d2h_{0};  // render(): render thread
};

}  // namespace

Result<std::unique_ptr<GpuFrames>> GpuFrames::create_reference(int output_width_px, int output_height_px,
                                                               Output output) {
  BALLCAM_RETURN_IF_ERROR(check_nv12_size(output_width_px, output_height_px, "output", ErrorCode::kInvalidArgument));
  return std::unique_ptr<GpuFrames>(std::make_unique<ReferenceFrames>(output_width_px, output_height_px, output));
}

}  // namespace ballcam::pipeline
