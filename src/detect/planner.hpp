// Detection planner: what the neural detectors look at on each frame.
//
// A 1080p ball is 5-15 px; resizing the whole frame to a network's input
// size erases it, and running the network over the whole frame at native (or
// enlarged) resolution costs far more than a 2-core CPU has per frame. The
// planner spends a per-frame time budget on square tiles of the source, all
// the same size so they go through the network as one batch:
//
//   - a region of interest around the tracker's prediction (DetectHints),
//     at `input_scale` network pixels per source pixel;
//   - one tile on each of the other objects the tracker is weighing
//     (DetectHints::watch, up to `max_watch_tiles`): a ball that one scan
//     tile saw must be seen again on the next frames to become a track;
//   - a tiled scan of the whole frame to (re)acquire the ball: every frame
//     while there is no prediction, and at least every
//     `full_search_interval_frames` while tracking. With a budget the scan
//     advances a few tiles per frame, round-robin, so a full pass may span
//     several frames; it gets at least one tile on every other frame while
//     it is due (every frame when two tiles fit), so a region of interest
//     that eats the whole budget cannot starve it and the tracker can never
//     be stuck on a wrong object;
//   - a detection stride: a frame is skipped ("not run", which the tracker
//     treats as a prediction-only step, not as a miss) when the fixed stride
//     says so, or when the budget credit left cannot pay for one tile.
//
// Detections carry the windows looked at (Detections::looked_at): the
// tracker counts a miss only for an object inside them.
//
// The cost model is learned from the measured time of each forward call
// (report_cost), so the same budget adapts to the CPU it runs on.
//
// Pure apart from that measured input: no torch, no threads. Shared by the
// FootAndBall and RF-DETR backends.
#pragma once

#include <cstdint>
#include <vector>

#include "detect/detector.hpp"

namespace ballcam::detect {

// One square window of the source that becomes one network input.
struct PlannedTile {
  enum class Kind : std::uint8_t { kRoi, kWatch, kScan };
  double x = 0.0;  // source pixels; the window may extend past the frame edge
  double y = 0.0;  // (when the frame is smaller than a tile): pad that part
  double side_px = 0.0;
  Kind kind = Kind::kScan;
};

struct DetectionPlan {
  bool run = false;          // false: skip this frame (stride or budget)
  bool whole_frame = false;  // planner disabled: one call over the whole frame at input_scale
  std::vector<PlannedTile> tiles;
  int roi_tiles() const;
  int watch_tiles() const;
  int scan_tiles() const;
};

class DetectionPlanner {
 public:
  // `network_tile_px`: the network input side of one tile (a fixed-size
  // model's input size, or PlannerConfig::tile_px for a fully convolutional one).
  DetectionPlanner(const PlannerConfig& config, int frame_width_px, int frame_height_px,
                   int network_tile_px);

  // Call once per frame, in order.
  DetectionPlan plan(const DetectHints& hints);

  // The measured wall time of the forward call(s) that ran `plan`; updates
  // the per-tile cost estimate and the budget credit.
  void report_cost(const DetectionPlan& plan, double elapsed_ms);

  int frame_width_px() const { return width_px_; }
  int frame_height_px() const { return height_px_; }
  // Source pixels covered by one tile.
  double tile_side_px() const { return tile_side_px_; }
  const std::vector<PlannedTile>& scan_grid() const { return grid_; }
  double tile_cost_ms() const { return tile_cost_ms_; }
  // Frames whose plan completed a scan of the whole frame (for logs and tests).
  std::int64_t completed_scans() const { return completed_scans_; }

 private:
  std::vector<PlannedTile> roi_tiles(Point2 centre, double radius_px) const;
  PlannedTile watch_tile(Point2 centre) const;
  int capacity_tiles();

  PlannerConfig config_;
  int width_px_;
  int height_px_;
  double tile_side_px_;
  std::vector<PlannedTile> grid_;
  std::size_t scan_cursor_ = 0;         // next grid tile of the scan in progress
  bool scan_in_progress_ = false;
  bool scan_starved_ = false;           // the last frame's scan was due but got no tile
  std::int64_t frames_since_scan_ = 0;  // frames since the last scan completed
  std::int64_t frame_counter_ = 0;
  std::int64_t completed_scans_ = 0;
  double tile_cost_ms_ = 0.0;           // 0 until the first measurement
  double credit_ms_ = 0.0;
};

// Tile origins along one axis: `count` windows of `side` covering [0, extent)
// with at least `overlap` between neighbours, spread evenly; a single window
// centred on the extent when it is smaller than a window.
std::vector<double> tile_origins(double extent_px, double side_px, double overlap_px);

}  // namespace ballcam::detect
