// `ballcam report`: turns a run (video + track, optionally ground truth) into
// pictures a person checks at a glance. See docs/REPORT.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "core/status.hpp"

namespace ballcam::report {

struct ReportOptions {
  std::string video_path;  // the output video of a run, or the input video
  std::string track_path;  // TrackRecord JSONL (core/records.hpp: load_track)
  std::string truth_path;  // optional GroundTruthFrame JSONL; empty: none
  std::string out_dir;     // created if missing
  int sheet_columns = 4;
  int sheet_rows = 4;
  // true: frames are the virtual camera's output (the crop); false: frames
  // are the source (the crop rectangle is drawn on them).
  bool video_is_output = true;
};

// Writes contact_sheet.png, paths.png, zoom.png and index.html into out_dir.
// Errors name the file: kInvalidArgument (options), kInputError (video,
// track, truth), kOutputError (out_dir).
Status write_report(const ReportOptions& options);

// --- Pieces, public for tests and for callers that want only the numbers. ---

struct PictureSize {
  int width_px = 0;
  int height_px = 0;
  friend bool operator==(const PictureSize&, const PictureSize&) = default;
};

inline constexpr int kThumbWidthPx = 320;
inline constexpr PictureSize kPathsSize{1280, 800};
inline constexpr PictureSize kZoomSize{1280, 400};

// The contact sheet's size for a video of the given frame size.
PictureSize contact_sheet_size(int columns, int rows, int video_width_px, int video_height_px);

struct ReportSummary {
  std::int64_t frames = 0;
  std::int64_t frames_with_estimate = 0;
  double estimate_share = 0.0;       // frames_with_estimate / frames
  double mean_crop_width_px = 0.0;
  std::array<std::int64_t, 4> frames_per_mode{};  // indexed by TrackMode
  // With ground truth (frames where the truth has the ball):
  std::int64_t truth_frames = 0;
  double mean_error_px = -1.0;       // estimate vs truth, frames with both; -1: none
  double ball_in_crop_share = -1.0;  // truth ball inside the crop; -1: no truth
};

ReportSummary summarise(const std::vector<TrackRecord>& track, const std::vector<GroundTruthFrame>& truth);

}  // namespace ballcam::report
