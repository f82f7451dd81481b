#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <time.h>

#include "synth/synth.hpp"

namespace ballcam::synth {
namespace {

bool same_pixels(const Frame& a, const Frame& b) {
  for (int p = 0; p < 3; ++p) {
    const int w = p ? a.width_px / 2 : a.width_px, h = p ? a.height_px / 2 : a.height_px;
    for (int y = 0; y < h; ++y)
      if (std::memcmp(a.planes[p] + y * a.strides[p], b.planes[p] + y * b.strides[p], w) != 0) return false;
  }
  return true;
}

SynthOptions small(std::uint64_t seed, const std::string& scenario = "match") {
  SynthOptions o;
  o.width_px = 640;
  o.height_px = 360;
  o.seed = seed;
  o.scenario = scenario;
  o.duration_s = 4;
  return o;
}

TEST(Synth, ValidateRejectsBadOptions) {
  SynthOptions o;
  EXPECT_TRUE(validate(o).ok());
  o.scenario = "rugby";
  EXPECT_EQ(validate(o).code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(validate(o).message().find("match"), std::string::npos);
  o = {};
  o.width_px = 641;
  EXPECT_EQ(validate(o).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.fps = 0;
  EXPECT_FALSE(validate(o).ok());
}

TEST(Synth, SameSeedSameFramesDifferentSeedDiffers) {
  MatchRenderer a(small(7)), b(small(7)), c(small(8));
  bool any_diff = false;
  for (int i = 0; i < 30; ++i) {
    GroundTruthFrame ta, tb, tc;
    Frame fa = a.render_next(&ta), fb = b.render_next(&tb), fc = c.render_next(&tc);
    ASSERT_TRUE(same_pixels(fa, fb)) << "frame " << i;
    ASSERT_EQ(to_json_line(ta), to_json_line(tb));
    any_diff = any_diff || !same_pixels(fa, fc) || to_json_line(ta) != to_json_line(tc);
    EXPECT_EQ(fa.index, i);
    EXPECT_EQ(fa.pts_us, i * 40000);
  }
  EXPECT_TRUE(any_diff);
}

TEST(Synth, MatchClipHasPlayersBallSizesAndOcclusion) {
  SynthOptions o;  // 1080p, the size the radius contract is about
  o.duration_s = 20;
  o.seed = 3;
  MatchRenderer r(o);
  Frame f = Frame::allocate(PixelFormat::kYuv420p, o.width_px, o.height_px);
  int occluded = 0, hidden = 0, out_of_play = 0, lofted = 0, with_ball = 0;
  double min_r = 1e9, max_r = 0;
  for (int i = 0; i < r.frame_count(); ++i) {
    GroundTruthFrame t;
    r.render_next_into(f, &t);
    EXPECT_GE(t.players.size(), 11u);
    int refs = 0;
    for (const auto& p : t.players) refs += p.team == 2;
    EXPECT_EQ(refs, 1);
    if (!t.ball) continue;
    ++with_ball;
    min_r = std::min(min_r, t.ball->radius_px);
    max_r = std::max(max_r, t.ball->radius_px);
    occluded += t.ball->occluded_fraction > 0.05;
    hidden += !t.ball->visible;
    out_of_play += !t.ball->in_play;
    lofted += t.ball->height_px > 10;
  }
  EXPECT_GT(with_ball, r.frame_count() * 8 / 10);
  EXPECT_GE(min_r, 2.5);   // diameter >= 5 px at 1080p
  EXPECT_LE(max_r, 7.5);   // diameter <= 15 px
  EXPECT_GT(occluded, 0);
  std::printf("frames %d: with ball %d, partly occluded %d, hidden %d, out of play %d, lofted %d, r %.2f..%.2f\n",
              r.frame_count(), with_ball, occluded, hidden, out_of_play, lofted, min_r, max_r);
}

TEST(Synth, EveryScenarioRenders) {
  for (const auto& name : scenario_names()) {
    MatchRenderer r(small(2, name));
    GroundTruthFrame t;
    for (int i = 0; i < 10; ++i) r.render_next(&t);
    if (name == "empty") {
      EXPECT_FALSE(t.ball.has_value());
      EXPECT_TRUE(t.players.empty());
    } else {
      EXPECT_TRUE(t.ball.has_value()) << name;
      EXPECT_GE(t.players.size(), 11u) << name;
    }
  }
}

// Each preset produces the event it is named after.
TEST(Synth, PresetsProduceTheirEvents) {
  auto run = [](const std::string& scenario, auto&& per_frame) {
    SynthOptions o;
    o.scenario = scenario;
    o.duration_s = 20;
    o.seed = 4;
    MatchRenderer r(o);
    Frame f = Frame::allocate(PixelFormat::kYuv420p, o.width_px, o.height_px);
    GroundTruthFrame prev;
    for (int i = 0; i < r.frame_count(); ++i) {
      GroundTruthFrame t;
      r.render_next_into(f, &t);
      per_frame(prev, t, r.last_events());
      prev = t;
    }
  };
  int out = 0, restarts = 0, whistles = 0;
  run("out_of_play", [&](const GroundTruthFrame& prev, const GroundTruthFrame& t, const SimEvents& e) {
    out += t.ball && !t.ball->in_play;
    restarts += prev.ball && !prev.ball->in_play && t.ball && t.ball->in_play;
    whistles += e.whistle;
  });
  EXPECT_GT(out, 25);
  EXPECT_GE(restarts, 1);
  EXPECT_GE(whistles, 2);
  double max_height = 0;
  run("lofted", [&](const GroundTruthFrame&, const GroundTruthFrame& t, const SimEvents&) {
    if (t.ball) max_height = std::max(max_height, t.ball->height_px);
  });
  EXPECT_GT(max_height, 40);
  double max_speed = 0;
  run("shots", [&](const GroundTruthFrame& prev, const GroundTruthFrame& t, const SimEvents&) {
    if (prev.ball && t.ball)
      max_speed = std::max(max_speed, std::hypot(t.ball->center.x - prev.ball->center.x,
                                                 t.ball->center.y - prev.ball->center.y));
  });
  EXPECT_GT(max_speed, 15.0);  // fast enough to be drawn motion-blurred
  int hidden = 0;
  run("occlusion", [&](const GroundTruthFrame&, const GroundTruthFrame& t, const SimEvents&) {
    hidden += t.ball && t.ball->occluded_fraction > 0.05;
  });
  EXPECT_GT(hidden, 10);
  std::printf("out_of_play: %d frames out, %d restarts, %d whistles; lofted max height %.0f px; shots max %.1f px/frame; "
              "occlusion: %d frames partly hidden\n", out, restarts, whistles, max_height, max_speed, hidden);
}

// The scenario-suite presets (docs/SCENARIOS.md): each produces the failure it is named after.
std::vector<GroundTruthFrame> render_truth(const SynthOptions& o, std::vector<double>* mean_luma = nullptr) {
  MatchRenderer r(o);
  Frame f = Frame::allocate(PixelFormat::kYuv420p, o.width_px, o.height_px);
  std::vector<GroundTruthFrame> out;
  for (int i = 0; i < r.frame_count(); ++i) {
    GroundTruthFrame t;
    r.render_next_into(f, &t);
    out.push_back(t);
    if (mean_luma) {
      double sum = 0;
      for (int y = 0; y < f.height_px; y += 4)
        for (int x = 0; x < f.width_px; x += 4) sum += f.planes[0][y * f.strides[0] + x];
      mean_luma->push_back(sum / ((f.height_px / 4) * (f.width_px / 4)));
      double all = 0;  // plus a full-frame checksum in the fraction digits
      for (int y = 0; y < f.height_px; ++y)
        for (int x = 0; x < f.width_px; ++x) all += f.planes[0][y * f.strides[0] + x];
      mean_luma->back() += all * 1e-9;
    }
  }
  return out;
}

TEST(SynthSuite, ShotsExceed40PxPerFrameAt1080p25) {
  SynthOptions o;
  o.scenario = "shots";
  o.duration_s = 20;
  o.seed = 4;
  const auto gt = render_truth(o);
  int fast = 0;
  double max_speed = 0;
  for (size_t i = 1; i < gt.size(); ++i) {
    if (!gt[i].ball || !gt[i - 1].ball) continue;
    const double v = std::hypot(gt[i].ball->center.x - gt[i - 1].ball->center.x,
                                gt[i].ball->center.y - gt[i - 1].ball->center.y);
    max_speed = std::max(max_speed, v);
    fast += v > 40 && gt[i].ball->in_play;
  }
  std::printf("shots: %d frames > 40 px/frame, max %.1f px/frame\n", fast, max_speed);
  EXPECT_GE(fast, 5);
}

TEST(SynthSuite, HiddenHasOneToTwoSecondOcclusionEpisodes) {
  SynthOptions o;
  o.scenario = "hidden";
  o.duration_s = 20;
  o.seed = 4;
  const auto gt = render_truth(o);
  std::vector<int> runs;
  int run = 0;
  for (const auto& t : gt) {
    const bool hidden = t.ball && !t.ball->visible;
    if (hidden) ++run;
    if (!hidden && run > 0) { runs.push_back(run); run = 0; }
  }
  if (run > 0) runs.push_back(run);
  int episodes = 0, longest = 0;
  for (int n : runs) {
    episodes += n >= 20;  // >= 0.8 s at 25 fps
    longest = std::max(longest, n);
  }
  std::printf("hidden: %zu invisible runs, %d of >= 20 frames, longest %d frames:", runs.size(), episodes, longest);
  for (int n : runs) std::printf(" %d", n);
  std::printf("\n");
  EXPECT_GE(episodes, 2);
  EXPECT_LE(longest, 52);  // <= 2.1 s: the ball comes back
}

// The extra ball and the lighting change the picture only: the simulation and its ground
// truth are the same as "match" for the same seed.
TEST(SynthSuite, SecondBallAndLightingKeepTheMatchGroundTruth) {
  SynthOptions o = small(5);
  o.duration_s = 12;
  std::vector<double> luma_match, luma_light, luma_second;
  const auto match = render_truth(o, &luma_match);
  o.scenario = "second_ball";
  const auto second = render_truth(o, &luma_second);
  o.scenario = "lighting";
  const auto light = render_truth(o, &luma_light);
  ASSERT_EQ(match.size(), second.size());
  ASSERT_EQ(match.size(), light.size());
  bool any_pixel_diff = false;
  double max_luma_shift = 0;
  for (size_t i = 0; i < match.size(); ++i) {
    ASSERT_EQ(to_json_line(match[i]), to_json_line(second[i])) << i;
    ASSERT_EQ(to_json_line(match[i]), to_json_line(light[i])) << i;
    any_pixel_diff = any_pixel_diff || luma_second[i] != luma_match[i];
    max_luma_shift = std::max(max_luma_shift, std::abs(luma_light[i] - luma_match[i]));
  }
  EXPECT_TRUE(any_pixel_diff);
  EXPECT_GT(max_luma_shift, 8.0);  // brightness drift + cloud shadow, in mean luma
}

TEST(SynthSuite, PanoramaKeepsBallAndPlayerSize) {
  SynthOptions a;
  a.duration_s = 2;
  a.seed = 6;
  SynthOptions b = a;
  b.width_px = 3840;
  const auto wide = render_truth(b), normal = render_truth(a);
  ASSERT_EQ(wide.size(), normal.size());
  for (size_t i = 0; i < wide.size(); ++i) {
    ASSERT_TRUE(wide[i].ball && normal[i].ball);
    EXPECT_NEAR(wide[i].ball->radius_px, normal[i].ball->radius_px, 1e-9);
    EXPECT_GT(wide[i].ball->center.x, 0);
    EXPECT_LT(wide[i].ball->center.x, 3840);
    ASSERT_FALSE(wide[i].players.empty());
    EXPECT_NEAR(wide[i].players[0].box.h, normal[i].players[0].box.h, 1e-9);
  }
}

TEST(SynthSuite, HigherFrameRates) {
  for (int fps : {30, 60}) {
    SynthOptions o = small(3);
    o.fps = fps;
    o.duration_s = 2;
    MatchRenderer r(o);
    EXPECT_EQ(r.frame_count(), 2 * fps);
    GroundTruthFrame t;
    Frame f = r.render_next(&t);
    f = r.render_next(&t);
    EXPECT_EQ(t.pts_us, std::llround(1e6 / fps));
    EXPECT_TRUE(t.ball.has_value());
  }
}

TEST(Synth, CrowdAudioIsBoundedAndDeterministic) {
  CrowdAudio a(48000, 2, 5), b(48000, 2, 5);
  std::vector<float> x, y;
  a.generate(4800, true, x);
  b.generate(4800, true, y);
  ASSERT_EQ(x.size(), 9600u);
  EXPECT_EQ(x, y);
  double energy = 0;
  for (float s : x) {
    EXPECT_LE(std::abs(s), 1.0f);
    energy += s * s;
  }
  EXPECT_GT(energy / x.size(), 1e-4);
}

// BALLCAM_SYNTH_DUMP=/path.yuv writes the first 1080p frames as raw yuv420p
// (look at them with ffplay -f rawvideo -pixel_format yuv420p -video_size 1920x1080).
TEST(Synth, RenderSpeedAndOptionalDump) {
  SynthOptions o;
  o.duration_s = 2;
  if (const char* secs = std::getenv("BALLCAM_SYNTH_DUMP_SECONDS")) o.duration_s = std::atof(secs);
  if (const char* scenario = std::getenv("BALLCAM_SYNTH_DUMP_SCENARIO")) o.scenario = scenario;
  MatchRenderer r(o);
  Frame f = Frame::allocate(PixelFormat::kYuv420p, o.width_px, o.height_px);
  const char* dump = std::getenv("BALLCAM_SYNTH_DUMP");
  std::ofstream out;
  if (dump) out.open(dump, std::ios::binary);
  timespec c0{}, c1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < r.frame_count(); ++i) {
    GroundTruthFrame t;
    r.render_next_into(f, &t);
    if (std::getenv("BALLCAM_SYNTH_DUMP_TRUTH")) std::printf("%s\n", to_json_line(t).c_str());
    const char* only = std::getenv("BALLCAM_SYNTH_DUMP_FRAME");
    if (out && (!only || std::atoi(only) == i)) {
      for (int p = 0; p < 3; ++p) {
        const int w = p ? f.width_px / 2 : f.width_px, h = p ? f.height_px / 2 : f.height_px;
        for (int y = 0; y < h; ++y) out.write(reinterpret_cast<const char*>(f.planes[p] + y * f.strides[p]), w);
      }
    }
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
                    r.frame_count();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  const double cpu_ms = ((c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6) / r.frame_count();
  std::printf("render 1080p: %.2f ms/frame wall, %.2f ms/frame thread CPU\n", ms, cpu_ms);
}

}  // namespace
}  // namespace ballcam::synth
