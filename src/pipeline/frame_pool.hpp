// Reused NV12 frames for the zero-copy path (pipeline/gpu_frames.hpp): the
// pool a device, pinned or host NV12 picture comes from and goes back to.
// Host code only, so both GpuFrames implementations share it, and its
// threading is tested (and run under ThreadSanitizer) without a GPU.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "core/frame.hpp"
#include "core/status.hpp"
#include "gpu/image_types.hpp"

namespace ballcam::pipeline {

// An NV12 picture in one allocation of Buffer (rows of exactly the width, UV
// right after Y). Buffer: `static Result<Buffer> allocate(std::size_t)`,
// `std::uint8_t* get() const` (gpu::PinnedBuffer, HostBuffer).
template <typename Buffer>
class PackedNv12Frame {
 public:
  static Result<PackedNv12Frame> allocate(int width_px, int height_px) {
    PackedNv12Frame f;
    const std::size_t luma = static_cast<std::size_t>(width_px) * static_cast<std::size_t>(height_px);
    BALLCAM_ASSIGN_OR_RETURN(f.mem_, Buffer::allocate(luma * 3 / 2));
    f.view_ = {f.mem_.get(), width_px, f.mem_.get() + luma, width_px, width_px, height_px};
    return f;
  }
  gpu::Nv12MutView view() const { return view_; }

 private:
  Buffer mem_;
  gpu::Nv12MutView view_{};
};

// Plain host memory with PinnedBuffer's interface: the reference
// implementation's pools.
class HostBuffer {
 public:
  static Result<HostBuffer> allocate(std::size_t bytes) {
    HostBuffer b;
    b.data_.reset(new (std::nothrow) std::uint8_t[bytes]);
    if (!b.data_) return error(ErrorCode::kInternal, "out of host memory for a " + std::to_string(bytes) + "-byte frame");
    return b;
  }
  std::uint8_t* get() const { return data_.get(); }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
};

using HostNv12Frame = PackedNv12Frame<HostBuffer>;

// NV12 frames of one size, reused: a Frame's storage hands its allocation
// back here when the last reference goes (any thread; the pool may already
// be gone, then it is freed). A live input that comes back with another
// size empties the pool: frames of the old size still out are freed when
// they come back. Mem, in `kMemory`: `static Result<Mem> allocate(w, h)`
// and `gpu::Nv12MutView view() const` (gpu::DeviceNv12Frame,
// PackedNv12Frame). Create it with std::make_shared.
template <typename Mem, MemoryLocation kMemory>
class FramePool : public std::enable_shared_from_this<FramePool<Mem, kMemory>> {
 public:
  Result<Frame> take(int width_px, int height_px) {
    std::unique_ptr<Mem> mem;
    {
      std::lock_guard lock(mutex_);
      if (width_px != width_px_ || height_px != height_px_) {
        free_.clear();
        allocated_.store(0);
        width_px_ = width_px;
        height_px_ = height_px;
      }
      if (!free_.empty()) {
        mem = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!mem) {
      BALLCAM_ASSIGN_OR_RETURN(Mem f, Mem::allocate(width_px, height_px));
      mem = std::make_unique<Mem>(std::move(f));
      allocated_.fetch_add(1);
    }
    const gpu::Nv12MutView v = mem->view();
    Frame out;
    out.format = PixelFormat::kNv12;
    out.memory = kMemory;
    out.width_px = width_px;
    out.height_px = height_px;
    out.planes[0] = v.y;
    out.strides[0] = v.y_pitch;
    out.planes[1] = v.uv;
    out.strides[1] = v.uv_pitch;
    std::weak_ptr<FramePool> pool = this->weak_from_this();
    out.storage = std::shared_ptr<void>(mem.release(), [pool](void* p) {
      std::unique_ptr<Mem> back(static_cast<Mem*>(p));
      if (auto alive = pool.lock()) alive->give_back(std::move(back));
    });
    return out;
  }

  // Frames of the current size allocated: the most that were out at once
  // since the size was set.
  int allocated() const { return allocated_.load(); }
  // Frames waiting to be taken again.
  std::size_t free_frames() const {
    std::lock_guard lock(mutex_);
    return free_.size();
  }

 private:
  void give_back(std::unique_ptr<Mem> mem) {
    std::lock_guard lock(mutex_);
    const gpu::Nv12MutView v = mem->view();
    if (v.width_px == width_px_ && v.height_px == height_px_) free_.push_back(std::move(mem));
  }

  mutable std::mutex mutex_;
  int width_px_ = 0;
  int height_px_ = 0;
  std::vector<std::unique_ptr<Mem>> free_;
  std::atomic<int> allocated_{0};
};

}  // namespace ballcam::pipeline
