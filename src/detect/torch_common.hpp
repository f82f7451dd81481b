// What every libtorch backend needs: the intra-op thread count, frames (or
// planned tiles of them) turned into normalised input tensors, and call
// timing. Built only with libtorch (BALLCAM_HAVE_TORCH).
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/frame.hpp"
#include "core/status.hpp"
#include "detect/detector.hpp"
#include "detect/planner.hpp"
#include "gpu/image_types.hpp"

namespace ballcam::detect {

// RGB scaled to 0-1, then (v - mean) / std per channel. The default is
// ImageNet's, which FootAndBall and RF-DETR both expect.
struct InputNormalisation {
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

// Sets libtorch's intra-op threads (threads > 0; 0 keeps libtorch's default,
// one per physical core). Process-wide: the last caller wins; logged.
void configure_torch_threads(int threads);

// Region [x, x+w) x [y, y+h) (source pixels, may extend past the frame) of a
// host yuv420p frame, resampled bilinearly to out_w x out_h, converted to RGB
// (BT.709, limited range) and normalised, written as planar CHW floats into
// `chw` (3 * out_h * out_w values). Samples off the frame become 0 (the mean
// colour).
void frame_region_to_chw(const Frame& frame, double x, double y, double w, double h, int out_w, int out_h,
                         const InputNormalisation& norm, float* chw);

// [N, 3, tile_px, tile_px] float tensor of the plan's tiles, in plan order.
torch::Tensor tiles_to_batch(const Frame& frame, const std::vector<PlannedTile>& tiles, int tile_px,
                             const InputNormalisation& norm);

// [1, 3, out_h, out_w] float tensor of the whole frame resampled to out_w x out_h.
torch::Tensor frame_to_tensor(const Frame& frame, int out_w, int out_h, const InputNormalisation& norm);

// The network input of one plan: the whole frame resampled to
// whole_w x whole_h, or the plan's tiles at tile_px each; with the source
// window of every batch item, in batch order.
struct PlannedInput {
  torch::Tensor tensor;  // [N, 3, H, W]
  // The source rectangle each batch item shows (source pixels; may extend
  // past the frame: that part was padded).
  std::vector<Box> windows;
  int net_w = 0;  // W
  int net_h = 0;  // H
};
PlannedInput planned_input(const Frame& frame, const DetectionPlan& plan, int whole_w, int whole_h, int tile_px,
                           const InputNormalisation& norm);

// Where one libtorch backend runs (DetectorConfig::cuda, ::precision): the
// device and dtype of its weights and inputs, its own CUDA stream, and the
// bytes its calls move between host and device. On the CPU everything is
// fp32 and nothing moves. The CUDA side lives in torch_cuda.cpp (builds with
// the CUDA kernels and a CUDA libtorch; torch_cuda_none.cpp otherwise).
class TorchPlacement {
 public:
  // The CPU, fp32.
  TorchPlacement();
  // kUnavailable when config.cuda but this build or machine has no libtorch
  // CUDA; kInvalidArgument for an unknown precision.
  static Result<TorchPlacement> create(const DetectorConfig& config);

  bool cuda() const { return device_.is_cuda(); }
  torch::Device device() const { return device_; }
  torch::ScalarType dtype() const { return dtype_; }
  // "CUDA fp16" / "CPU fp32", for log lines.
  std::string describe() const;

  // kInvalidArgument unless input() takes `frame`: host yuv420p or NV12,
  // or (on CUDA) NV12 in CUDA memory.
  Status check_frame(const Frame& frame) const;

  // The network input of `plan` on this placement, in dtype(). A device NV12
  // frame (MemoryLocation::kCuda) is turned into the tensor on the GPU by
  // gpu::nv12_to_tensor, written straight into the CUDA tensor (no copy); a
  // host frame is built on the CPU (yuv420p: frame_region_to_chw; NV12: the
  // kernel's CPU reference) and, on CUDA, uploaded (bytes counted).
  // Call inside a stream_scope().
  Result<PlannedInput> input(const Frame& frame, const DetectionPlan& plan, int whole_w, int whole_h, int tile_px,
                             const InputNormalisation& norm);

  // The network `net` on `input`. On CUDA with DetectorConfig::cuda_graphs:
  // replayed from a CUDA graph captured once per input shape and dtype (the
  // returned tensors are the graph's own, valid until the next call: read
  // or copy them first); eagerly otherwise, and for a shape whose capture
  // failed (logged once). Call inside a stream_scope().
  using Network = std::function<std::vector<torch::Tensor>(const torch::Tensor&)>;
  std::vector<torch::Tensor> forward(const torch::Tensor& input, const Network& net);

  // `t` as float32, contiguous, on the CPU (device -> host bytes counted).
  torch::Tensor to_host(const torch::Tensor& t);

