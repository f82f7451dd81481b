#include "eval/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>

namespace ballcam {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double dist(Point2 a, Point2 b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Linear-interpolated quantile of an unsorted sample; NaN when empty.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  const double t = pos - static_cast<double>(lo);
  return v[lo] * (1.0 - t) + v[hi] * t;
}

double ratio(int num, int den) { return den > 0 ? static_cast<double>(num) / den : kNaN; }

double rms(double sum_sq, int n) { return n > 0 ? std::sqrt(sum_sq / n) : kNaN; }

struct Pair {
  const GroundTruthFrame* gt;
  const TrackRecord* rec;
};

bool ball_visible(const GroundTruthFrame& f) { return f.ball && f.ball->visible; }

// Inside the crop shrunk by margin_frac per side, except on a side where the
// ball itself is closer to the source frame's edge than the margin (when the
// source size is known): no crop can hold it inside the margin there, so on
// that side being inside the crop is all a camera can do.
bool in_view_with_margin(const CropRect& c, Point2 p, const EvalOptions& o) {
  const double mx = c.w * o.view_margin_frac;
  const double my = c.h * o.view_margin_frac;
  const bool known_w = o.source_width_px > 0;
  const bool known_h = o.source_height_px > 0;
  const double left = c.x + (known_w && p.x < mx ? 0.0 : mx);
  const double right = c.x + c.w - (known_w && p.x > o.source_width_px - mx ? 0.0 : mx);
  const double top = c.y + (known_h && p.y < my ? 0.0 : my);
  const double bottom = c.y + c.h - (known_h && p.y > o.source_height_px - my ? 0.0 : my);
  return p.x >= left && p.x <= right && p.y >= top && p.y <= bottom;
}

}  // namespace

EvalOptions with_source_size(EvalOptions options, const std::vector<TrackRecord>& track, int width_px,
                             int height_px) {
  if (width_px <= 0 || height_px <= 0) {
    const CropExtent extent = crop_extent(track);
    width_px = static_cast<int>(std::lround(extent.width_px));
    height_px = static_cast<int>(std::lround(extent.height_px));
  }
  options.source_width_px = width_px;
  options.source_height_px = height_px;
  return options;
}

