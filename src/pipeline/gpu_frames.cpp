#include "pipeline/gpu_frames.hpp"

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "gpu/cuda_check.hpp"
#include "gpu/cuda_raii.hpp"
#include "gpu/frame_view.hpp"
#include "gpu/kernels.hpp"

namespace ballcam::pipeline {
namespace {

// Device NV12 frames of one size, reused: a Frame's storage hands its
// allocation back here when the last reference goes (any thread).
class FramePool : public std::enable_shared_from_this<FramePool> {
 public:
  Result<Frame> take(int width_px, int height_px) {
    std::unique_ptr<gpu::DeviceNv12Frame> mem;
    {
      std::lock_guard lock(mutex_);
      if (width_px != width_px_ || height_px != height_px_) {  // a live input changed size
        free_.clear();
        width_px_ = width_px;
        height_px_ = height_px;
      }
      if (!free_.empty()) {
        mem = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!mem) {
      BALLCAM_ASSIGN_OR_RETURN(gpu::DeviceNv12Frame f, gpu::DeviceNv12Frame::allocate(width_px, height_px));
      mem = std::make_unique<gpu::DeviceNv12Frame>(std::move(f));
      allocated_.fetch_add(1);
    }
    const gpu::Nv12MutView v = mem->view();
    Frame out;
    out.format = PixelFormat::kNv12;
    out.memory = MemoryLocation::kCuda;
    out.width_px = width_px;
    out.height_px = height_px;
    out.planes[0] = v.y;
    out.strides[0] = v.y_pitch;
    out.planes[1] = v.uv;
    out.strides[1] = v.uv_pitch;
    std::weak_ptr<FramePool> pool = weak_from_this();
    out.storage = std::shared_ptr<void>(mem.release(), [pool](void* p) {
      std::unique_ptr<gpu::DeviceNv12Frame> back(static_cast<gpu::DeviceNv12Frame*>(p));
      if (auto alive = pool.lock()) alive->give_back(std::move(back));
    });
    return out;
  }

  int allocated() const { return allocated_.load(); }

 private:
  void give_back(std::unique_ptr<gpu::DeviceNv12Frame> mem) {
    std::lock_guard lock(mutex_);
    const gpu::Nv12MutView v = mem->view();
    if (v.width_px == width_px_ && v.height_px == height_px_) free_.push_back(std::move(mem));
  }

  std::mutex mutex_;
  int width_px_ = 0;
  int height_px_ = 0;
  std::vector<std::unique_ptr<gpu::DeviceNv12Frame>> free_;
  std::atomic<int> allocated_{0};
};

class CudaFrames final : public GpuFrames {
 public:
  Status open(int out_w, int out_h) {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(out_w, out_h, "output", ErrorCode::kInvalidArgument));
    BALLCAM_ASSIGN_OR_RETURN(copy_, gpu::Stream::create_blocking());
    BALLCAM_ASSIGN_OR_RETURN(render_, gpu::Stream::create());
    BALLCAM_ASSIGN_OR_RETURN(out_, gpu::DeviceNv12Frame::allocate(out_w, out_h));
    BALLCAM_ASSIGN_OR_RETURN(out_staging_,
                             gpu::PinnedBuffer::allocate(static_cast<std::size_t>(out_w) * out_h * 3 / 2));
    return Status::Ok();
  }

