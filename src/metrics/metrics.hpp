// Run metrics: per-stage latency histograms, counters, and the summary that
// `ballcam run` prints and writes with --metrics-json. Thread-safe: each
// stage records into its own LatencyStats from its own thread; readers take
// snapshots from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ballcam::metrics {

struct LatencySummary {
  std::uint64_t count = 0;
  double mean_ms = 0.0;
  double p50_ms = 0.0;
  double p95_ms = 0.0;
  double max_ms = 0.0;
  double total_ms = 0.0;
};

// Log-bucketed histogram (about 2.3 % relative resolution from 1 µs to
// 100 s): constant memory for a 90-minute run, percentiles from buckets.
class LatencyStats {
 public:
  static constexpr int kBuckets = 800;
  void add_ms(double ms);
  LatencySummary summary() const;
  // Cumulative counts at the given upper bounds (ms), for Prometheus.
  std::vector<std::uint64_t> cumulative(const std::vector<double>& bounds_ms) const;

 private:
  static int bucket_of(double ms);
  static double bucket_upper_ms(int bucket);
  mutable std::mutex mutex_;
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ms_ = 0.0;
  double max_ms_ = 0.0;
};

// Times a scope into a LatencyStats.
class ScopedTimer {
 public:
  explicit ScopedTimer(LatencyStats& stats) : stats_(stats), start_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() {
    stats_.add_ms(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count());
  }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  LatencyStats& stats_;
  std::chrono::steady_clock::time_point start_;
};

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::uint64_t n) { value_.store(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Named stages and counters of one run. Stage/counter objects live as long
// as the registry; references to them stay valid.
class Registry {
 public:
  LatencyStats& stage(const std::string& name);
  Counter& counter(const std::string& name);

  std::map<std::string, LatencySummary> stage_summaries() const;
  std::vector<std::string> stage_names() const;
  // The named stage; it must exist (see stage()).
  const LatencyStats& stage_stats(const std::string& name) const;
  std::map<std::string, std::uint64_t> counter_values() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<LatencyStats>> stages_;
  std::map<std::string, std::unique_ptr<Counter>> counters_;
};

nlohmann::json to_json(const LatencySummary& s);

// The end-of-run summary: stages, counters and wall-clock FPS.
struct RunSummary {
  double wall_s = 0.0;
  double fps = 0.0;  // output frames / wall time
  std::map<std::string, LatencySummary> stages;
  std::map<std::string, std::uint64_t> counters;
  nlohmann::json extra = nlohmann::json::object();  // input/output description etc.
};

nlohmann::json to_json(const RunSummary& s);
std::string to_text(const RunSummary& s);

}  // namespace ballcam::metrics
