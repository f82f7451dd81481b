// Owning wrappers for CUDA streams, events and device memory. Construction
// goes through create()/allocate() returning Result, so a missing device is a
// Status, not an exception. All are move-only.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "core/status.hpp"
#include "gpu/cuda_check.hpp"
#include "gpu/image_types.hpp"

namespace ballcam::gpu {

class Stream {
 public:
  // A non-blocking stream (does not synchronise with the legacy default stream).
  static Result<Stream> create();
  // A blocking stream: its work waits for work queued before it on the legacy
  // default stream, where FFmpeg's NVDEC writes decoded frames.
  static Result<Stream> create_blocking();
  cudaStream_t get() const { return s_.get(); }
  Status synchronize() const;

 private:
  static Result<Stream> create_with_flags(unsigned flags);
  struct Deleter {
    void operator()(cudaStream_t s) const { cudaStreamDestroy(s); }
  };
  std::unique_ptr<CUstream_st, Deleter> s_;
};

class Event {
 public:
  enum class Timing : std::uint8_t { kDisabled, kEnabled };
  static Result<Event> create(Timing timing = Timing::kDisabled);
  cudaEvent_t get() const { return e_.get(); }
  Status record(cudaStream_t stream) const;
  Status synchronize() const;
  // Milliseconds between two recorded, completed timing events.
  static Result<float> elapsed_ms(const Event& start, const Event& stop);

 private:
  struct Deleter {
    void operator()(cudaEvent_t e) const { cudaEventDestroy(e); }
  };
  std::unique_ptr<CUevent_st, Deleter> e_;
};

// `count` elements of T in device memory. allocate() uses cudaMalloc/cudaFree;
// allocate_async() uses the stream-ordered allocator and frees on the same
// stream, so that stream must outlive the buffer.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;

  static Result<DeviceBuffer> allocate(std::size_t count) {
    void* p = nullptr;
    BALLCAM_CUDA_CHECK(cudaMalloc(&p, count * sizeof(T)));
    return DeviceBuffer(static_cast<T*>(p), count, Deleter{nullptr, false});
  }
  static Result<DeviceBuffer> allocate_async(std::size_t count, cudaStream_t stream) {
    void* p = nullptr;
    BALLCAM_CUDA_CHECK(cudaMallocAsync(&p, count * sizeof(T), stream));
    return DeviceBuffer(static_cast<T*>(p), count, Deleter{stream, true});
  }

  T* get() const { return p_.get(); }
  std::size_t size() const { return count_; }
  std::size_t size_bytes() const { return count_ * sizeof(T); }

 private:
  struct Deleter {
    cudaStream_t stream = nullptr;
    bool async = false;
    void operator()(T* p) const {
      if (async) {
        cudaFreeAsync(p, stream);
      } else {
        cudaFree(p);
      }
    }
  };
  DeviceBuffer(T* p, std::size_t count, Deleter d) : p_(p, d), count_(count) {}

  std::unique_ptr<T, Deleter> p_;
  std::size_t count_ = 0;
};

// Page-locked host memory (cudaMallocHost): copies to and from it are truly
// asynchronous and run at full PCIe speed.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  static Result<PinnedBuffer> allocate(std::size_t bytes);
  std::uint8_t* get() const { return p_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct Deleter {
    void operator()(std::uint8_t* p) const { cudaFreeHost(p); }
  };
  std::unique_ptr<std::uint8_t, Deleter> p_;
  std::size_t size_ = 0;
};

// Copies an NV12 image's visible rows (Y, then UV) into another of the same
// size, ordered on `stream`; `kind` says where each lives.
Status copy_nv12(const Nv12View& from, const Nv12MutView& to, cudaMemcpyKind kind, cudaStream_t stream);

// An NV12 frame in one device allocation: Y rows then UV rows, both with a
// 256-byte-aligned pitch.
class DeviceNv12Frame {
 public:
  static Result<DeviceNv12Frame> allocate(int width_px, int height_px);
  Nv12MutView view() const { return view_; }
  // Pageable or pinned host <-> device, ordered on `stream`.
  Status upload(const Nv12View& host, cudaStream_t stream) const;
  Status download(const Nv12MutView& host, cudaStream_t stream) const;

 private:
  DeviceBuffer<std::uint8_t> mem_;
  Nv12MutView view_;
};

}  // namespace ballcam::gpu
