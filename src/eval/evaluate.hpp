// Scores one run (TrackRecords: detections, tracker state, crop per frame)
// against the synthetic ground truth, and rebuilds a naive baseline camera
// from the same detections so every report has a reference to beat.
//
// Pure apart from the JSONL loaders in core/records.hpp that feed it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "camera/virtual_camera.hpp"
#include "core/records.hpp"
#include "core/status.hpp"

namespace ballcam {

struct EvalOptions {
  double match_radius_px = 5.0;      // a detection/estimate this close to the GT ball is correct
  double view_margin_frac = 0.10;    // ball-in-view uses the crop shrunk by this fraction per side
  // Source frame size. When known (> 0), the margin is waived on a side where
  // the ball is closer to the frame's own edge than the margin: no crop could
  // hold it inside the margin there, so only "inside the crop" is asked.
  int source_width_px = 0;
  int source_height_px = 0;
  int warmup_frames = 0;             // leave the first N matched frames out of every metric
  int reacquire_gap_frames = 10;     // an invisible run this long starts a re-acquisition event
  double fps = 25.0;                 // for seconds, when the records carry no timestamps
};

struct EvalReport {
  // Coverage.
  int frames = 0;                  // frames present in both inputs (after warm-up)
  int visible_frames = 0;          // of those, frames where the GT ball is visible

  // Detector (best detection = detections[0] per frame).
  int detection_frames = 0;        // frames with at least one detection
  int detection_counted = 0;       // best detections counted for precision
  int detection_correct = 0;       // counted best detections within match_radius_px
  int recall_hits = 0;             // visible frames whose best detection is within the radius
  double detection_precision = 0.0;  // NaN when nothing was counted
  double detection_recall = 0.0;     // NaN when no frame is visible

  // Tracker.
  int error_frames = 0;            // visible frames with an estimate
  double track_error_median_px = 0.0;  // NaN when error_frames == 0
  double track_error_p95_px = 0.0;
  int frames_without_estimate = 0;
  int visible_frames_without_estimate = 0;

  // Camera framing (over visible frames).
  double ball_in_view = 0.0;           // inside the crop shrunk by view_margin_frac (waived at frame edges)
  double ball_in_view_no_margin = 0.0; // inside the crop itself

  // Re-acquisition after invisible runs of >= reacquire_gap_frames.
  int reacquire_events = 0;
  int reacquire_failures = 0;          // never reacquired before the end
  double reacquire_mean_frames = 0.0;  // NaN when no event succeeded
  double reacquire_max_frames = 0.0;
  double reacquire_mean_s = 0.0;
  double reacquire_max_s = 0.0;

  // Camera smoothness (finite differences of the crop centre and width, consecutive frames only).
  double camera_accel_rms_px_per_frame2 = 0.0;
  double camera_jerk_rms_px_per_frame3 = 0.0;
  double zoom_change_rms_px_per_frame = 0.0;
};

// Options with the source size set: `width_px` x `height_px` when both are
// given (> 0), else the extent of the track's crops (the camera starts on the
// widest crop, centred, which spans the source).
EvalOptions with_source_size(EvalOptions options, const std::vector<TrackRecord>& track, int width_px = 0,
                             int height_px = 0);

// Matches records to ground truth by frame index. Fails when no frame is in both.
Result<EvalReport> evaluate(const std::vector<GroundTruthFrame>& ground_truth,
                            const std::vector<TrackRecord>& track, const EvalOptions& options);

// The same report for a naive camera rebuilt from the run's raw detections:
// estimate = best detection, crop = fixed-size (the camera's min crop width)
// crop centred on it, held where it was on frames without a detection.
Result<EvalReport> evaluate_naive_baseline(const std::vector<GroundTruthFrame>& ground_truth,
                                           const std::vector<TrackRecord>& track,
                                           const EvalOptions& options, int source_width_px,
                                           int source_height_px, const CameraConfig& camera = {});

// The records the naive baseline is scored on (exposed for tests and plots).
std::vector<TrackRecord> naive_baseline_records(const std::vector<TrackRecord>& track,
                                                int source_width_px, int source_height_px,
                                                const CameraConfig& camera = {});

// Machine-readable (NaN metrics become null) and human-readable forms.
nlohmann::json to_json(const EvalReport& report);
std::string to_text(const EvalReport& report);
// Two reports side by side (e.g. run vs naive baseline).
std::string to_text(const EvalReport& report, const EvalReport& baseline);

}  // namespace ballcam
