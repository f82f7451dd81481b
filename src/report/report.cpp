#include "report/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <unordered_map>
#include <variant>

#include "io/source.hpp"
#include "report/canvas.hpp"
#include "report/plot.hpp"
#include "report/png_writer.hpp"
#include "report/run_pictures.hpp"
#include "report/thumbnail.hpp"

namespace ballcam::report {
namespace {

namespace fs = std::filesystem;

constexpr int kSheetGapPx = 8;
constexpr int kSheetHeaderPx = 40;
constexpr int kLabelScale = 2;
constexpr double kRingRadiusPx = 10.0;  // on the thumbnail
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr std::array<Rgb, 4> kModeColours{{
    {170, 170, 170},  // searching
    {40, 170, 70},    // tracking
    {245, 165, 30},   // coasting
    {180, 30, 30},    // lost
}};
constexpr std::array<TrackMode, 4> kModes{TrackMode::kSearching, TrackMode::kTracking, TrackMode::kCoasting,
                                          TrackMode::kLost};

Rgb mode_colour(TrackMode mode) { return kModeColours[static_cast<std::size_t>(mode) % kModeColours.size()]; }

int thumb_height_px(int video_width_px, int video_height_px) {
  if (video_width_px <= 0 || video_height_px <= 0) return kThumbWidthPx * 9 / 16;
  return std::max(1, static_cast<int>(std::lround(static_cast<double>(kThumbWidthPx) * video_height_px /
                                                  video_width_px)));
}

// Everything the pictures need, looked up by source frame index.
struct RunData {
  std::vector<TrackRecord> track;
  std::vector<GroundTruthFrame> truth;
  std::unordered_map<std::int64_t, const TrackRecord*> track_by_frame;
  std::unordered_map<std::int64_t, const GroundTruthFrame*> truth_by_frame;

