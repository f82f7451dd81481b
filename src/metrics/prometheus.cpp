#include "metrics/prometheus.hpp"

#include <fmt/format.h>

#include <vector>

namespace ballcam::metrics {

namespace {

std::string sanitize(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
  }
  return out;
}

}  // namespace

std::string to_prometheus(const Registry& registry, const std::map<std::string, double>& gauges) {
  // Bucket bounds in milliseconds (exported in seconds).
  static const std::vector<double> kBoundsMs = {0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 33, 66, 100, 250, 500, 1000, 5000};
  std::string out;
  out += "# HELP ballcam_stage_latency_seconds Time each pipeline stage spends per frame.\n";
  out += "# TYPE ballcam_stage_latency_seconds histogram\n";
  for (const auto& name : registry.stage_names()) {
    const LatencyStats& stats = registry.stage_stats(name);
    const LatencySummary s = stats.summary();
    const auto cumulative = stats.cumulative(kBoundsMs);
    const std::string label = sanitize(name);
    for (std::size_t i = 0; i < kBoundsMs.size(); ++i) {
      out += fmt::format("ballcam_stage_latency_seconds_bucket{{stage=\"{}\",le=\"{}\"}} {}\n", label,
                         kBoundsMs[i] / 1000.0, cumulative[i]);
    }
    out += fmt::format("ballcam_stage_latency_seconds_bucket{{stage=\"{}\",le=\"+Inf\"}} {}\n", label, s.count);
    out += fmt::format("ballcam_stage_latency_seconds_sum{{stage=\"{}\"}} {}\n", label, s.total_ms / 1000.0);
    out += fmt::format("ballcam_stage_latency_seconds_count{{stage=\"{}\"}} {}\n", label, s.count);
  }
  for (const auto& [name, value] : registry.counter_values()) {
    const std::string metric = "ballcam_" + sanitize(name) + "_total";
    out += fmt::format("# TYPE {} counter\n{} {}\n", metric, metric, value);
  }
  for (const auto& [name, value] : gauges) {
    const std::string metric = "ballcam_" + sanitize(name);
    out += fmt::format("# TYPE {} gauge\n{} {}\n", metric, metric, value);
  }
  return out;
}

}  // namespace ballcam::metrics
