// Plain geometric and per-frame result types shared by detect/, track/,
// camera/ and pipeline/. All coordinates are source-frame pixels, origin at
// the top-left corner, x to the right, y down; (x, y) of a pixel's centre is
// (col + 0.5, row + 0.5).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace ballcam {

struct Point2 {
  double x = 0.0;
  double y = 0.0;
};

struct Box {
  double x = 0.0;  // left
  double y = 0.0;  // top
  double w = 0.0;
  double h = 0.0;
  double cx() const { return x + w * 0.5; }
  double cy() const { return y + h * 0.5; }
  // `p` lies inside, at least `margin_px` from every edge.
  bool contains(Point2 p, double margin_px = 0.0) const {
    return p.x >= x + margin_px && p.x <= x + w - margin_px && p.y >= y + margin_px && p.y <= y + h - margin_px;
  }
};

struct BallCandidate {
  Point2 center;
  double radius_px = 0.0;
  double score = 0.0;  // detector confidence in [0, 1]
};

struct PlayerDetection {
  Box box;
  double score = 0.0;
};

// Everything a detector says about one frame.
struct Detections {
  std::int64_t frame_index = 0;
  std::int64_t pts_us = 0;
  std::vector<BallCandidate> balls;      // best first
  std::vector<PlayerDetection> players;  // may be empty
  // False when the detector skipped this frame (detection stride, time
  // budget): nothing was looked at, so the tracker only predicts; an empty
  // `balls` with detector_ran = true means "looked, saw no ball".
  bool detector_ran = true;
  // Where the detector looked, when it looked at part of the frame only (the
  // planner's tiles; windows may reach past the frame edge); empty = the
  // whole frame. An object outside every window was not seen this frame,
  // which is not a miss.
  std::vector<Box> looked_at;
};

enum class TrackMode : std::uint8_t {
  kSearching,    // never had the ball, or lost it long ago
  kTracking,     // a detection confirmed the ball this frame
  kCoasting,     // no detection; predicting from the motion model
  kLost,         // prediction too old to trust; falling back on the play
};

const char* to_string(TrackMode mode);

// The tracker's output for one frame.
struct TrackState {
  std::int64_t frame_index = 0;
  std::int64_t pts_us = 0;
  TrackMode mode = TrackMode::kSearching;
  bool has_estimate = false;  // position/velocity are meaningful
  Point2 position;            // estimated ball centre
  Point2 velocity_px_per_frame;
  double uncertainty_px = 0.0;          // 1-sigma position uncertainty
  std::optional<BallCandidate> measurement;  // the detection used this frame, if any
  std::optional<Point2> play_centre;    // centroid of the players, when known
};

// Crop rectangle in source pixels (the virtual camera's view).
struct CropRect {
  double x = 0.0;
  double y = 0.0;
  double w = 0.0;
  double h = 0.0;
  double cx() const { return x + w * 0.5; }
  double cy() const { return y + h * 0.5; }
  bool contains(Point2 p, double margin_frac = 0.0) const {
    const double mx = w * margin_frac;
    const double my = h * margin_frac;
    return p.x >= x + mx && p.x <= x + w - mx && p.y >= y + my && p.y <= y + h - my;
  }
};

}  // namespace ballcam
