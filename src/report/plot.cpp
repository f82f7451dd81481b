#include "report/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ballcam::report {
namespace {

double nice_step(double range, int target_count) {
  const double raw = range / std::max(1, target_count);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double nice = fraction < 1.5 ? 1.0 : fraction < 3.5 ? 2.0 : fraction < 7.5 ? 5.0 : 10.0;
  return nice * magnitude;
}

std::string format_tick(double value, double step) {
  char buf[32];
  if (step >= 1.0 || value == 0.0) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    const int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step))), 1, 6);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  }
  return buf;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool valid() const { return lo <= hi; }
};

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target_count) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi <= lo) return ticks;
  const double step = nice_step(hi - lo, target_count);
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (double t = first; t <= hi + step * 1e-9; t += step) ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

double plot_x_px(const PixelRect& data, double x_min, double x_max, double x) {
  const double span = x_max > x_min ? x_max - x_min : 1.0;
  return data.x + (x - x_min) / span * (data.w - 1);
}

PixelRect draw_plot(Canvas& canvas, const PlotSpec& spec) {
  const int s = std::max(1, spec.text_scale);
  const int text_h = Canvas::text_height_px(s);
  const int gap = 4 * s;

  // y range: given, or the data's, widened to round tick values.
  Range data_range;
  for (const auto& band : spec.bands) {
    for (const double v : band.lo) data_range.add(v);
    for (const double v : band.hi) data_range.add(v);
  }
  for (const auto& series : spec.series) {
    for (const double v : series.y) data_range.add(v);
  }
  if (!data_range.valid()) data_range = {0.0, 1.0};
  if (data_range.hi - data_range.lo < 1e-9) {
    data_range.lo -= 1.0;
    data_range.hi += 1.0;
  }
  double y_min = spec.y_min.value_or(data_range.lo);
  double y_max = spec.y_max.value_or(data_range.hi);
  if (!spec.y_min || !spec.y_max) {
    const double step = nice_step(y_max - y_min, 5);
    if (!spec.y_min) y_min = std::floor(y_min / step) * step;
    if (!spec.y_max) y_max = std::ceil(y_max / step) * step;
  }
  if (y_max <= y_min) y_max = y_min + 1.0;
  const std::vector<double> y_ticks = nice_ticks(y_min, y_max, 5);
  const double y_step = y_ticks.size() >= 2 ? y_ticks[1] - y_ticks[0] : y_max - y_min;

  int label_w = 0;
  for (const double t : y_ticks) label_w = std::max(label_w, Canvas::text_width_px(format_tick(t, y_step), s));

  // Layout: title + legend row, then the data rectangle, x tick labels and
  // an optional x label row.
  // The top tick label is centred on the top edge: keep it clear of the title.
  const int top = spec.area.y + 2 * text_h + 2 * gap;
  const int bottom = spec.area.y + spec.area.h - (text_h + gap) - (spec.x_label.empty() ? 0 : text_h + gap) - gap;
  const int left = spec.area.x + label_w + 2 * gap;
  const int right = spec.area.x + spec.area.w - 3 * gap;
  const PixelRect data{left, top, std::max(2, right - left), std::max(2, bottom - top)};

  const auto to_x = [&](double x) { return plot_x_px(data, spec.x_min, spec.x_max, x); };
  const auto to_y = [&](double y) {
    const double f = (y - y_min) / (y_max - y_min);
    return spec.y_down ? data.y + f * (data.h - 1) : data.y + (1.0 - f) * (data.h - 1);
  };

  // Title and legend.
  int pen_x = spec.area.x + gap;
  const int title_y = spec.area.y + gap;
  pen_x += canvas.draw_text(pen_x, title_y, spec.title, colours::kBlack, s) + 6 * gap;
  const auto legend_entry = [&](const std::string& label, Rgb colour, bool filled_box) {
    if (label.empty()) return;
    if (filled_box) {
      canvas.fill_rect_blended({pen_x, title_y, 4 * text_h / 3, text_h}, colour, 0.35);
    } else {
      canvas.fill_rect({pen_x, title_y + text_h / 2 - s, 4 * text_h / 3, 2 * s}, colour);
    }
    pen_x += 4 * text_h / 3 + 2 * s;
    pen_x += canvas.draw_text(pen_x, title_y, label, colours::kAxis, s) + 4 * gap;
  };
  for (const auto& series : spec.series) legend_entry(series.label, series.colour, false);
  for (const auto& band : spec.bands) legend_entry(band.label, band.colour, true);

  // Grid and tick labels.
  for (const double t : y_ticks) {
    const int py = static_cast<int>(std::lround(to_y(t)));
    canvas.fill_rect({data.x, py, data.w, 1}, colours::kGrid);
    const std::string label = format_tick(t, y_step);
    canvas.draw_text(data.x - gap - Canvas::text_width_px(label, s), py - text_h / 2, label, colours::kAxis, s);
  }
  const std::vector<double> x_ticks = nice_ticks(spec.x_min, spec.x_max, std::max(2, data.w / (60 * s)));
  const double x_step = x_ticks.size() >= 2 ? x_ticks[1] - x_ticks[0] : 1.0;
  for (const double t : x_ticks) {
    const int px = static_cast<int>(std::lround(to_x(t)));
    canvas.fill_rect({px, data.y, 1, data.h}, colours::kGrid);
    canvas.fill_rect({px, data.y + data.h, 1, gap}, colours::kAxis);
    const std::string label = format_tick(t, x_step);
    canvas.draw_text(px - Canvas::text_width_px(label, s) / 2, data.y + data.h + gap + s, label, colours::kAxis, s);
  }
  if (!spec.x_label.empty()) {
    canvas.draw_text(data.x + (data.w - Canvas::text_width_px(spec.x_label, s)) / 2,
                     data.y + data.h + 2 * gap + text_h + s, spec.x_label, colours::kAxis, s);
  }

  // Data, clipped to the data rectangle.
  canvas.set_clip(data);
  for (const auto& band : spec.bands) {
    const std::size_t n = std::min({band.x.size(), band.lo.size(), band.hi.size()});
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(band.lo[i]) || !std::isfinite(band.hi[i])) continue;
      // Each sample covers the columns up to the next sample.
      const int x0 = static_cast<int>(std::lround(to_x(band.x[i])));
      const int x1 = i + 1 < n ? static_cast<int>(std::lround(to_x(band.x[i + 1]))) : x0 + 1;
      const double ya = to_y(band.lo[i]);
      const double yb = to_y(band.hi[i]);
      const int y0 = static_cast<int>(std::lround(std::min(ya, yb)));
      const int y1 = static_cast<int>(std::lround(std::max(ya, yb)));
      canvas.fill_rect_blended({x0, y0, std::max(1, x1 - x0), y1 - y0 + 1}, band.colour, band.alpha);
    }
  }
  for (const auto& series : spec.series) {
    const std::size_t n = std::min(series.x.size(), series.y.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(series.y[i])) continue;
      const bool next_ok = i + 1 < n && std::isfinite(series.y[i + 1]);
      const bool prev_ok = i > 0 && std::isfinite(series.y[i - 1]);
      if (next_ok) {
        canvas.draw_line(to_x(series.x[i]), to_y(series.y[i]), to_x(series.x[i + 1]), to_y(series.y[i + 1]),
                         series.colour, series.thickness_px);
      } else if (!prev_ok) {  // an isolated sample still shows as a dot
        canvas.draw_line(to_x(series.x[i]), to_y(series.y[i]), to_x(series.x[i]), to_y(series.y[i]),
                         series.colour, series.thickness_px + 1);
      }
    }
  }
  canvas.reset_clip();
  canvas.draw_rect({data.x - 1, data.y - 1, data.w + 2, data.h + 2}, colours::kAxis);
  return data;
}

}  // namespace ballcam::report
