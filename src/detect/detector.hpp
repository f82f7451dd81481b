// Detector interface and registry. Backends register by name; each is asked
// at creation time whether it can work here (model present, libtorch built).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/geometry.hpp"
#include "core/status.hpp"

namespace ballcam::detect {

// How the neural backends spend their time per frame (detect/planner.hpp).
struct PlannerConfig {
  bool enabled = true;                 // false: the whole frame, every frame, one call
  double input_scale = 1.0;            // network pixels per source pixel (>1 enlarges small balls)
  int tile_px = 128;                   // tile side in network pixels (fully convolutional models)
  int tile_overlap_px = 32;            // overlap of neighbouring scan tiles, network pixels
  double roi_margin_px = 16.0;         // added around the tracker's search radius, source pixels
  int max_roi_tiles = 4;               // tiles spent on the region of interest at most
  int max_watch_tiles = 2;             // tiles spent on DetectHints::watch at most (one each)
  int full_search_interval_frames = 25;  // while tracking, scan the whole frame this often (0 = never)
  int stride_frames = 1;               // run the detector on every Nth frame only
  double budget_ms = 0.0;              // per-frame detector time budget (0 = unlimited)
};

struct DetectorConfig {
  std::string name = "classical";
  std::string model_path;        // neural backends
  int threads = 0;               // intra-op threads; 0 = backend default
  double min_score = 0.3;        // candidates below this are dropped
  int max_candidates = 8;
  double min_ball_radius_px = 1.5;  // at source resolution
  double max_ball_radius_px = 20.0;
  int ball_class = -1;  // rfdetr: logit index of the ball; -1 = the model sidecar's
  double player_min_score = 0.5;  // neural backends: player boxes below this are dropped
  PlannerConfig planner;          // neural backends
  // Neural backends: run on CUDA (set by the pipeline from --device; see
  // pipeline/device_choice.hpp), and the precision there: "fp32", "fp16" or
  // "bf16" (the CPU always runs fp32).
  bool cuda = false;
  std::string precision = "fp32";
  // On CUDA: replay the network from a CUDA graph captured once per input
  // shape (cuts the per-kernel launch cost of small networks).
  bool cuda_graphs = false;
};

// What the tracker knows that can make detection cheaper or better.
struct DetectHints {
  std::optional<Point2> predicted;  // where the ball should be this frame
  double search_radius_px = 0.0;    // how far from `predicted` it may be
  // Other objects the tracker is weighing (a ball a scan just found, the
  // challenger to a doubtful primary), most promising first: a detector that
  // looks at part of the frame gives each a look so that it can be confirmed.
  std::vector<Point2> watch;
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string name() const = 0;
  // `frame` is a host yuv420p frame at source resolution, or, for a backend
  // whose takes_device_frames() is true, an NV12 frame in CUDA memory.
  virtual Result<Detections> detect(const Frame& frame, const DetectHints& hints) = 0;
  // True when detect() takes NV12 frames in CUDA memory (a backend on CUDA
  // builds its input there, without a copy to the host).
  virtual bool takes_device_frames() const { return false; }
  // Bytes this backend moved host -> device (inputs built on the host) and
  // device -> host (network outputs) so far: the zero-copy proof's counters.
  virtual std::uint64_t bytes_host_to_device() const { return 0; }
  virtual std::uint64_t bytes_device_to_host() const { return 0; }
};

using DetectorFactory = std::function<Result<std::unique_ptr<Detector>>(const DetectorConfig&)>;

struct DetectorInfo {
  std::string name;
  std::string description;
  DetectorFactory factory;
};

// Registers a backend (called once per backend from register_builtin_detectors()).
void register_detector(DetectorInfo info);
// Names of all registered backends.
std::vector<std::string> detector_names();
// Creates the backend named in config.name; kInvalidArgument for unknown names.
Result<std::unique_ptr<Detector>> create_detector(const DetectorConfig& config);

}  // namespace ballcam::detect
