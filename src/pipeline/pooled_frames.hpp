// The GpuFrames contract (pipeline/gpu_frames.hpp) over an Ops type that
// owns the memory kinds and the primitive steps: CudaOps (gpu_frames.cpp:
// the CUDA kernels on their streams, pinned downloads) and ReferenceOps
// (gpu_frames_common.cpp: the kernels' CPU references in host memory). The
// pools, the choice of render target, the order of the steps and the byte
// counters are this one piece of code, so the reference path tests them
// where no GPU is. Host code only.
//
// Ops:
//   using DeviceFrame, HostFrame;  FramePool memory types (frame_pool.hpp):
//                                  frames "on the device", downloaded pictures
//   static constexpr MemoryLocation kDeviceMemory;
//   static constexpr const char* kDeviceName;  for error messages
//   Status open();
//   Result<std::uint64_t> to_device(const Frame& decoded, const gpu::Nv12MutView& dst);
//       adopt()'s copy or conversion into a pooled frame, finished when it
//       returns (the decoder's picture may go); the bytes uploaded
//   Status crop_resize(const gpu::Nv12View&, const CropRect&, const gpu::Nv12MutView&);
//   Status draw_crosses(const gpu::Nv12MutView&, std::span<const gpu::CrossSpec>);
//   Status draw_ring(const gpu::Nv12MutView&, const gpu::RingSpec&);
//   Status download(const gpu::Nv12View& device, const gpu::Nv12MutView& host);  may be queued
//   Status finish_render();  the render steps and downloads queued so far are done
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "gpu/frame_view.hpp"
#include "pipeline/frame_pool.hpp"
#include "pipeline/gpu_frames.hpp"

namespace ballcam::pipeline {

template <typename Ops>
class PooledFrames final : public GpuFrames {
 public:
  static Result<std::unique_ptr<GpuFrames>> create(int out_w, int out_h, Output output) {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(out_w, out_h, "output", ErrorCode::kInvalidArgument));
    std::unique_ptr<PooledFrames> frames(new PooledFrames(out_w, out_h, output));
    BALLCAM_RETURN_IF_ERROR(frames->ops_.open());
    if (output == Output::kHost) {
      BALLCAM_ASSIGN_OR_RETURN(frames->out_, Ops::DeviceFrame::allocate(out_w, out_h));
    }
    return std::unique_ptr<GpuFrames>(std::move(frames));
  }

  Result<Frame> adopt(Frame decoded) override {
    BALLCAM_RETURN_IF_ERROR(check_nv12_size(decoded.width_px, decoded.height_px, "frame", ErrorCode::kInputError));
    BALLCAM_ASSIGN_OR_RETURN(Frame out, pool_->take(decoded.width_px, decoded.height_px));
    BALLCAM_ASSIGN_OR_RETURN(const std::uint64_t uploaded, ops_.to_device(decoded, gpu::nv12_mut_view(out)));
    bytes_h2d_.fetch_add(uploaded);
    copy_timing(decoded, out);
    return out;
  }

  Result<Frame> render(const Frame& src, const CropRect& crop, const render::OverlayMarks* marks) override {
    if (src.memory != Ops::kDeviceMemory || src.format != PixelFormat::kNv12)
      return error(ErrorCode::kInvalidArgument, std::string("GpuFrames::render wants an NV12 frame in ") + Ops::kDeviceName);
    // The target: the scratch picture, downloaded after; or, for NVENC, a
    // pooled device frame that is the result.
    Frame device;
    gpu::Nv12MutView dst = out_.view();
    if (output_ == Output::kDevice) {
      BALLCAM_ASSIGN_OR_RETURN(device, out_pool_->take(out_w_, out_h_));
      dst = gpu::nv12_mut_view(device);
    }
    BALLCAM_RETURN_IF_ERROR(ops_.crop_resize(gpu::nv12_view(src), crop, dst));
    if (marks != nullptr) {
      if (!marks->crosses.empty()) BALLCAM_RETURN_IF_ERROR(ops_.draw_crosses(dst, gpu::cross_specs(marks->crosses)));
      if (marks->ring) BALLCAM_RETURN_IF_ERROR(ops_.draw_ring(dst, gpu::ring_spec(*marks->ring)));
    }
    Frame out;
    if (output_ == Output::kDevice) {
      out = std::move(device);  // NVENC reads it on its own; the steps finish first (below)
    } else {
      BALLCAM_ASSIGN_OR_RETURN(out, download(gpu::as_const(dst)));
    }
    BALLCAM_RETURN_IF_ERROR(ops_.finish_render());
    copy_timing(src, out);
    return out;
  }

  Result<Frame> to_host(const Frame& picture) override {
    // Output::kHost pictures were downloaded by render().
    if (output_ == Output::kHost || picture.memory != Ops::kDeviceMemory) return picture;
    BALLCAM_ASSIGN_OR_RETURN(Frame out, download(gpu::nv12_view(picture)));
    BALLCAM_RETURN_IF_ERROR(ops_.finish_render());
    copy_timing(picture, out);
    return out;
  }

  std::uint64_t bytes_host_to_device() const override { return bytes_h2d_.load(); }
  std::uint64_t bytes_device_to_host() const override { return bytes_d2h_.load(); }
  int pooled_frames() const override { return pool_->allocated(); }

 private:
  PooledFrames(int out_w, int out_h, Output output) : out_w_(out_w), out_h_(out_h), output_(output) {}

  // A device picture into a pooled host frame (the caller finishes the render).
  Result<Frame> download(const gpu::Nv12View& device) {
    BALLCAM_ASSIGN_OR_RETURN(Frame host, host_pool_->take(device.width_px, device.height_px));
    BALLCAM_RETURN_IF_ERROR(ops_.download(device, gpu::nv12_mut_view(host)));
    bytes_d2h_.fetch_add(static_cast<std::uint64_t>(device.width_px) * static_cast<std::uint64_t>(device.height_px) * 3 / 2);
    return host;
  }

  using DevicePool = FramePool<typename Ops::DeviceFrame, Ops::kDeviceMemory>;
  using HostPool = FramePool<typename Ops::HostFrame, MemoryLocation::kHost>;

  Ops ops_;
  std::shared_ptr<DevicePool> pool_ = std::make_shared<DevicePool>();      // adopted input frames
  std::shared_ptr<DevicePool> out_pool_ = std::make_shared<DevicePool>();  // output pictures kept on the device
  std::shared_ptr<HostPool> host_pool_ = std::make_shared<HostPool>();     // output pictures downloaded
  int out_w_;
  int out_h_;
  Output output_;
  typename Ops::DeviceFrame out_;  // Output::kHost: the picture before its download
  std::atomic<std::uint64_t> bytes_h2d_{0};  // adopt(): source thread
  std::atomic<std::uint64_t> bytes_d2h_{0};  // render(), to_host(): render thread
};

}  // namespace ballcam::pipeline
