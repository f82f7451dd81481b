#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "../track/sequence_gen.hpp"
#include "camera/virtual_camera.hpp"
#include "track/ball_tracker.hpp"

namespace ballcam {
namespace {

using testing::Rng;

constexpr double kFps = 25.0;

TrackState tracking_at(Point2 p, Point2 v = {}, TrackMode mode = TrackMode::kTracking) {
  TrackState s;
  s.mode = mode;
  s.has_estimate = true;
  s.position = p;
  s.velocity_px_per_frame = v;
  s.uncertainty_px = 1.0;
  return s;
}

TrackState lost_state(std::optional<Point2> play = std::nullopt) {
  TrackState s;
  s.mode = TrackMode::kLost;
  s.play_centre = play;
  return s;
}

void expect_inside(const CropRect& c, int w, int h, double aspect) {
  constexpr double kEps = 1e-6;
  EXPECT_GE(c.x, -kEps);
  EXPECT_GE(c.y, -kEps);
  EXPECT_LE(c.x + c.w, w + kEps);
  EXPECT_LE(c.y + c.h, h + kEps);
  EXPECT_GT(c.w, 0.0);
  EXPECT_NEAR(c.w / c.h, aspect, 1e-9);
}

TEST(VirtualCamera, DefaultsResolveForA1080pSource) {
  VirtualCamera cam({}, 1920, 1080, kFps);
  EXPECT_DOUBLE_EQ(cam.min_crop_width_px(), 960.0);
  EXPECT_DOUBLE_EQ(cam.max_crop_width_px(), 1920.0);
  const CropRect c = cam.current();
  EXPECT_DOUBLE_EQ(c.w, 1920.0);
  EXPECT_DOUBLE_EQ(c.h, 1080.0);
}

// A wide view (a fast ball widened it) while the ball runs into a corner
// region: the crop is clamped to the source, so only zooming in (about the
// edge) can hold the ball inside a 10 % margin once it is within a tenth of
// the wide crop of the picture's edge.
TEST(VirtualCamera, ZoomsInToHoldABallNearThePictureEdge) {
  CameraConfig cfg;
  VirtualCamera cam(cfg, 1920, 1080, kFps);
  // Settle wide in the middle (lost: widest crop).
  for (int i = 0; i < 10; ++i) cam.update(lost_state(Point2{960, 540}));
  // The ball rolls slowly towards the left edge, then stops 110 px from it
  // (a 960-px crop pressed to the edge holds it at 11 %).
  Point2 p{400, 540};
  int in_margin_late = 0, late = 0;
  for (int i = 0; i < 150; ++i) {
    if (p.x > 110) p.x -= 4;
    const CropRect c = cam.update(tracking_at(p, {p.x > 110 ? -4.0 : 0.0, 0.0}));
    expect_inside(c, 1920, 1080, cam.aspect());
    if (i >= 100) {
      ++late;
      in_margin_late += c.contains(p, 0.10);
    }
  }
  EXPECT_EQ(in_margin_late, late);
  EXPECT_LT(cam.current().w, 1100.0);
}

struct SourceCase {
  int w;
  int h;
};

class CameraBounds : public ::testing::TestWithParam<SourceCase> {};

TEST_P(CameraBounds, StaysInsideSourceAndKeepsAspectForAnyInput) {
  const auto [sw, sh] = GetParam();
  VirtualCamera cam({}, sw, sh, kFps);
  const double aspect = 1280.0 / 720.0;
  Rng rng(static_cast<std::uint64_t>(sw * 7919 + sh));
  const std::vector<Point2> corners = {{0, 0}, {double(sw), 0}, {0, double(sh)}, {double(sw), double(sh)},
                                       {-500, -500}, {sw + 800.0, sh + 800.0}};
  for (int i = 0; i < 3000; ++i) {
    TrackState s;
    const double r = rng.uniform();
    if (i % 200 < 60) {
      s = tracking_at(corners[static_cast<std::size_t>(i / 200) % corners.size()], {rng.normal(40), rng.normal(40)});
    } else if (r < 0.6) {
      s = tracking_at({rng.uniform(-200, sw + 200), rng.uniform(-200, sh + 200)},
                      {rng.normal(30), rng.normal(30)},
                      rng.uniform() < 0.5 ? TrackMode::kTracking : TrackMode::kCoasting);
      s.uncertainty_px = rng.uniform(0, 200);
    } else if (r < 0.8) {
      s = lost_state(Point2{rng.uniform(-100, sw + 100), rng.uniform(-100, sh + 100)});
    } else {
      s = lost_state();
      s.mode = rng.uniform() < 0.5 ? TrackMode::kLost : TrackMode::kSearching;
    }
    const CropRect c = cam.update(s);
    expect_inside(c, sw, sh, aspect);
    if (HasFailure()) FAIL() << "frame " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Sources, CameraBounds,
                         ::testing::Values(SourceCase{1920, 1080}, SourceCase{1280, 720}, SourceCase{3840, 1080},
                                           SourceCase{1440, 1080}, SourceCase{720, 1280}, SourceCase{640, 480}));

TEST(VirtualCamera, TallSourceUsesTheLargestFittingCrop) {
  VirtualCamera cam({}, 720, 1280, kFps);
  EXPECT_DOUBLE_EQ(cam.max_crop_width_px(), 720.0);
  const CropRect c = cam.update(lost_state());
  EXPECT_DOUBLE_EQ(c.w, 720.0);
  EXPECT_DOUBLE_EQ(c.h, 405.0);
}

TEST(VirtualCamera, StillBallCausesNoMotionAfterSettling) {
  VirtualCamera cam({}, 1920, 1080, kFps);
  Rng rng(5);
  // Start far away so the camera has to travel and settle.
  cam.update(tracking_at({300, 300}));
  std::vector<Point2> centres;
  for (int i = 0; i < 400; ++i) {
    // Detector jitter on a ball that does not move.
    const TrackState s = tracking_at({1500 + rng.normal(1.0), 700 + rng.normal(1.0)},
                                     {rng.normal(0.1), rng.normal(0.1)});
    const CropRect c = cam.update(s);
    centres.push_back({c.cx(), c.cy()});
  }
  double path = 0.0;
  for (std::size_t i = centres.size() - 50; i < centres.size(); ++i) {
    path += std::hypot(centres[i].x - centres[i - 1].x, centres[i].y - centres[i - 1].y);
  }
  EXPECT_LT(path, 0.5);
  const CropRect c = cam.current();
  EXPECT_TRUE(c.contains({1500, 700}, 0.1));
  EXPECT_NEAR(c.w, cam.min_crop_width_px(), 1.0) << "a settled ball gets the tight crop";
}

TEST(VirtualCamera, ApproachDoesNotOvershoot) {
  VirtualCamera cam({}, 1920, 1080, kFps);
  cam.update(tracking_at({500, 540}));
  const double start = cam.current().cx();
  double max_cx = start;
  for (int i = 0; i < 300; ++i) max_cx = std::max(max_cx, cam.update(tracking_at({1400, 540})).cx());
  const double final_cx = cam.current().cx();
  EXPECT_GT(final_cx, start + 100.0);
  EXPECT_LE(max_cx, final_cx + 0.5);
}

TEST(VirtualCamera, FollowsAMovingBall) {
  VirtualCamera cam({}, 1920, 1080, kFps);
  int inside = 0;
  const int frames = 1500;
  for (int i = 0; i < frames; ++i) {
    // Back and forth across the pitch, ~12 px/frame peak, with a vertical swing.
    const double t = i / kFps;
    const Point2 p{960 + 850 * std::sin(2 * std::numbers::pi * t / 9.0), 540 + 400 * std::sin(2 * std::numbers::pi * t / 5.0)};
    const Point2 v{850 * 2 * std::numbers::pi / 9.0 / kFps * std::cos(2 * std::numbers::pi * t / 9.0),
                   400 * 2 * std::numbers::pi / 5.0 / kFps * std::cos(2 * std::numbers::pi * t / 5.0)};
    const CropRect c = cam.update(tracking_at(p, v));
    if (c.contains(p)) ++inside;
  }
  EXPECT_GE(inside, 0.99 * frames) << inside << "/" << frames;
}

TEST(VirtualCamera, FollowsTrackerOutputOnGeneratedScene) {
  const auto scene = testing::make_scene(99, 720);
  BallTracker tracker({}, 1920, 1080, kFps);
  VirtualCamera cam({}, 1920, 1080, kFps);
  int inside = 0;
  int counted = 0;
  for (std::size_t i = 0; i < scene.frames.size(); ++i) {
    const CropRect c = cam.update(tracker.update(scene.frames[i]));
    if (i < 10) continue;  // before the first confirmation
    ++counted;
    if (c.contains(scene.truth[i])) ++inside;
  }
  EXPECT_GE(inside, 0.97 * counted) << inside << "/" << counted;
}

TEST(VirtualCamera, ZoomWidensWhenLostAndTightensWhenSettled) {
  VirtualCamera cam({}, 1920, 1080, kFps);
  for (int i = 0; i < 250; ++i) cam.update(tracking_at({960, 540}));
  const double settled = cam.current().w;
  EXPECT_NEAR(settled, cam.min_crop_width_px(), 1.0);
  double prev = settled;
  double max_step = 0.0;
  for (int i = 0; i < 150; ++i) {
    const double w = cam.update(lost_state(Point2{900, 500})).w;
    max_step = std::max(max_step, std::abs(w - prev));
    prev = w;
  }
  EXPECT_GT(cam.current().w, 1800.0);
  EXPECT_LT(max_step, 0.5 * 1920 / kFps + 1e-9) << "zoom speed is capped";
  // Back to tracking a still ball: tightens again, smoothly.
  for (int i = 0; i < 300; ++i) cam.update(tracking_at({900, 500}));
  EXPECT_NEAR(cam.current().w, cam.min_crop_width_px(), 1.0);
}

TEST(VirtualCamera, ZoomWidensForAFastBallAndWhenCoasting) {
  auto settle_width = [](Point2 v, TrackMode mode) {
    VirtualCamera cam({}, 3840, 2160, kFps);  // big enough that nothing hits the max
    Point2 p{200, 1000};
    for (int i = 0; i < 100; ++i) {
      p = {p.x + v.x, p.y + v.y};
      cam.update(tracking_at(p, v, mode));
    }
    return cam.current().w;
  };
  const double slow = settle_width({2, 0}, TrackMode::kTracking);
  const double fast = settle_width({25, 0}, TrackMode::kTracking);
  const double coast = settle_width({2, 0}, TrackMode::kCoasting);
  EXPECT_GT(fast, slow + 300.0);
  EXPECT_GT(coast, slow * 1.15);
}

TEST(VirtualCamera, LostWithoutPlayersHolds) {
  VirtualCamera cam({}, 1920, 1080, kFps);
  for (int i = 0; i < 200; ++i) cam.update(tracking_at({600, 400}));
  for (int i = 0; i < 200; ++i) cam.update(lost_state());
  const CropRect c = cam.current();
  expect_inside(c, 1920, 1080, 1280.0 / 720.0);
  // Widened, but still looking where the ball was.
  EXPECT_TRUE(c.contains({600, 400}));
}

TEST(VirtualCamera, LostFallsBackOnThePlay) {
  CameraConfig cfg;
  cfg.lost_width_frac = 0.6;
  VirtualCamera cam(cfg, 1920, 1080, kFps);
  for (int i = 0; i < 100; ++i) cam.update(tracking_at({300, 300}));
  for (int i = 0; i < 300; ++i) cam.update(lost_state(Point2{1400, 700}));
  const CropRect c = cam.current();
  EXPECT_NEAR(c.cx(), 1400.0, 0.05 * c.w);
  EXPECT_NEAR(c.cy(), 700.0, 0.05 * c.h);
}

TEST(VirtualCamera, ExplicitZoomRangeIsHonoured) {
  CameraConfig cfg;
  cfg.min_crop_width_px = 1200;
  cfg.max_crop_width_px = 1600;
  VirtualCamera cam(cfg, 1920, 1080, kFps);
  for (int i = 0; i < 200; ++i) cam.update(tracking_at({960, 540}));
  EXPECT_NEAR(cam.current().w, 1200.0, 1.0);
  for (int i = 0; i < 200; ++i) cam.update(lost_state());
  EXPECT_NEAR(cam.current().w, 1600.0, 1.0);
}

TEST(NaiveCrop, CentresAndClamps) {
  const double aspect = 16.0 / 9.0;
  const CropRect mid = naive_crop({960, 540}, 960, aspect, 1920, 1080);
  EXPECT_DOUBLE_EQ(mid.cx(), 960.0);
  EXPECT_DOUBLE_EQ(mid.cy(), 540.0);
  EXPECT_DOUBLE_EQ(mid.w, 960.0);
  EXPECT_DOUBLE_EQ(mid.h, 540.0);
  const CropRect corner = naive_crop({5, 1075}, 960, aspect, 1920, 1080);
  EXPECT_DOUBLE_EQ(corner.x, 0.0);
  EXPECT_DOUBLE_EQ(corner.y + corner.h, 1080.0);
  const CropRect too_big = naive_crop({100, 100}, 5000, aspect, 1920, 1080);
  EXPECT_DOUBLE_EQ(too_big.w, 1920.0);
  EXPECT_DOUBLE_EQ(too_big.x, 0.0);
}

}  // namespace
}  // namespace ballcam

namespace ballcam {
namespace {

TEST(CameraConfig, Validate) {
  EXPECT_TRUE(CameraConfig{}.validate().ok());
  CameraConfig c;
  c.min_crop_width_px = 1500;
  c.max_crop_width_px = 1000;
  const Status st = c.validate();
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("min_crop_width_px"), std::string::npos);
  c = {};
  c.output_height_px = 0;
  EXPECT_FALSE(c.validate().ok());
}

}  // namespace
}  // namespace ballcam