  Result<Frame> adopt(Frame decoded) override {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(decoded.width_px, decoded.height_px, "frame", ErrorCode::kInputError));
    BALLCAM_ASSIGN_OR_RETURN(Frame out, pool_->take(decoded.width_px, decoded.height_px));
    copy_timing(decoded, out);
    const gpu::Nv12View dst = gpu::nv12_view(out);
    const auto w = static_cast<std::size_t>(decoded.width_px);
    const auto h = static_cast<std::size_t>(decoded.height_px);
    if (decoded.memory == MemoryLocation::kCuda && decoded.format == PixelFormat::kNv12) {
      // Ordered after FFmpeg's copy on the legacy stream (copy_ is blocking).
      BALLCAM_CUDA_CHECK(cudaMemcpy2DAsync(const_cast<std::uint8_t*>(dst.y), static_cast<std::size_t>(dst.y_pitch),
                                           decoded.planes[0], static_cast<std::size_t>(decoded.strides[0]), w, h,
                                           cudaMemcpyDeviceToDevice, copy_.get()));
      BALLCAM_CUDA_CHECK(cudaMemcpy2DAsync(const_cast<std::uint8_t*>(dst.uv), static_cast<std::size_t>(dst.uv_pitch),
                                           decoded.planes[1], static_cast<std::size_t>(decoded.strides[1]), w, h / 2,
                                           cudaMemcpyDeviceToDevice, copy_.get()));
    } else if (decoded.memory == MemoryLocation::kHost && decoded.format == PixelFormat::kYuv420p) {
      // A stream NVDEC did not decode: one upload, UV interleaved on the way.
      const std::size_t bytes = w * h * 3 / 2;
      if (up_staging_.size() < bytes) {
        BALLCAM_ASSIGN_OR_RETURN(up_staging_, gpu::PinnedBuffer::allocate(bytes));
      }
      std::uint8_t* y = up_staging_.get();
      std::uint8_t* uv = y + w * h;
      nv12_from_yuv420p(decoded, y, static_cast<int>(w), uv, static_cast<int>(w));
      BALLCAM_CUDA_CHECK(cudaMemcpy2DAsync(const_cast<std::uint8_t*>(dst.y), static_cast<std::size_t>(dst.y_pitch), y,
                                           w, w, h, cudaMemcpyHostToDevice, copy_.get()));
      BALLCAM_CUDA_CHECK(cudaMemcpy2DAsync(const_cast<std::uint8_t*>(dst.uv), static_cast<std::size_t>(dst.uv_pitch), uv,
                                           w, w, h / 2, cudaMemcpyHostToDevice, copy_.get()));
      bytes_h2d_.fetch_add(bytes);
    } else {
      return error(ErrorCode::kInvalidArgument, std::string("the GPU path takes NVDEC or yuv420p frames, not ") +
                                                    to_string(decoded.format));
    }
    // The copy is done before the decoder's surface (or the host picture) goes.
    BALLCAM_RETURN_IF_ERROR(copy_.synchronize());
    return out;
  }

  Result<Frame> render(const Frame& src, const CropRect& crop, const std::optional<render::OverlayRing>& ring) override {
    if (src.memory != MemoryLocation::kCuda || src.format != PixelFormat::kNv12)
      return error(ErrorCode::kInvalidArgument, "GpuFrames::render wants a CUDA NV12 frame");
    const gpu::Nv12MutView dst = out_.view();
    BALLCAM_RETURN_IF_ERROR(gpu::crop_resize_nv12(gpu::nv12_view(src), crop, dst, render_.get()));
    if (ring) BALLCAM_RETURN_IF_ERROR(gpu::draw_ring_nv12(dst, gpu::ring_spec(*ring), render_.get()));
    const int w = dst.width_px, h = dst.height_px;
    gpu::Nv12MutView host{out_staging_.get(), w, out_staging_.get() + static_cast<std::size_t>(w) * h, w, w, h};
    BALLCAM_RETURN_IF_ERROR(out_.download(host, render_.get()));
    BALLCAM_RETURN_IF_ERROR(render_.synchronize());
    bytes_d2h_.fetch_add(static_cast<std::uint64_t>(w) * h * 3 / 2);
    // NV12 -> the encoder's yuv420p (x264 takes either; the CPU stages after
    // this point, the overlay's crosses and the gap slate, use yuv420p).
    Frame out = yuv420p_from_nv12(host.y, w, host.uv, w, w, h);
    copy_timing(src, out);
    return out;
  }

  std::uint64_t bytes_host_to_device() const override { return bytes_h2d_.load(); }
  std::uint64_t bytes_device_to_host() const override { return bytes_d2h_.load(); }
  int pooled_frames() const override { return pool_->allocated(); }

 private:
  std::shared_ptr<FramePool> pool_ = std::make_shared<FramePool>();
  gpu::Stream copy_;    // adopt(): blocking, ordered after the decoder's copy
  gpu::Stream render_;  // render(): crop, ring, download
  gpu::DeviceNv12Frame out_;
  gpu::PinnedBuffer out_staging_;
  gpu::PinnedBuffer up_staging_;
  std::atomic<std::uint64_t> bytes_h2d_{0};
  std::atomic<std::uint64_t> bytes_d2h_{0};
};

}  // namespace

Result<std::unique_ptr<GpuFrames>> GpuFrames::create(int output_width_px, int output_height_px) {
  if (gpu::cuda_device_count() == 0)
    return error(ErrorCode::kUnavailable, "no CUDA device opens here (driver or GPU missing)");
  auto frames = std::make_unique<CudaFrames>();
  BALLCAM_RETURN_IF_ERROR(frames->open(output_width_px, output_height_px));
  return std::unique_ptr<GpuFrames>(std::move(frames));
}

}  // namespace ballcam::pipeline
