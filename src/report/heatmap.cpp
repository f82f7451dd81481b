#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/png_writer.hpp"
#include "report/run_pictures.hpp"

namespace ballcam::report {
namespace {

constexpr int kMarginPx = 40;
constexpr int kHeaderPx = 44;
constexpr int kLegendPx = 96;
constexpr int kPitchWidthPx = kHeatmapWidthPx - 2 * kMarginPx;

constexpr Rgb kGrassA{56, 132, 56};
constexpr Rgb kGrassB{64, 146, 64};
constexpr Rgb kLine{235, 240, 235};
constexpr Rgb kHeatCold{255, 235, 0};  // yellow
constexpr Rgb kHeatHot{215, 0, 0};     // red

int pitch_height_px(const SourceExtent& source) {
  const double aspect = source.width_px > 0.0 ? source.height_px / source.width_px : 9.0 / 16.0;
  return std::clamp(static_cast<int>(std::lround(kPitchWidthPx * aspect)), 150, 1600);
}

std::uint8_t mix(std::uint8_t a, std::uint8_t b, double t) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * std::clamp(t, 0.0, 1.0)));
}

// A football pitch (105 x 68 m) inset in the source frame's rectangle: a
// diagram to read positions against, not a calibrated projection.
void draw_pitch(Canvas& canvas, PixelRect area) {
  const int stripes = 12;
  for (int k = 0; k < stripes; ++k) {
    const int x0 = area.x + area.w * k / stripes;
    const int x1 = area.x + area.w * (k + 1) / stripes;
    canvas.fill_rect({x0, area.y, x1 - x0, area.h}, k % 2 == 0 ? kGrassA : kGrassB);
  }
  const double mx = 0.04 * area.w;
  const double my = 0.06 * area.h;
  const double sx = (area.w - 2.0 * mx) / 105.0;
  const double sy = (area.h - 2.0 * my) / 68.0;
  const auto px = [&](double m) { return area.x + mx + m * sx; };
  const auto py = [&](double m) { return area.y + my + m * sy; };
  const auto rect = [&](double x0, double y0, double x1, double y1) {
    canvas.draw_line(px(x0), py(y0), px(x1), py(y0), kLine, 2);
    canvas.draw_line(px(x1), py(y0), px(x1), py(y1), kLine, 2);
    canvas.draw_line(px(x1), py(y1), px(x0), py(y1), kLine, 2);
    canvas.draw_line(px(x0), py(y1), px(x0), py(y0), kLine, 2);
  };
  rect(0.0, 0.0, 105.0, 68.0);                 // touchlines and goal lines
  canvas.draw_line(px(52.5), py(0.0), px(52.5), py(68.0), kLine, 2);  // halfway line
  canvas.draw_ring(px(52.5), py(34.0), 9.15 * std::min(sx, sy), kLine, 2);
  canvas.draw_ring(px(52.5), py(34.0), 1.0, kLine, 2);
  for (const bool left : {true, false}) {
    const auto fx = [left](double m) { return left ? m : 105.0 - m; };
    rect(fx(0.0), 34.0 - 20.16, fx(16.5), 34.0 + 20.16);  // penalty box
    rect(fx(0.0), 34.0 - 9.16, fx(5.5), 34.0 + 9.16);     // goal area
    rect(fx(0.0), 34.0 - 3.66, fx(-1.5), 34.0 + 3.66);    // goal
    canvas.draw_ring(px(fx(11.0)), py(34.0), 1.0, kLine, 2);
  }
}

// Bilinear sample of the grid at a fractional cell position (cell centres at
// integer + 0.5).
double sample(const HeatGrid& grid, double gx, double gy) {
  const double fx = std::clamp(gx - 0.5, 0.0, grid.columns - 1.0);
  const double fy = std::clamp(gy - 0.5, 0.0, grid.rows - 1.0);
  const int x0 = static_cast<int>(fx);
  const int y0 = static_cast<int>(fy);
  const int x1 = std::min(x0 + 1, grid.columns - 1);
  const int y1 = std::min(y0 + 1, grid.rows - 1);
  const double tx = fx - x0;
  const double ty = fy - y0;
  const double top = grid.at(x0, y0) * (1 - tx) + grid.at(x1, y0) * tx;
  const double bottom = grid.at(x0, y1) * (1 - tx) + grid.at(x1, y1) * tx;
  return top * (1 - ty) + bottom * ty;
}

// Colour map: transparent -> yellow -> red as v goes 0 -> 1, v being the
// square root of share / peak, so a path the ball crossed once still shows.
Rgb heat_colour(double v) {
  return {mix(kHeatCold.r, kHeatHot.r, v), mix(kHeatCold.g, kHeatHot.g, v), mix(kHeatCold.b, kHeatHot.b, v)};
}
double heat_alpha(double v) { return 0.9 * std::clamp(v / 0.25, 0.0, 1.0); }

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, share >= 0.1 ? "%.0f %%" : "%.1f %%", 100.0 * share);
  return buf;
}

}  // namespace

SourceExtent source_extent(const std::vector<TrackRecord>& track) {
  const CropExtent e = crop_extent(track);
  if (e.width_px <= 0.0 || e.height_px <= 0.0) return {};
  return {e.width_px, e.height_px};
}

double HeatGrid::max() const {
  double m = 0.0;
  for (const double v : share) m = std::max(m, v);
  return m;
}