Result<EvalReport> evaluate(const std::vector<GroundTruthFrame>& ground_truth,
                            const std::vector<TrackRecord>& track, const EvalOptions& options) {
  std::unordered_map<std::int64_t, const GroundTruthFrame*> by_index;
  by_index.reserve(ground_truth.size());
  for (const auto& f : ground_truth) by_index[f.frame_index] = &f;

  std::vector<Pair> pairs;
  pairs.reserve(track.size());
  for (const auto& r : track) {
    auto it = by_index.find(r.frame_index);
    if (it != by_index.end()) pairs.push_back({it->second, &r});
  }
  if (pairs.empty()) {
    return error(ErrorCode::kInvalidArgument,
                 "ground truth and track records share no frame index (" +
                     std::to_string(ground_truth.size()) + " ground-truth frames, " +
                     std::to_string(track.size()) + " track records)");
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Pair& a, const Pair& b) { return a.rec->frame_index < b.rec->frame_index; });
  const std::size_t skip = std::min(pairs.size(), static_cast<std::size_t>(std::max(0, options.warmup_frames)));
  pairs.erase(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(skip));
  if (pairs.empty()) {
    return error(ErrorCode::kInvalidArgument, "warm-up (" + std::to_string(options.warmup_frames) +
                                                  " frames) leaves no frame to evaluate");
  }

  EvalReport rep;
  const double r = options.match_radius_px;
  std::vector<double> errors;
  errors.reserve(pairs.size());
  int in_view = 0;
  int in_view_no_margin = 0;

  // Re-acquisition bookkeeping.
  int invisible_run = 0;
  bool pending = false;
  std::size_t pending_start = 0;
  double reacq_sum_frames = 0.0;
  double reacq_sum_s = 0.0;
  int reacq_ok = 0;
  rep.reacquire_max_frames = kNaN;
  rep.reacquire_max_s = kNaN;

  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const GroundTruthFrame& gt = *pairs[i].gt;
    const TrackRecord& rec = *pairs[i].rec;
    ++rep.frames;
    const bool visible = ball_visible(gt);
    if (visible) ++rep.visible_frames;

    // Detector.
    if (!rec.detections.empty()) {
      ++rep.detection_frames;
      const Point2 best = rec.detections.front().center;
      if (visible) {
        const bool ok = dist(best, gt.ball->center) <= r;
        ++rep.detection_counted;
        if (ok) {
          ++rep.detection_correct;
          ++rep.recall_hits;
        }
      } else if (gt.ball && dist(best, gt.ball->center) <= r) {
        // The detector found a ball hidden behind a player: neither right nor wrong.
      } else {
        ++rep.detection_counted;
      }
    }

    // Tracker.
    if (!rec.track.has_estimate) {
      ++rep.frames_without_estimate;
      if (visible) ++rep.visible_frames_without_estimate;
    } else if (visible) {
      errors.push_back(dist(rec.track.position, gt.ball->center));
    }

    // Camera framing.
    if (visible) {
      if (in_view_with_margin(rec.crop, gt.ball->center, options)) ++in_view;
      if (rec.crop.contains(gt.ball->center, 0.0)) ++in_view_no_margin;
    }

    // Re-acquisition.
    if (!visible) {
      ++invisible_run;
    } else {
      if (!pending && invisible_run >= options.reacquire_gap_frames && i > 0) {
        pending = true;
        pending_start = i;
        ++rep.reacquire_events;
      }
      invisible_run = 0;
    }
    if (pending && gt.ball && rec.track.has_estimate && dist(rec.track.position, gt.ball->center) <= 2.0 * r) {
      const double frames = static_cast<double>(rec.frame_index - pairs[pending_start].rec->frame_index);
      const std::int64_t dpts = rec.pts_us - pairs[pending_start].rec->pts_us;
      const double secs = dpts > 0 ? static_cast<double>(dpts) * 1e-6
                                   : frames / (options.fps > 0.0 ? options.fps : 25.0);
      reacq_sum_frames += frames;
      reacq_sum_s += secs;
      ++reacq_ok;
      rep.reacquire_max_frames = std::isnan(rep.reacquire_max_frames) ? frames : std::max(rep.reacquire_max_frames, frames);
      rep.reacquire_max_s = std::isnan(rep.reacquire_max_s) ? secs : std::max(rep.reacquire_max_s, secs);
      pending = false;
    }
  }
  if (pending) ++rep.reacquire_failures;
  rep.reacquire_mean_frames = reacq_ok > 0 ? reacq_sum_frames / reacq_ok : kNaN;
  rep.reacquire_mean_s = reacq_ok > 0 ? reacq_sum_s / reacq_ok : kNaN;

  rep.detection_precision = ratio(rep.detection_correct, rep.detection_counted);
  rep.detection_recall = ratio(rep.recall_hits, rep.visible_frames);
  rep.error_frames = static_cast<int>(errors.size());
  rep.track_error_median_px = quantile(errors, 0.5);
  rep.track_error_p95_px = quantile(errors, 0.95);
  rep.ball_in_view = ratio(in_view, rep.visible_frames);
  rep.ball_in_view_no_margin = ratio(in_view_no_margin, rep.visible_frames);

  // Smoothness: differences only across runs of consecutive frame indices.
  double acc_sq = 0.0, jerk_sq = 0.0, zoom_sq = 0.0;
  int acc_n = 0, jerk_n = 0, zoom_n = 0;
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    auto consecutive = [&](std::size_t k) {  // frames k-1..i are consecutive
      for (std::size_t j = i - k + 1; j <= i; ++j) {
        if (pairs[j].rec->frame_index != pairs[j - 1].rec->frame_index + 1) return false;
      }
      return true;
    };
    auto c = [&](std::size_t j) { return Point2{pairs[j].rec->crop.cx(), pairs[j].rec->crop.cy()}; };
    if (!consecutive(1)) continue;
    const double dw = pairs[i].rec->crop.w - pairs[i - 1].rec->crop.w;
    zoom_sq += dw * dw;
    ++zoom_n;
    if (i >= 2 && consecutive(2)) {
      const double ax = c(i).x - 2.0 * c(i - 1).x + c(i - 2).x;
      const double ay = c(i).y - 2.0 * c(i - 1).y + c(i - 2).y;
      acc_sq += ax * ax + ay * ay;
      ++acc_n;
    }
    if (i >= 3 && consecutive(3)) {
      const double jx = c(i).x - 3.0 * c(i - 1).x + 3.0 * c(i - 2).x - c(i - 3).x;
      const double jy = c(i).y - 3.0 * c(i - 1).y + 3.0 * c(i - 2).y - c(i - 3).y;
      jerk_sq += jx * jx + jy * jy;
      ++jerk_n;
    }
  }
  rep.camera_accel_rms_px_per_frame2 = rms(acc_sq, acc_n);
  rep.camera_jerk_rms_px_per_frame3 = rms(jerk_sq, jerk_n);
  rep.zoom_change_rms_px_per_frame = rms(zoom_sq, zoom_n);
  return rep;
}

std::vector<TrackRecord> naive_baseline_records(const std::vector<TrackRecord>& track,
                                                int source_width_px, int source_height_px,
                                                const CameraConfig& camera) {
  const VirtualCamera shape(camera, source_width_px, source_height_px, 25.0);
  const double w = shape.min_crop_width_px();
  Point2 centre{source_width_px * 0.5, source_height_px * 0.5};
  std::vector<TrackRecord> out = track;
  for (auto& rec : out) {
    TrackState t;
    t.frame_index = rec.frame_index;
    t.pts_us = rec.pts_us;
    if (!rec.detections.empty()) {
      centre = rec.detections.front().center;
      t.mode = TrackMode::kTracking;
      t.has_estimate = true;
      t.position = centre;
      t.measurement = rec.detections.front();
    } else {
      t.mode = TrackMode::kLost;
    }
    rec.track = t;
    rec.crop = naive_crop(centre, w, shape.aspect(), source_width_px, source_height_px);
  }
  return out;
}

