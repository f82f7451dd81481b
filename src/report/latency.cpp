#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/plot.hpp"
#include "report/png_writer.hpp"
#include "report/run_pictures.hpp"

namespace ballcam::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The pipeline's stages in the order a frame passes them; others follow.
constexpr std::array<const char*, 5> kStageOrder{{"decode", "detect", "track_camera", "render", "encode"}};
constexpr std::array<Rgb, 8> kStageColours{{
    {30, 90, 220},   // blue
    {230, 40, 40},   // red
    {40, 170, 70},   // green
    {150, 50, 200},  // purple
    {245, 140, 20},  // orange
    {0, 160, 170},   // teal
    {120, 80, 40},   // brown
    {120, 120, 120}, // grey
}};

int stage_rank(const std::string& name) {
  for (std::size_t i = 0; i < kStageOrder.size(); ++i) {
    if (name == kStageOrder[i]) return static_cast<int>(i);
  }
  return static_cast<int>(kStageOrder.size());
}

Rgb stage_colour(std::size_t index) { return kStageColours[index % kStageColours.size()]; }

double number_or(const nlohmann::json& j, const char* key, double fallback) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<double>();  // throws type_error on a non-number: malformed
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

Result<RunMetrics> load_run_metrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) return error(ErrorCode::kInputError, "cannot open metrics file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  const auto malformed = [&path](const std::string& why) {
    return error(ErrorCode::kInputError, "metrics file '" + path + "': " + why);
  };
  if (j.is_discarded()) return malformed("not valid JSON");
  if (!j.is_object()) return malformed("not a JSON object");
  const auto stages = j.find("stages");
  const auto timeline = j.find("timeline");
  if (stages == j.end() && timeline == j.end()) return malformed("neither \"stages\" nor \"timeline\" (not a --metrics-json file?)");
  if (stages != j.end() && !stages->is_object()) return malformed("\"stages\" is not an object");
  if (timeline != j.end() && !timeline->is_array()) return malformed("\"timeline\" is not an array");

  RunMetrics m;
  try {
    m.fps = number_or(j, "fps", 0.0);
    if (stages != j.end()) {
      for (const auto& [name, st] : stages->items()) {
        if (!st.is_object()) return malformed("stage \"" + name + "\" is not an object");
        StageStats s;
        s.name = name;
        s.count = static_cast<std::int64_t>(number_or(st, "count", 0.0));
        s.mean_ms = number_or(st, "mean_ms", 0.0);
        s.p50_ms = number_or(st, "p50_ms", 0.0);
        s.p95_ms = number_or(st, "p95_ms", 0.0);
        s.max_ms = number_or(st, "max_ms", 0.0);
        m.stages.push_back(std::move(s));
      }
    }
    if (timeline != j.end()) {
      for (const auto& sample : *timeline) {
        if (!sample.is_object()) return malformed("a \"timeline\" entry is not an object");
        MetricsSample ms;
        ms.t_s = number_or(sample, "t_s", kNaN);
        if (!std::isfinite(ms.t_s)) return malformed("a \"timeline\" entry has no \"t_s\"");
        ms.fps = number_or(sample, "fps", kNaN);
        if (const auto sm = sample.find("stage_mean_ms"); sm != sample.end() && !sm->is_null()) {
          if (!sm->is_object()) return malformed("\"stage_mean_ms\" is not an object");
          for (const auto& [name, v] : sm->items()) ms.stage_mean_ms.emplace_back(name, v.get<double>());
        }
        m.timeline.push_back(std::move(ms));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return malformed(std::string("unexpected value: ") + e.what());
  }
  std::stable_sort(m.stages.begin(), m.stages.end(), [](const StageStats& a, const StageStats& b) {
    return stage_rank(a.name) < stage_rank(b.name);
  });
  std::stable_sort(m.timeline.begin(), m.timeline.end(),
                   [](const MetricsSample& a, const MetricsSample& b) { return a.t_s < b.t_s; });
  return m;
}

Status write_latency(const RunMetrics& metrics, const std::string& out_path) {
  Canvas canvas(kLatencySize.width_px, kLatencySize.height_px);
  const int s = 2;

  // Stage names: the summaries' order, plus any only the timeline has.
  std::vector<std::string> names;
  for (const auto& st : metrics.stages) names.push_back(st.name);
  for (const auto& sample : metrics.timeline) {
    for (const auto& [name, v] : sample.stage_mean_ms) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  std::stable_sort(names.begin(), names.end(),
                   [](const std::string& a, const std::string& b) { return stage_rank(a) < stage_rank(b); });

  if (!metrics.timeline.empty()) {
    std::vector<double> t;
    std::vector<double> fps;
    for (const auto& sample : metrics.timeline) {
      t.push_back(sample.t_s);
      fps.push_back(sample.fps);
    }
    const double x_min = t.front();
    const double x_max = t.back() > t.front() ? t.back() : t.front() + 1.0;
    PlotSpec lat;
    lat.area = {0, 0, kLatencySize.width_px, 500};
    lat.title = "stage latency, mean per second (ms)";
    lat.x_min = x_min;
    lat.x_max = x_max;
    lat.y_min = 0.0;
    for (std::size_t k = 0; k < names.size(); ++k) {
      PlotSeries series{names[k], stage_colour(k), t, {}, 2};
      for (const auto& sample : metrics.timeline) {
        double v = kNaN;
        for (const auto& [name, ms] : sample.stage_mean_ms) {
          if (name == names[k]) v = ms;
        }
        series.y.push_back(v);
      }
      lat.series.push_back(std::move(series));
    }
    draw_plot(canvas, lat);

    PlotSpec rate;
    rate.area = {0, 510, kLatencySize.width_px, 290};
    rate.title = "FPS, frames out per second (whole run " + fmt("%.1f", metrics.fps) + ")";
    rate.x_label = "time since start (s)";
    rate.x_min = x_min;
    rate.x_max = x_max;
    rate.y_min = 0.0;
    rate.series.push_back({"", colours::kBlack, t, fps, 2});
    draw_plot(canvas, rate);
    return write_png(out_path, canvas);
  }

  // No per-second samples (a run under a second): the whole run's p50 / p95
  // per stage as bars.
  const Rgb p50_colour{120, 160, 235};
  const Rgb p95_colour{30, 70, 180};
  double top = 0.0;
  for (const auto& st : metrics.stages) top = std::max({top, st.p50_ms, st.p95_ms});
  if (top <= 0.0) top = 1.0;
  const std::vector<double> ticks = nice_ticks(0.0, top, 5);
  double y_max = ticks.empty() ? top : ticks.back();
  if (ticks.size() >= 2 && y_max < top) y_max += ticks[1] - ticks[0];
  const int n = std::max<int>(1, static_cast<int>(metrics.stages.size()));

  PlotSpec bars;
  bars.area = {0, 0, kLatencySize.width_px, 700};
  bars.title = "stage latency, whole run (ms; no per-second timeline)";
  bars.x_min = 0.0;
  bars.x_max = n;
  bars.y_min = 0.0;
  bars.y_max = y_max;
  bars.series.push_back({"p50", p50_colour, {}, {}, 2});
  bars.series.push_back({"p95", p95_colour, {}, {}, 2});
  const PixelRect data = draw_plot(canvas, bars);
  // Replace the numeric x tick labels with the stage names.
  // (Right of the y tick labels, so the "0" centred on the bottom edge stays.)
  canvas.fill_rect({data.x - 6, data.y + data.h + 1, kLatencySize.width_px - data.x + 6,
                    bars.area.y + bars.area.h - data.y - data.h - 1},
                   colours::kWhite);
  const auto to_y = [&](double v) { return data.y + static_cast<int>(std::lround((1.0 - v / y_max) * (data.h - 1))); };
  for (std::size_t k = 0; k < metrics.stages.size(); ++k) {
    const StageStats& st = metrics.stages[k];
    const double x0 = plot_x_px(data, 0.0, n, static_cast<double>(k));
    const double x1 = plot_x_px(data, 0.0, n, static_cast<double>(k + 1));
    const int slot = static_cast<int>(x1 - x0);
    const int bar_w = std::max(2, slot / 4);
    const int left = static_cast<int>(std::lround(x0)) + slot / 2 - bar_w - 2;
    const int bottom = data.y + data.h - 1;
    const int y50 = to_y(st.p50_ms);
    const int y95 = to_y(st.p95_ms);
    canvas.fill_rect({left, y50, bar_w, bottom - y50 + 1}, p50_colour);
    canvas.fill_rect({left + bar_w + 4, y95, bar_w, bottom - y95 + 1}, p95_colour);
    const std::string label = st.name;
    canvas.draw_text(static_cast<int>(std::lround(x0)) + (slot - Canvas::text_width_px(label, s)) / 2,
                     data.y + data.h + 8, label, colours::kAxis, s);
  }
  canvas.draw_text(data.x, 740, "FPS, whole run: " + fmt("%.1f", metrics.fps), colours::kBlack, s);
  return write_png(out_path, canvas);
}

}  // namespace ballcam::report
