// A tiny raster line plot: axes, ticks with labels, light grid, polylines,
// shaded bands and a one-line legend, drawn into a Canvas.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/canvas.hpp"

namespace ballcam::report {

// One line. A NaN in `y` breaks it (no estimate on that frame).
struct PlotSeries {
  std::string label;
  Rgb colour;
  std::vector<double> x;
  std::vector<double> y;
  int thickness_px = 2;
};

// A filled range per sample (e.g. the crop's left..right edge over time).
struct PlotBand {
  std::string label;
  Rgb colour;
  double alpha = 0.18;
  std::vector<double> x;
  std::vector<double> lo;
  std::vector<double> hi;
};

struct PlotSpec {
  PixelRect area;           // the whole plot, titles and tick labels included
  std::string title;        // top-left; the legend follows it on the same line
  std::string x_label;      // under the x tick labels; empty: none (saves a row)
  double x_min = 0.0;
  double x_max = 1.0;
  std::optional<double> y_min;  // unset: from the data, rounded to ticks
  std::optional<double> y_max;
  bool y_down = false;      // true: larger values lower, like image rows
  int text_scale = 2;
  std::vector<PlotBand> bands;    // drawn first, under the lines
  std::vector<PlotSeries> series;
};

// Draws the plot; returns the data rectangle (inside the axes), so callers
// can line up strips with the same x mapping.
PixelRect draw_plot(Canvas& canvas, const PlotSpec& spec);

// x pixel of value `x` in a data rectangle spanning [x_min, x_max].
double plot_x_px(const PixelRect& data, double x_min, double x_max, double x);

// Round tick positions (1, 2, 5 x 10^k steps) covering [lo, hi], about
// `target_count` of them.
std::vector<double> nice_ticks(double lo, double hi, int target_count);

}  // namespace ballcam::report