Result<EvalReport> evaluate_naive_baseline(const std::vector<GroundTruthFrame>& ground_truth,
                                           const std::vector<TrackRecord>& track,
                                           const EvalOptions& options, int source_width_px,
                                           int source_height_px, const CameraConfig& camera) {
  return evaluate(ground_truth, naive_baseline_records(track, source_width_px, source_height_px, camera),
                  options);
}

namespace {

nlohmann::json num(double v) {
  if (std::isnan(v)) return nullptr;
  return v;
}

std::string fmt(double v, const char* spec = "%.3f") {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

std::string pct(double v) { return std::isnan(v) ? "n/a" : fmt(100.0 * v, "%.1f %%"); }

struct Row {
  std::string name;
  std::string a;
  std::string b;
};

std::vector<Row> rows(const EvalReport& r) {
  return {
      {"frames", std::to_string(r.frames), ""},
      {"visible-ball frames", std::to_string(r.visible_frames), ""},
      {"detection precision", pct(r.detection_precision), ""},
      {"detection recall", pct(r.detection_recall), ""},
      {"track error median (px)", fmt(r.track_error_median_px, "%.2f"), ""},
      {"track error p95 (px)", fmt(r.track_error_p95_px, "%.2f"), ""},
      {"frames without estimate", std::to_string(r.frames_without_estimate), ""},
      {"ball in view (margin)", pct(r.ball_in_view), ""},
      {"ball in view (no margin)", pct(r.ball_in_view_no_margin), ""},
      {"re-acquisitions (ok/events)",
       std::to_string(r.reacquire_events - r.reacquire_failures) + "/" + std::to_string(r.reacquire_events), ""},
      {"re-acquire mean (frames)", fmt(r.reacquire_mean_frames, "%.1f"), ""},
      {"re-acquire max (s)", fmt(r.reacquire_max_s, "%.2f"), ""},
      {"camera accel RMS (px/f^2)", fmt(r.camera_accel_rms_px_per_frame2), ""},
      {"camera jerk RMS (px/f^3)", fmt(r.camera_jerk_rms_px_per_frame3), ""},
      {"zoom change RMS (px/f)", fmt(r.zoom_change_rms_px_per_frame), ""},
  };
}

std::string pad(const std::string& s, std::size_t n) { return s.size() >= n ? s : s + std::string(n - s.size(), ' '); }

}  // namespace

nlohmann::json to_json(const EvalReport& r) {
  return {
      {"frames", r.frames},
      {"visible_frames", r.visible_frames},
      {"detection", {{"frames", r.detection_frames}, {"counted", r.detection_counted},
                     {"correct", r.detection_correct}, {"recall_hits", r.recall_hits},
                     {"precision", num(r.detection_precision)}, {"recall", num(r.detection_recall)}}},
      {"track", {{"error_frames", r.error_frames}, {"error_median_px", num(r.track_error_median_px)},
                 {"error_p95_px", num(r.track_error_p95_px)},
                 {"frames_without_estimate", r.frames_without_estimate},
                 {"visible_frames_without_estimate", r.visible_frames_without_estimate}}},
      {"view", {{"ball_in_view", num(r.ball_in_view)}, {"ball_in_view_no_margin", num(r.ball_in_view_no_margin)}}},
      {"reacquire", {{"events", r.reacquire_events}, {"failures", r.reacquire_failures},
                     {"mean_frames", num(r.reacquire_mean_frames)}, {"max_frames", num(r.reacquire_max_frames)},
                     {"mean_s", num(r.reacquire_mean_s)}, {"max_s", num(r.reacquire_max_s)}}},
      {"camera", {{"accel_rms_px_per_frame2", num(r.camera_accel_rms_px_per_frame2)},
                  {"jerk_rms_px_per_frame3", num(r.camera_jerk_rms_px_per_frame3)},
                  {"zoom_change_rms_px_per_frame", num(r.zoom_change_rms_px_per_frame)}}},
  };
}

std::string to_text(const EvalReport& r) {
  std::string out;
  for (const auto& row : rows(r)) out += pad(row.name, 30) + row.a + "\n";
  return out;
}

std::string to_text(const EvalReport& r, const EvalReport& baseline) {
  const auto a = rows(r);
  const auto b = rows(baseline);
  std::string out = pad("metric", 30) + pad("run", 14) + "naive baseline\n";
  for (std::size_t i = 0; i < a.size(); ++i) out += pad(a[i].name, 30) + pad(a[i].a, 14) + b[i].a + "\n";
  return out;
}

}  // namespace ballcam
