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
