#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace ballcam::metrics {
namespace {

TEST(LatencyStats, PercentilesWithinBucketResolution) {
  LatencyStats s;
  for (int i = 1; i <= 1000; ++i) s.add_ms(i * 0.1);  // 0.1 .. 100 ms, uniform
  const auto sum = s.summary();
  EXPECT_EQ(sum.count, 1000u);
  EXPECT_NEAR(sum.mean_ms, 50.05, 1e-9);
  EXPECT_NEAR(sum.p50_ms, 50.0, 50.0 * 0.03);
  EXPECT_NEAR(sum.p95_ms, 95.0, 95.0 * 0.03);
  EXPECT_DOUBLE_EQ(sum.max_ms, 100.0);
}

TEST(LatencyStats, EmptyAndOneSample) {
  LatencyStats s;
  EXPECT_EQ(s.summary().count, 0u);
  s.add_ms(2.0);
  EXPECT_NEAR(s.summary().p50_ms, 2.0, 0.05);
  EXPECT_NEAR(s.summary().p95_ms, 2.0, 0.05);
}

TEST(LatencyStats, CumulativeIsMonotonic) {
  LatencyStats s;
  for (int i = 0; i < 100; ++i) s.add_ms(i);
  auto c = s.cumulative({1, 10, 50, 1000});
  ASSERT_EQ(c.size(), 4u);
  EXPECT_LE(c[0], c[1]);
  EXPECT_LE(c[1], c[2]);
  EXPECT_EQ(c[3], 100u);
}

TEST(Registry, ConcurrentRecording) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        r.stage("decode").add_ms(1.0);
        r.counter("frames").add();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.stage_summaries().at("decode").count, 4000u);
  EXPECT_EQ(r.counter_values().at("frames"), 4000u);
}

TEST(RunSummary, JsonHasStagesAndCounters) {
  RunSummary s;
  s.wall_s = 2.0;
  s.fps = 30.0;
  s.stages["detect"].count = 3;
  s.counters["frames_in"] = 60;
  auto j = to_json(s);
  EXPECT_EQ(j["counters"]["frames_in"], 60);
  EXPECT_EQ(j["stages"]["detect"]["count"], 3);
  EXPECT_NE(to_text(s).find("30.0 FPS"), std::string::npos);
}

}  // namespace
}  // namespace ballcam::metrics

#include <httplib.h>

#include <regex>
#include <sstream>

#include "metrics/http_exporter.hpp"
#include "metrics/prometheus.hpp"

namespace ballcam::metrics {
namespace {

TEST(Prometheus, TextIsWellFormedAndHistogramsCumulative) {
  Registry r;
  for (int i = 0; i < 50; ++i) r.stage("detect").add_ms(i * 0.5);
  r.counter("frames_in").add(50);
  const std::string text = to_prometheus(r, {{"fps", 25.0}});
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+(Inf)?$)");
  std::istringstream in(text);
  std::string line;
  std::uint64_t previous = 0;
  int buckets = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    if (line.rfind("ballcam_stage_latency_seconds_bucket", 0) == 0) {
      const std::uint64_t v = std::stoull(line.substr(line.rfind(' ') + 1));
      EXPECT_GE(v, previous) << line;
      previous = v;
      ++buckets;
    }
  }
  EXPECT_GT(buckets, 5);
  EXPECT_EQ(previous, 50u);  // +Inf bucket == count
  EXPECT_NE(text.find("ballcam_frames_in_total 50"), std::string::npos);
  EXPECT_NE(text.find("ballcam_fps 25"), std::string::npos);
  EXPECT_NE(text.find("ballcam_stage_latency_seconds_count{stage=\"detect\"} 50"), std::string::npos);
}

TEST(HttpExporter, ServesMetricsAndHealth) {
  bool healthy = true;
  HttpExporterCallbacks cb;
  cb.metrics_text = [] { return std::string("ballcam_fps 1\n"); };
  cb.healthy = [&healthy] { return healthy; };
  auto exporter = HttpExporter::start(0, cb);
  ASSERT_TRUE(exporter.ok()) << exporter.status().message();
  httplib::Client client("127.0.0.1", (*exporter)->port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ballcam_fps 1\n");
  res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  healthy = false;
  res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

TEST(HttpExporter, PortInUseIsAClearError) {
  auto first = HttpExporter::start(0, {});
  ASSERT_TRUE(first.ok());
  auto second = HttpExporter::start((*first)->port(), {});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find(std::to_string((*first)->port())), std::string::npos);
}

}  // namespace
}  // namespace ballcam::metrics