  const TrackRecord* record(std::int64_t frame) const {
    const auto it = track_by_frame.find(frame);
    return it == track_by_frame.end() ? nullptr : it->second;
  }
  const GroundTruthBall* truth_ball(std::int64_t frame) const {
    const auto it = truth_by_frame.find(frame);
    return it == truth_by_frame.end() || !it->second->ball ? nullptr : &*it->second->ball;
  }
};

// Frames shown on the sheet: evenly spaced over [0, total), first and last included.
std::vector<std::int64_t> pick_frames(std::int64_t total, int cells) {
  std::vector<std::int64_t> picks;
  if (total <= 0 || cells <= 0) return picks;
  if (total <= cells) {
    for (std::int64_t i = 0; i < total; ++i) picks.push_back(i);
    return picks;
  }
  for (int k = 0; k < cells; ++k) {
    const double f = cells == 1 ? 0.0 : static_cast<double>(k) / (cells - 1);
    picks.push_back(static_cast<std::int64_t>(std::llround(f * static_cast<double>(total - 1))));
  }
  return picks;
}

// Where a source-frame point lands on a thumbnail of the shown picture.
struct ThumbMapping {
  bool video_is_output = true;
  double frame_w = 1.0;  // decoded picture size
  double frame_h = 1.0;
  double thumb_w = 1.0;
  double thumb_h = 1.0;
  Point2 map(Point2 p, const CropRect& crop) const {
    if (video_is_output) {
      if (crop.w <= 0.0 || crop.h <= 0.0) return {kNaN, kNaN};
      return {(p.x - crop.x) * thumb_w / crop.w, (p.y - crop.y) * thumb_h / crop.h};
    }
    return {p.x * thumb_w / frame_w, p.y * thumb_h / frame_h};
  }
};

void draw_ball_ring(Canvas& canvas, PixelRect cell, Point2 at) {
  if (!std::isfinite(at.x) || !std::isfinite(at.y)) return;
  const bool off_picture = at.x < 0 || at.y < 0 || at.x >= cell.w || at.y >= cell.h;
  // Off the shown picture: pin the whole ring just inside the nearest edge,
  // in red, so the thumbnail still says where the tracker thinks the ball is.
  const double inset = off_picture ? kRingRadiusPx + 3.0 : 0.0;
  const double x = cell.x + std::clamp(at.x, inset, cell.w - 1.0 - inset);
  const double y = cell.y + std::clamp(at.y, inset, cell.h - 1.0 - inset);
  canvas.draw_ring(x, y, kRingRadiusPx, colours::kBlack, 4);
  canvas.draw_ring(x, y, kRingRadiusPx, off_picture ? Rgb{255, 40, 40} : colours::kRing, 2);
}

void draw_cell_label(Canvas& canvas, PixelRect cell, std::int64_t frame, const TrackRecord* record) {
  char index_text[32];
  std::snprintf(index_text, sizeof index_text, "%lld ", static_cast<long long>(frame));
  const std::string mode_text = record != nullptr ? to_string(record->track.mode) : "no track";
  const int pad = 3;
  const int w = Canvas::text_width_px(std::string(index_text) + mode_text, kLabelScale) + 2 * pad;
  const int h = Canvas::text_height_px(kLabelScale) + 2 * pad;
  canvas.fill_rect_blended({cell.x, cell.y, w, h}, colours::kBlack, 0.65);
  const int used = canvas.draw_text(cell.x + pad, cell.y + pad, index_text, colours::kWhite, kLabelScale);
  const Rgb mode_rgb = record != nullptr ? mode_colour(record->track.mode) : Rgb{200, 200, 200};
  // The darker mode colours are hard to read on black; lift them.
  const Rgb text_rgb{static_cast<std::uint8_t>(std::min(255, mode_rgb.r + 60)),
                     static_cast<std::uint8_t>(std::min(255, mode_rgb.g + 60)),
                     static_cast<std::uint8_t>(std::min(255, mode_rgb.b + 60))};
  canvas.draw_text(cell.x + pad + used, cell.y + pad, mode_text, text_rgb, kLabelScale);
}

void draw_cell_marks(Canvas& canvas, PixelRect cell, const ThumbMapping& mapping, std::int64_t frame,
                     const RunData& run) {
  canvas.set_clip(cell);
  const TrackRecord* record = run.record(frame);
  if (record != nullptr) {
    if (!mapping.video_is_output) {
      const Point2 tl = mapping.map({record->crop.x, record->crop.y}, record->crop);
      const Point2 br = mapping.map({record->crop.x + record->crop.w, record->crop.y + record->crop.h}, record->crop);
      const PixelRect r{cell.x + static_cast<int>(std::lround(tl.x)), cell.y + static_cast<int>(std::lround(tl.y)),
                        static_cast<int>(std::lround(br.x - tl.x)), static_cast<int>(std::lround(br.y - tl.y))};
      canvas.draw_rect(r, colours::kBlack, 3);
      canvas.draw_rect({r.x + 1, r.y + 1, r.w - 2, r.h - 2}, Rgb{90, 170, 255});
    }
    if (const GroundTruthBall* ball = run.truth_ball(frame)) {
      const Point2 p = mapping.map(ball->center, record->crop);
      canvas.draw_cross(cell.x + p.x, cell.y + p.y, 5.0, colours::kBlack, 3);
      canvas.draw_cross(cell.x + p.x, cell.y + p.y, 5.0, colours::kTruthMark, 1);
    }
    if (record->track.has_estimate) draw_ball_ring(canvas, cell, mapping.map(record->track.position, record->crop));
  }
  draw_cell_label(canvas, cell, frame, record);
  canvas.reset_clip();
}

Status write_contact_sheet(const ReportOptions& options, const RunData& run, const fs::path& out_path) {
  io::SourceOptions source_options;
  source_options.url = options.video_path;
  source_options.want_audio = false;
  BALLCAM_ASSIGN_OR_RETURN(std::unique_ptr<io::Source> source, io::Source::open(source_options));
  const io::StreamInfo& info = source->info();

  const int columns = options.sheet_columns;
  const int rows = options.sheet_rows;
  const PictureSize size = contact_sheet_size(columns, rows, info.width_px, info.height_px);
  const int thumb_h = thumb_height_px(info.width_px, info.height_px);
  Canvas sheet(size.width_px, size.height_px, Rgb{40, 40, 40});

  // The track covers every decoded frame of a file run; the container's
  // estimate is the fallback when it is empty.
  std::int64_t total = static_cast<std::int64_t>(run.track.size());
  if (total == 0) total = std::max<std::int64_t>(0, info.frame_count);
  const std::vector<std::int64_t> picks = pick_frames(total, columns * rows);

  const auto cell_rect = [&](std::size_t k) {
    const int col = static_cast<int>(k) % columns;
    const int row = static_cast<int>(k) / columns;
    return PixelRect{kSheetGapPx + col * (kThumbWidthPx + kSheetGapPx),
                     kSheetHeaderPx + kSheetGapPx + row * (thumb_h + kSheetGapPx), kThumbWidthPx, thumb_h};
  };

  // Header: what the marks mean.
  {
    const int y = (kSheetHeaderPx - Canvas::text_height_px(2)) / 2 + kSheetGapPx / 2;
    int x = kSheetGapPx;
    x += sheet.draw_text(x, y, fs::path(options.video_path).filename().string(), colours::kWhite, 2) + 30;
    sheet.draw_ring(x + 10, y + 7, 8, colours::kRing, 2);
    x += 24;
    x += sheet.draw_text(x, y, "estimate", colours::kWhite, 2) + 24;
    if (!run.truth.empty()) {
      sheet.draw_cross(x + 6, y + 7, 5, colours::kTruthMark, 1);
      x += 18;
      x += sheet.draw_text(x, y, "truth", colours::kWhite, 2) + 24;
    }
    if (!options.video_is_output) {
      sheet.draw_rect({x, y, 20, 14}, Rgb{90, 170, 255}, 2);
      x += 26;
      sheet.draw_text(x, y, "crop", colours::kWhite, 2);
    }
  }

  std::size_t next = 0;
  std::int64_t position = 0;  // decoded frame index
  while (next < picks.size()) {
    BALLCAM_ASSIGN_OR_RETURN(io::SourceItem item, source->read());
    if (std::holds_alternative<io::EndOfStream>(item)) break;
    if (!std::holds_alternative<Frame>(item)) continue;
    const Frame& frame = std::get<Frame>(item);
    const std::int64_t index = position++;
    if (index != picks[next]) continue;
    BALLCAM_ASSIGN_OR_RETURN(Canvas thumb, yuv420_to_rgb_scaled(frame, kThumbWidthPx, thumb_h));
    const PixelRect cell = cell_rect(next);
    sheet.blit(thumb, cell.x, cell.y);
    const ThumbMapping mapping{options.video_is_output, static_cast<double>(frame.width_px),
                               static_cast<double>(frame.height_px), static_cast<double>(kThumbWidthPx),
                               static_cast<double>(thumb_h)};
    draw_cell_marks(sheet, cell, mapping, frame.index, run);
    ++next;
  }
  if (next == 0) return error(ErrorCode::kInputError, "'" + options.video_path + "': no video frames decoded");
  return write_png(out_path.string(), sheet);
}

// Modes as a coloured strip under a plot, on the plot's x mapping.
void draw_mode_strip(Canvas& canvas, PixelRect strip, double x_min, double x_max, const RunData& run) {
  const int s = 2;
  const std::string label = "mode";
  canvas.draw_text(strip.x - 8 - Canvas::text_width_px(label, s), strip.y + (strip.h - Canvas::text_height_px(s)) / 2,
                   label, colours::kAxis, s);
  for (std::size_t i = 0; i < run.track.size(); ++i) {
    const auto& rec = run.track[i];
    const int x0 = static_cast<int>(std::lround(plot_x_px(strip, x_min, x_max, static_cast<double>(rec.frame_index))));
    const int x1 = i + 1 < run.track.size()
                       ? static_cast<int>(std::lround(
                             plot_x_px(strip, x_min, x_max, static_cast<double>(run.track[i + 1].frame_index))))
                       : x0 + 1;
    canvas.fill_rect({x0, strip.y, std::max(1, x1 - x0), strip.h}, mode_colour(rec.track.mode));
  }
  canvas.draw_rect({strip.x - 1, strip.y - 1, strip.w + 2, strip.h + 2}, colours::kAxis);
}

void draw_mode_legend(Canvas& canvas, int x, int y) {
  const int s = 2;
  for (const TrackMode mode : kModes) {
    canvas.fill_rect({x, y, 20, Canvas::text_height_px(s)}, mode_colour(mode));
    x += 26;
    x += canvas.draw_text(x, y, to_string(mode), colours::kAxis, s) + 24;
  }
  canvas.draw_text(x + 24, y, "x axis: frame index", colours::kAxis, s);
}

struct TimeSeries {
  std::vector<double> frames;
  std::vector<double> ball_x, ball_y, crop_cx, crop_cy, crop_left, crop_right, crop_top, crop_bottom, crop_w;
  std::vector<double> truth_x, truth_y;
};

TimeSeries collect_series(const RunData& run) {
  TimeSeries ts;
  for (const auto& rec : run.track) {
    ts.frames.push_back(static_cast<double>(rec.frame_index));
    ts.ball_x.push_back(rec.track.has_estimate ? rec.track.position.x : kNaN);
    ts.ball_y.push_back(rec.track.has_estimate ? rec.track.position.y : kNaN);
    ts.crop_cx.push_back(rec.crop.cx());
    ts.crop_cy.push_back(rec.crop.cy());
    ts.crop_left.push_back(rec.crop.x);
    ts.crop_right.push_back(rec.crop.x + rec.crop.w);
    ts.crop_top.push_back(rec.crop.y);
    ts.crop_bottom.push_back(rec.crop.y + rec.crop.h);
    ts.crop_w.push_back(rec.crop.w);
    const GroundTruthBall* ball = run.truth_ball(rec.frame_index);
    ts.truth_x.push_back(ball != nullptr ? ball->center.x : kNaN);
    ts.truth_y.push_back(ball != nullptr ? ball->center.y : kNaN);
  }
  return ts;
}

std::pair<double, double> frame_range(const RunData& run) {
  if (run.track.empty()) return {0.0, 1.0};
  const double lo = static_cast<double>(run.track.front().frame_index);
  const double hi = static_cast<double>(run.track.back().frame_index);
  return {lo, hi > lo ? hi : lo + 1.0};
}

Status write_paths(const RunData& run, const fs::path& out_path) {
  const TimeSeries ts = collect_series(run);
  const auto [x_min, x_max] = frame_range(run);
  const bool with_truth = !run.truth.empty();
  Canvas canvas(kPathsSize.width_px, kPathsSize.height_px);

  const auto axis_plot = [&](PixelRect area, const char* title, const std::vector<double>& ball,
                             const std::vector<double>& centre, const std::vector<double>& lo,
                             const std::vector<double>& hi, const std::vector<double>& truth, bool y_down) {
    PlotSpec spec;
    spec.area = area;
    spec.title = title;
    spec.x_min = x_min;
    spec.x_max = x_max;
    spec.y_down = y_down;
    spec.bands.push_back({"crop", colours::kCamera, 0.14, ts.frames, lo, hi});
    spec.series.push_back({"crop centre", colours::kCamera, ts.frames, centre, 2});
    if (with_truth) spec.series.push_back({"truth", colours::kTruth, ts.frames, truth, 2});
    spec.series.push_back({"ball", colours::kBall, ts.frames, ball, 2});
    return draw_plot(canvas, spec);
  };
  axis_plot({0, 0, kPathsSize.width_px, 350}, "x (source px)", ts.ball_x, ts.crop_cx, ts.crop_left, ts.crop_right,
            ts.truth_x, false);
  const PixelRect data = axis_plot({0, 350, kPathsSize.width_px, 350}, "y (source px, down)", ts.ball_y, ts.crop_cy,
                                   ts.crop_top, ts.crop_bottom, ts.truth_y, true);
  draw_mode_strip(canvas, {data.x, 712, data.w, 24}, x_min, x_max, run);
  draw_mode_legend(canvas, data.x, 760);
  return write_png(out_path.string(), canvas);
}

Status write_zoom(const RunData& run, const fs::path& out_path) {
  const TimeSeries ts = collect_series(run);
  const auto [x_min, x_max] = frame_range(run);
  Canvas canvas(kZoomSize.width_px, kZoomSize.height_px);
  PlotSpec spec;
  spec.area = {0, 0, kZoomSize.width_px, 320};
  spec.title = "crop width (source px)";
  spec.x_min = x_min;
  spec.x_max = x_max;
  spec.series.push_back({"crop width", colours::kCamera, ts.frames, ts.crop_w, 2});
  const PixelRect data = draw_plot(canvas, spec);
  draw_mode_strip(canvas, {data.x, 332, data.w, 20}, x_min, x_max, run);
  draw_mode_legend(canvas, data.x, 368);
  return write_png(out_path.string(), canvas);
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

Status write_index(const ReportOptions& options, const ReportSummary& summary, const RunMetrics* metrics,
                   const fs::path& out_path) {
  std::ofstream html(out_path, std::ios::out | std::ios::trunc);
  if (!html) return error(ErrorCode::kOutputError, "cannot write '" + out_path.string() + "'");
  const auto row = [&html](const std::string& name, const std::string& value) {
    html << "<tr><th>" << html_escape(name) << "</th><td>" << html_escape(value) << "</td></tr>\n";
  };
  html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ballcam report</title>\n"
          "<style>body{font-family:sans-serif;margin:1.5em;max-width:1320px}"
          "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 10px;text-align:left}"
          "td{text-align:right}img{max-width:100%;border:1px solid #ccc}</style></head><body>\n"
       << "<h1>ballcam report</h1>\n<p>video: <code>" << html_escape(options.video_path)
       << "</code><br>track: <code>" << html_escape(options.track_path) << "</code>";
  if (!options.truth_path.empty()) html << "<br>truth: <code>" << html_escape(options.truth_path) << "</code>";
  if (metrics != nullptr) html << "<br>metrics: <code>" << html_escape(options.metrics_path) << "</code>";
  html << "</p>\n<table>\n";
  row("frames", std::to_string(summary.frames));
  row("frames with an estimate", std::to_string(summary.frames_with_estimate) + " (" +
                                     format_number("%.1f", 100.0 * summary.estimate_share) + " %)");
  for (const TrackMode mode : kModes) {
    const auto n = summary.frames_per_mode[static_cast<std::size_t>(mode)];
    const double share = summary.frames > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(summary.frames) : 0.0;
    row(std::string("mode ") + to_string(mode), std::to_string(n) + " (" + format_number("%.1f", share) + " %)");
  }
  row("mean crop width", format_number("%.0f", summary.mean_crop_width_px) + " px");
  if (summary.truth_frames > 0) {
    row("frames with the true ball", std::to_string(summary.truth_frames));
    if (summary.mean_error_px >= 0.0) row("mean estimate error", format_number("%.1f", summary.mean_error_px) + " px");
    row("true ball inside the crop", format_number("%.1f", 100.0 * summary.ball_in_crop_share) + " %");
  }
  if (metrics != nullptr) {
    row("overall FPS", format_number("%.1f", metrics->fps));
    for (const StageStats& st : metrics->stages) {
      row("p95 " + st.name, format_number("%.2f", st.p95_ms) + " ms");
    }
  }
  html << "</table>\n"
       << "<h2>Contact sheet</h2>\n<p>Frames at regular intervals: frame index and tracker mode top-left; "
          "yellow ring: the tracker's ball estimate (red, pinned to the edge: outside the picture)"
       << (summary.truth_frames > 0 ? "; cyan cross: the true ball" : "")
       << (options.video_is_output ? "" : "; blue rectangle: the virtual camera's crop") << ".</p>\n"
       << "<img src=\"contact_sheet.png\" alt=\"contact sheet\">\n"
       << "<h2>Ball and camera paths</h2>\n<p>Ball estimate (red) against the crop centre (blue line) and the "
          "crop's extent (blue band), per axis, over frames; the strip below gives the tracker mode.</p>\n"
       << "<img src=\"paths.png\" alt=\"ball and camera paths\">\n"
       << "<h2>Zoom</h2>\n<p>Crop width over frames: lower is tighter.</p>\n"
       << "<img src=\"zoom.png\" alt=\"crop width over time\">\n"
       << "<h2>Ball heat map</h2>\n<p>Where the tracker's ball estimate was, as a share of the frames with an "
          "estimate (yellow: some, red: most), over a pitch diagram drawn to the source frame's proportions "
          "(a diagram, not a calibrated projection).</p>\n"
       << "<img src=\"heatmap.png\" alt=\"ball heat map\">\n";
  if (metrics != nullptr) {
    html << "<h2>Latency</h2>\n<p>"
         << (metrics->timeline.empty()
                 ? "Per-stage p50 and p95 latency over the whole run (the run was too short for a per-second "
                   "timeline)."
                 : "Per-stage mean latency for each second of the run (top) and frames out per second (bottom).")
         << "</p>\n<img src=\"latency.png\" alt=\"per-stage latency over time\">\n";
  }
  html
       << "</body></html>\n";
  html.close();
  if (!html) return error(ErrorCode::kOutputError, "writing '" + out_path.string() + "' failed");
  return Status::Ok();
}

}  // namespace

PictureSize contact_sheet_size(int columns, int rows, int video_width_px, int video_height_px) {
  const int thumb_h = thumb_height_px(video_width_px, video_height_px);
  return {columns * kThumbWidthPx + (columns + 1) * kSheetGapPx,
          kSheetHeaderPx + rows * thumb_h + (rows + 1) * kSheetGapPx};
}

ReportSummary summarise(const std::vector<TrackRecord>& track, const std::vector<GroundTruthFrame>& truth) {
  ReportSummary summary;
  std::unordered_map<std::int64_t, const GroundTruthFrame*> truth_by_frame;
  for (const auto& t : truth) truth_by_frame[t.frame_index] = &t;
  double crop_width_sum = 0.0;
  double error_sum = 0.0;
  std::int64_t error_frames = 0;
  std::int64_t in_crop = 0;
  for (const auto& rec : track) {
    ++summary.frames;
    ++summary.frames_per_mode[static_cast<std::size_t>(rec.track.mode) % summary.frames_per_mode.size()];
    if (rec.track.has_estimate) ++summary.frames_with_estimate;
    crop_width_sum += rec.crop.w;
    const auto it = truth_by_frame.find(rec.frame_index);
    if (it == truth_by_frame.end() || !it->second->ball) continue;
    const Point2 c = it->second->ball->center;
    ++summary.truth_frames;
    if (rec.crop.contains(c)) ++in_crop;
    if (rec.track.has_estimate) {
      error_sum += std::hypot(rec.track.position.x - c.x, rec.track.position.y - c.y);
      ++error_frames;
    }
  }
  if (summary.frames > 0) {
    summary.estimate_share = static_cast<double>(summary.frames_with_estimate) / static_cast<double>(summary.frames);
    summary.mean_crop_width_px = crop_width_sum / static_cast<double>(summary.frames);
  }
  if (error_frames > 0) summary.mean_error_px = error_sum / static_cast<double>(error_frames);
  if (summary.truth_frames > 0) {
    summary.ball_in_crop_share = static_cast<double>(in_crop) / static_cast<double>(summary.truth_frames);
  }
  return summary;
}

Status write_report(const ReportOptions& options) {
  if (options.video_path.empty()) return error(ErrorCode::kInvalidArgument, "report: no video given");
  if (options.track_path.empty()) return error(ErrorCode::kInvalidArgument, "report: no track file given");
  if (options.out_dir.empty()) return error(ErrorCode::kInvalidArgument, "report: no output directory given");
  if (options.sheet_columns < 1 || options.sheet_columns > 16 || options.sheet_rows < 1 || options.sheet_rows > 16) {
    return error(ErrorCode::kInvalidArgument, "report: contact sheet columns and rows must be 1..16");
  }

  RunData run;
  BALLCAM_ASSIGN_OR_RETURN(run.track, load_track(options.track_path));
  if (run.track.empty()) {
    return error(ErrorCode::kInputError, "'" + options.track_path + "': no track records");
  }
  if (!options.truth_path.empty()) {
    BALLCAM_ASSIGN_OR_RETURN(run.truth, load_ground_truth(options.truth_path));
  }
  std::optional<RunMetrics> metrics;
  if (!options.metrics_path.empty()) {
    BALLCAM_ASSIGN_OR_RETURN(metrics, load_run_metrics(options.metrics_path));
  }
  for (const auto& rec : run.track) run.track_by_frame[rec.frame_index] = &rec;
  for (const auto& t : run.truth) run.truth_by_frame[t.frame_index] = &t;

  const fs::path dir(options.out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return error(ErrorCode::kOutputError, "cannot create '" + options.out_dir + "': " + ec.message());

  BALLCAM_RETURN_IF_ERROR(write_contact_sheet(options, run, dir / "contact_sheet.png"));
  BALLCAM_RETURN_IF_ERROR(write_paths(run, dir / "paths.png"));
  BALLCAM_RETURN_IF_ERROR(write_zoom(run, dir / "zoom.png"));
  BALLCAM_RETURN_IF_ERROR(write_heatmap(run.track, (dir / "heatmap.png").string()));
  if (metrics) BALLCAM_RETURN_IF_ERROR(write_latency(*metrics, (dir / "latency.png").string()));
  return write_index(options, summarise(run.track, run.truth), metrics ? &*metrics : nullptr, dir / "index.html");
}

}  // namespace ballcam::report
