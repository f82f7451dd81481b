#include "gpu/cuda_raii.hpp"

#include <string>

namespace ballcam::gpu {

Result<Stream> Stream::create_with_flags(unsigned flags) {
  cudaStream_t s = nullptr;
  BALLCAM_CUDA_CHECK(cudaStreamCreateWithFlags(&s, flags));
  Stream out;
  out.s_.reset(s);
  return out;
}

Result<Stream> Stream::create() { return create_with_flags(cudaStreamNonBlocking); }

Result<Stream> Stream::create_blocking() { return create_with_flags(cudaStreamDefault); }

Result<PinnedBuffer> PinnedBuffer::allocate(std::size_t bytes) {
  void* p = nullptr;
  BALLCAM_CUDA_CHECK(cudaMallocHost(&p, bytes));
  PinnedBuffer b;
  b.p_.reset(static_cast<std::uint8_t*>(p));
  b.size_ = bytes;
  return b;
}

Status Stream::synchronize() const {
  BALLCAM_CUDA_CHECK(cudaStreamSynchronize(get()));
  return Status::Ok();
}

Result<Event> Event::create(Timing timing) {
  cudaEvent_t e = nullptr;
  BALLCAM_CUDA_CHECK(cudaEventCreateWithFlags(&e, timing == Timing::kEnabled ? cudaEventDefault
                                                                              : cudaEventDisableTiming));
  Event out;
  out.e_.reset(e);
  return out;
}

Status Event::record(cudaStream_t stream) const {
  BALLCAM_CUDA_CHECK(cudaEventRecord(get(), stream));
  return Status::Ok();
}

Status Event::synchronize() const {
  BALLCAM_CUDA_CHECK(cudaEventSynchronize(get()));
  return Status::Ok();
}

Result<float> Event::elapsed_ms(const Event& start, const Event& stop) {
  float ms = 0.f;
  BALLCAM_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return ms;
}

Result<DeviceNv12Frame> DeviceNv12Frame::allocate(int width_px, int height_px) {
  if (width_px <= 0 || height_px <= 0 || width_px % 2 != 0 || height_px % 2 != 0) {
    return error(ErrorCode::kInvalidArgument, "DeviceNv12Frame: size must be positive and even, got " +
                                                  std::to_string(width_px) + "x" + std::to_string(height_px));
  }
  const int pitch = (width_px + 255) / 256 * 256;
  const std::size_t bytes = static_cast<std::size_t>(pitch) * static_cast<std::size_t>(height_px) * 3 / 2;
  BALLCAM_ASSIGN_OR_RETURN(auto mem, DeviceBuffer<std::uint8_t>::allocate(bytes));
  DeviceNv12Frame f;
  f.mem_ = std::move(mem);
  f.view_ = {f.mem_.get(), pitch, f.mem_.get() + static_cast<std::size_t>(pitch) * static_cast<std::size_t>(height_px),
             pitch, width_px, height_px};
  return f;
}

Status copy_nv12(const Nv12View& from, const Nv12MutView& to, cudaMemcpyKind kind, cudaStream_t stream) {
  if (from.width_px != to.width_px || from.height_px != to.height_px) {
    return error(ErrorCode::kInvalidArgument, "copy_nv12: size mismatch");
  }
  const auto w = static_cast<std::size_t>(to.width_px);
  const auto h = static_cast<std::size_t>(to.height_px);
  BALLCAM_CUDA_CHECK(cudaMemcpy2DAsync(to.y, static_cast<std::size_t>(to.y_pitch), from.y,
                                       static_cast<std::size_t>(from.y_pitch), w, h, kind, stream));
  BALLCAM_CUDA_CHECK(cudaMemcpy2DAsync(to.uv, static_cast<std::size_t>(to.uv_pitch), from.uv,
                                       static_cast<std::size_t>(from.uv_pitch), w, h / 2, kind, stream));
  return Status::Ok();
}

Status DeviceNv12Frame::upload(const Nv12View& host, cudaStream_t stream) const {
  return copy_nv12(host, view_, cudaMemcpyHostToDevice, stream);
}

Status DeviceNv12Frame::download(const Nv12MutView& host, cudaStream_t stream) const {
  return copy_nv12(as_const(view_), host, cudaMemcpyDeviceToHost, stream);
}

}  // namespace ballcam::gpu
