// Per-frame records written as JSON Lines (one object per line):
//  - GroundTruthFrame: what `ballcam synth` knows about each frame it rendered.
//  - TrackRecord: what `ballcam run --track-out` writes for each output frame.
// `ballcam eval` reads both. The field names are the file format; keep
// docs/FORMATS.md in step when changing them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/geometry.hpp"
#include "core/status.hpp"

namespace ballcam {

struct GroundTruthBall {
  Point2 center;              // image position of the ball's centre (px)
  double radius_px = 0.0;     // apparent radius (grows when lofted)
  bool visible = true;        // at least half of the ball can be seen
  double occluded_fraction = 0.0;  // 0 = fully visible, 1 = hidden
  bool in_play = true;        // false while the ball is out of play
  double height_px = 0.0;     // height above its shadow on the image (lofted balls)
};

struct GroundTruthPlayer {
  Box box;
  int team = 0;  // 0, 1 = the two kits, 2 = referee
};

struct GroundTruthFrame {
  std::int64_t frame_index = 0;
  std::int64_t pts_us = 0;
  std::optional<GroundTruthBall> ball;  // absent when the ball is not in the picture at all
  std::vector<GroundTruthPlayer> players;
};

struct TrackRecord {
  std::int64_t frame_index = 0;
  std::int64_t pts_us = 0;
  std::vector<BallCandidate> detections;   // raw detector output, best first
  std::vector<PlayerDetection> players;    // raw detector output
  TrackState track;
  CropRect crop;
};

std::string to_json_line(const GroundTruthFrame& frame);
std::string to_json_line(const TrackRecord& record);
Result<GroundTruthFrame> parse_ground_truth_line(const std::string& line);
Result<TrackRecord> parse_track_line(const std::string& line);

// The size of the source frame a track was made on, recovered from its crops
// (the virtual camera starts on the widest crop, which spans the frame): the
// largest crop.x + crop.w and crop.y + crop.h. Zero for an empty track.
struct CropExtent {
  double width_px = 0.0;
  double height_px = 0.0;
};
CropExtent crop_extent(const std::vector<TrackRecord>& track);

// Whole files; errors name the file and line number.
Result<std::vector<GroundTruthFrame>> load_ground_truth(const std::string& path);
Result<std::vector<TrackRecord>> load_track(const std::string& path);

}  // namespace ballcam
