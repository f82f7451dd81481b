#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace ballcam::metrics {

namespace {
constexpr double kMinMs = 1e-3;           // 1 µs
constexpr double kGrowth = 1.023;         // bucket ratio
const double kLogGrowth = std::log(kGrowth);
}  // namespace

int LatencyStats::bucket_of(double ms) {
  if (!(ms > kMinMs)) return 0;
  const int b = 1 + static_cast<int>(std::log(ms / kMinMs) / kLogGrowth);
  return std::min(b, kBuckets - 1);
}

double LatencyStats::bucket_upper_ms(int bucket) {
  if (bucket <= 0) return kMinMs;
  return kMinMs * std::pow(kGrowth, bucket);
}

void LatencyStats::add_ms(double ms) {
  if (!(ms >= 0.0)) ms = 0.0;
  std::lock_guard lock(mutex_);
  ++buckets_[static_cast<std::size_t>(bucket_of(ms))];
  ++count_;
  sum_ms_ += ms;
  max_ms_ = std::max(max_ms_, ms);
}

LatencySummary LatencyStats::summary() const {
  std::lock_guard lock(mutex_);
  LatencySummary s;
  s.count = count_;
  if (count_ == 0) return s;
  s.total_ms = sum_ms_;
  s.mean_ms = sum_ms_ / static_cast<double>(count_);
  s.max_ms = max_ms_;
  auto quantile = [&](double q) {
    const auto target = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
      seen += buckets_[static_cast<std::size_t>(b)];
      if (seen >= std::max<std::uint64_t>(target, 1)) {
        // Geometric middle of the bucket, never above the observed maximum.
        const double lo = b == 0 ? 0.0 : bucket_upper_ms(b - 1);
        const double mid = b == 0 ? kMinMs * 0.5 : std::sqrt(lo * bucket_upper_ms(b));
        return std::min(mid, max_ms_);
      }
    }
    return max_ms_;
  };
  s.p50_ms = quantile(0.50);
  s.p95_ms = quantile(0.95);
  return s;
}

std::vector<std::uint64_t> LatencyStats::cumulative(const std::vector<double>& bounds_ms) const {
  std::lock_guard lock(mutex_);
  std::vector<std::uint64_t> out;
  out.reserve(bounds_ms.size());
  for (double bound : bounds_ms) {
    std::uint64_t n = 0;
    for (int b = 0; b < kBuckets && bucket_upper_ms(b) <= bound * 1.0000001; ++b) n += buckets_[static_cast<std::size_t>(b)];
    out.push_back(n);
  }
  return out;
}

LatencyStats& Registry::stage(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = stages_[name];
  if (!slot) slot = std::make_unique<LatencyStats>();
  return *slot;
}

Counter& Registry::counter(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = counters_[name];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

std::map<std::string, LatencySummary> Registry::stage_summaries() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, LatencySummary> out;
  for (const auto& [name, stats] : stages_) out[name] = stats->summary();
  return out;
}

std::vector<std::string> Registry::stage_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, stats] : stages_) out.push_back(name);
  return out;
}

const LatencyStats& Registry::stage_stats(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return *stages_.at(name);
}

std::map<std::string, std::uint64_t> Registry::counter_values() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::uint64_t> out;
  for (const auto& [name, c] : counters_) out[name] = c->value();
  return out;
}

nlohmann::json to_json(const LatencySummary& s) {
  return {{"count", s.count}, {"mean_ms", s.mean_ms}, {"p50_ms", s.p50_ms},
          {"p95_ms", s.p95_ms}, {"max_ms", s.max_ms}, {"total_ms", s.total_ms}};
}

nlohmann::json to_json(const RunSummary& s) {
  nlohmann::json j;
  j["wall_s"] = s.wall_s;
  j["fps"] = s.fps;
  j["stages"] = nlohmann::json::object();
  for (const auto& [name, st] : s.stages) j["stages"][name] = to_json(st);
  j["counters"] = s.counters;
  for (const auto& [k, v] : s.extra.items()) j[k] = v;
  return j;
}

std::string to_text(const RunSummary& s) {
  std::string out = fmt::format("{:<14} {:>8} {:>9} {:>9} {:>9} {:>9}\n", "stage", "frames", "mean ms",
                                "p50 ms", "p95 ms", "max ms");
  for (const auto& [name, st] : s.stages) {
    out += fmt::format("{:<14} {:>8} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f}\n", name, st.count, st.mean_ms,
                       st.p50_ms, st.p95_ms, st.max_ms);
  }
  std::string counters;
  for (const auto& [name, v] : s.counters) counters += fmt::format("{}={} ", name, v);
  out += fmt::format("wall {:.2f} s, {:.1f} FPS end to end; {}\n", s.wall_s, s.fps, counters);
  return out;
}

}  // namespace ballcam::metrics
