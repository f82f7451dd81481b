// `ballcam report`: turns a run (video + track, optionally ground truth) into
// pictures a person checks at a glance. See docs/REPORT.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "core/status.hpp"
#include "report/canvas.hpp"

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
  // Optional `ballcam run --metrics-json` file; empty: no latency.png and no
  // FPS / stage rows in index.html.
  std::string metrics_path;
};

// Writes contact_sheet.png, paths.png, zoom.png, heatmap.png, latency.png
// (with metrics_path) and index.html into out_dir.
// Errors name the file: kInvalidArgument (options), kInputError (video,
// track, truth, metrics), kOutputError (out_dir).
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
inline constexpr PictureSize kLatencySize{1280, 800};
inline constexpr int kHeatmapWidthPx = 1280;

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

// --- heatmap.png ---

// The source frame's size as eval infers it: the extent of the crops (max of
// crop.x + crop.w and crop.y + crop.h); 1920 x 1080 when the track has none.
struct SourceExtent {
  double width_px = 1920.0;
  double height_px = 1080.0;
};
SourceExtent source_extent(const std::vector<TrackRecord>& track);

// Where the tracker's estimates fell: a columns x rows grid over the source
// frame (rows follow its aspect: 64 x 36 for 16:9), each cell the share of
// estimate frames in it, lightly blurred (3 x 3 binomial, sums kept).
struct HeatGrid {
  int columns = 0;
  int rows = 0;
  SourceExtent source;
  std::int64_t frames = 0;    // records with an estimate (the shares' denominator)
  std::vector<double> share;  // row-major
  double at(int column, int row) const { return share[static_cast<std::size_t>(row) * columns + column]; }
  double max() const;
};
HeatGrid ball_heat(const std::vector<TrackRecord>& track, int columns = 64);

// heatmap.png's size and where its pitch diagram (= the source frame) lies.
PictureSize heatmap_size(const SourceExtent& source);
PixelRect heatmap_pitch_area(const SourceExtent& source);

// --- latency.png: a `ballcam run --metrics-json` file ---

struct StageStats {
  std::string name;
  std::int64_t count = 0;
  double mean_ms = 0.0;
  double p50_ms = 0.0;
  double p95_ms = 0.0;
  double max_ms = 0.0;
};
struct MetricsSample {
  double t_s = 0.0;
  double fps = 0.0;
  std::vector<std::pair<std::string, double>> stage_mean_ms;
};
struct RunMetrics {
  double fps = 0.0;                 // end to end, whole run
  std::vector<StageStats> stages;   // pipeline order (decode .. encode), then others
  std::vector<MetricsSample> timeline;  // one per second; empty for short runs
};
// kInputError naming the file when it is missing or malformed.
Result<RunMetrics> load_run_metrics(const std::string& path);

}  // namespace ballcam::report