HeatGrid ball_heat(const std::vector<TrackRecord>& track, int columns) {
  HeatGrid grid;
  grid.source = source_extent(track);
  grid.columns = std::clamp(columns, 1, 1024);
  grid.rows = std::clamp(static_cast<int>(std::lround(grid.columns * grid.source.height_px / grid.source.width_px)),
                         1, 1024);
  const std::size_t cells = static_cast<std::size_t>(grid.columns) * static_cast<std::size_t>(grid.rows);
  std::vector<double> counts(cells, 0.0);
  for (const auto& rec : track) {
    if (!rec.track.has_estimate) continue;
    ++grid.frames;
    const Point2 p = rec.track.position;
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    const double cx = p.x / grid.source.width_px * grid.columns;
    const double cy = p.y / grid.source.height_px * grid.rows;
    if (cx < 0.0 || cy < 0.0 || cx >= grid.columns || cy >= grid.rows) continue;  // off the frame
    counts[static_cast<std::size_t>(cy) * grid.columns + static_cast<std::size_t>(cx)] += 1.0;
  }
  // 3 x 3 binomial blur; weights falling off the grid are given back to the
  // cells inside, so each estimate still adds up to one frame.
  grid.share.assign(cells, 0.0);
  constexpr double kW[3] = {1.0, 2.0, 1.0};
  for (int r = 0; r < grid.rows; ++r) {
    for (int c = 0; c < grid.columns; ++c) {
      const double n = counts[static_cast<std::size_t>(r) * grid.columns + c];
      if (n == 0.0) continue;
      double total = 0.0;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          if (r + dy >= 0 && r + dy < grid.rows && c + dx >= 0 && c + dx < grid.columns) total += kW[dy + 1] * kW[dx + 1];
        }
      }
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          if (r + dy < 0 || r + dy >= grid.rows || c + dx < 0 || c + dx >= grid.columns) continue;
          grid.share[static_cast<std::size_t>(r + dy) * grid.columns + (c + dx)] += n * kW[dy + 1] * kW[dx + 1] / total;
        }
      }
    }
  }
  if (grid.frames > 0) {
    for (double& v : grid.share) v /= static_cast<double>(grid.frames);
  }
  return grid;
}

PictureSize heatmap_size(const SourceExtent& source) {
  return {kHeatmapWidthPx, kHeaderPx + pitch_height_px(source) + kLegendPx};
}

PixelRect heatmap_pitch_area(const SourceExtent& source) {
  return {kMarginPx, kHeaderPx, kPitchWidthPx, pitch_height_px(source)};
}

Status write_heatmap(const std::vector<TrackRecord>& track, const std::string& out_path) {
  const HeatGrid grid = ball_heat(track);
  const PictureSize size = heatmap_size(grid.source);
  const PixelRect area = heatmap_pitch_area(grid.source);
  Canvas canvas(size.width_px, size.height_px);
  const int s = 2;
  const int text_h = Canvas::text_height_px(s);

  char title[160];
  std::snprintf(title, sizeof title, "ball heat map: tracker estimates on %lld frames, source %.0f x %.0f px",
                static_cast<long long>(grid.frames), grid.source.width_px, grid.source.height_px);
  canvas.draw_text(area.x, (kHeaderPx - text_h) / 2, title, colours::kBlack, s);

  draw_pitch(canvas, area);
  const double peak = grid.max();
  if (peak > 0.0) {
    for (int y = 0; y < area.h; ++y) {
      const double gy = (y + 0.5) / area.h * grid.rows;
      for (int x = 0; x < area.w; ++x) {
        const double v = std::sqrt(std::max(0.0, sample(grid, (x + 0.5) / area.w * grid.columns, gy) / peak));
        if (v < 0.03) continue;
        canvas.blend(area.x + x, area.y + y, heat_colour(v), heat_alpha(v));
      }
    }
  }
  canvas.draw_rect({area.x - 1, area.y - 1, area.w + 2, area.h + 2}, colours::kAxis);

  // Legend: the colour ramp over green, labelled with the shares it stands for.
  const int ly = area.y + area.h + 14;
  int x = area.x;
  x += canvas.draw_text(x, ly + 4, "share of frames", colours::kAxis, s) + 16;
  x += canvas.draw_text(x, ly + 4, "0", colours::kAxis, s) + 8;
  const int ramp_w = 300;
  for (int i = 0; i < ramp_w; ++i) {
    const double v = static_cast<double>(i) / (ramp_w - 1);
    canvas.fill_rect({x + i, ly, 1, text_h + 8}, kGrassA);
    for (int j = 0; j < text_h + 8; ++j) canvas.blend(x + i, ly + j, heat_colour(v), heat_alpha(v));
  }
  canvas.draw_rect({x - 1, ly - 1, ramp_w + 2, text_h + 10}, colours::kAxis);
  x += ramp_w + 8;
  canvas.draw_text(x, ly + 4,
                   peak > 0.0 ? percent(peak) + " per cell (square-root scale)" : "no estimates", colours::kAxis, s);
  char cells[96];
  std::snprintf(cells, sizeof cells, "cells: %d x %d over the source frame, lightly blurred", grid.columns, grid.rows);
  canvas.draw_text(area.x, ly + text_h + 18, cells, colours::kAxis, s);
  canvas.draw_text(area.x, ly + 2 * text_h + 30,
                   "pitch: a diagram drawn to the frame's proportions, not a calibrated projection", colours::kAxis, s);
  return write_png(out_path, canvas);
}

}  // namespace ballcam::report