  // While the returned guard lives, this backend's CUDA stream is libtorch's
  // current stream (the input kernel, the network and the download are
  // ordered on it; to_host() waits for that stream only). Nothing on the CPU.
  [[nodiscard]] std::shared_ptr<void> stream_scope() const;

  std::uint64_t bytes_host_to_device() const { return bytes_h2d_; }
  std::uint64_t bytes_device_to_host() const { return bytes_d2h_; }

 private:
  struct Cuda;  // torch_cuda.cpp
  torch::Device device_{torch::kCPU};
  torch::ScalarType dtype_ = torch::kFloat32;
  std::shared_ptr<Cuda> cuda_;
  std::uint64_t bytes_h2d_ = 0;
  std::uint64_t bytes_d2h_ = 0;

  // torch_cuda.cpp / torch_cuda_none.cpp
  static Result<std::shared_ptr<Cuda>> open_cuda(bool graphs);
  static std::shared_ptr<void> enter(const Cuda& cuda);
  static std::vector<torch::Tensor> graph_forward(Cuda& cuda, const torch::Tensor& input, const Network& net);
  static Result<torch::Tensor> device_frame_input(const Cuda& cuda, const Frame& frame,
                                                  const std::vector<gpu::RoiF>& rois, const gpu::TensorSpec& spec,
                                                  torch::ScalarType dtype);
};

// Candidates gathered from every batch item of a call (overlapping tiles see
// one ball or player twice) merged into `out`, best first: a ball closer than
// max(both radii, min_merge_px) to a better one, and a player box
// overlapping a better one by IoU > 0.5, are the same object. At most
// max_balls balls are kept.
void merge_window_detections(std::vector<BallCandidate> balls, std::vector<PlayerDetection> players,
                             double min_merge_px, int max_balls, Detections& out);

// The tensors of a state_dict saved by torch.save (zip format), on the CPU
// whatever device they were saved from (torch::pickle_load would try to put
// CUDA-saved tensors back on CUDA). kInputError when the file cannot be read
// or is not a torch.save archive; kInvalidArgument when it holds something
// other than a flat name -> tensor dict.
Result<std::map<std::string, torch::Tensor>> load_state_dict(const std::string& path);

// Model load time and per-call latency of one backend instance.
class CallTimer {
 public:
  using Clock = std::chrono::steady_clock;
  void set_load_ms(double ms) { load_ms_ = ms; }
  void add_call_ms(double ms);
  double load_ms() const { return load_ms_; }
  std::int64_t calls() const { return calls_; }
  double mean_call_ms() const { return calls_ > 0 ? total_ms_ / static_cast<double>(calls_) : 0.0; }
  double max_call_ms() const { return max_ms_; }
  // "load 12.3 ms, 250 calls, mean 8.1 ms, max 30.2 ms"
  std::string summary() const;

 private:
  double load_ms_ = 0.0;
  std::int64_t calls_ = 0;
  double total_ms_ = 0.0;
  double max_ms_ = 0.0;
};

inline double elapsed_ms(CallTimer::Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(CallTimer::Clock::now() - since).count();
}

// What FootAndBall and RF-DETR share around their networks: the frame
// check, a planner for this frame's size (made anew, its plan state reset,
// when the size changes), frames the planner skips, the CUDA stream scope,
// the windows looked at, and the call's time (reported to the planner, and
// summed up in a log line at the end). A backend says how its input is
// shaped and runs its network on it.
class TorchDetector : public Detector {
 public:
  ~TorchDetector() override;
  std::string name() const final { return name_; }
  bool takes_device_frames() const final { return placement_.cuda(); }
  std::uint64_t bytes_host_to_device() const final { return placement_.bytes_host_to_device(); }
  std::uint64_t bytes_device_to_host() const final { return placement_.bytes_device_to_host(); }
  Result<Detections> detect(const Frame& frame, const DetectHints& hints) final;

 protected:
  TorchDetector(std::string name, TorchPlacement placement, double load_ms);

  // A frame's network input: the planner's settings, the network's tile
  // size, and the size the whole frame is resampled to.
  struct InputShape {
    PlannerConfig planner;
    int tile_px = 0;
    int whole_w = 0;
    int whole_h = 0;
  };
  virtual InputShape input_shape(const Frame& frame) const = 0;
  // The network on `input`, its outputs decoded into `out`'s balls and
  // players in source pixels (what lies off the planner's frame is padding).
  virtual Status run(const PlannedInput& input, Detections& out) = 0;

  TorchPlacement& placement() { return placement_; }
  const TorchPlacement& placement() const { return placement_; }
  // The planner of the frame being detected.
  const DetectionPlanner& planner() const { return *planner_; }

  InputNormalisation norm_;

 private:
  std::string name_;
  TorchPlacement placement_;
  std::unique_ptr<DetectionPlanner> planner_;
  CallTimer timer_;
};

}  // namespace ballcam::detect
