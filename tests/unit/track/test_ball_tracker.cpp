#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "track/ball_tracker.hpp"
#include "sequence_gen.hpp"

namespace ballcam {
namespace {

using testing::candidate;
using testing::frame_with;
using testing::Rng;

constexpr int kW = 1920;
constexpr int kH = 1080;
constexpr double kFps = 25.0;

double dist(Point2 a, Point2 b) { return std::hypot(a.x - b.x, a.y - b.y); }

Point2 along(Point2 start, Point2 v, int i) { return {start.x + v.x * i, start.y + v.y * i}; }

TEST(BallTracker, StartsSearchingWithoutEstimate) {
  BallTracker t({}, kW, kH, kFps);
  const TrackState s = t.update(frame_with(0, {}));
  EXPECT_EQ(s.mode, TrackMode::kSearching);
  EXPECT_FALSE(s.has_estimate);
  EXPECT_FALSE(t.predict(1).has_value());
  EXPECT_EQ(t.search_radius_px(), 0.0);
}

TEST(BallTracker, ConfirmsAfterConfirmHits) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  for (int i = 0; i < cfg.confirm_hits; ++i) {
    const TrackState s = t.update(frame_with(i, {candidate(along({500, 500}, {3, 0}, i), 0.8)}));
    if (i + 1 < cfg.confirm_hits) {
      EXPECT_EQ(s.mode, TrackMode::kSearching) << i;
    } else {
      EXPECT_EQ(s.mode, TrackMode::kTracking);
      EXPECT_TRUE(s.has_estimate);
      ASSERT_TRUE(s.measurement.has_value());
      EXPECT_DOUBLE_EQ(s.measurement->score, 0.8);
    }
  }
}

TEST(BallTracker, ConstantVelocityWithNoiseHasSmallError) {
  BallTracker t({}, kW, kH, kFps);
  Rng rng(1);
  const Point2 start{200, 700};
  const Point2 v{7.0, -1.5};
  std::vector<double> errors;
  std::vector<double> velocity_errors;
  for (int i = 0; i < 200; ++i) {
    const Point2 truth = along(start, v, i);
    const Point2 meas{truth.x + rng.normal(1.5), truth.y + rng.normal(1.5)};
    const TrackState s = t.update(frame_with(i, {candidate(meas, 0.7)}));
    if (i >= 15) {
      ASSERT_EQ(s.mode, TrackMode::kTracking) << i;
      errors.push_back(dist(s.position, truth));
      EXPECT_NEAR(s.velocity_px_per_frame.x, v.x, 2.0) << i;
      EXPECT_NEAR(s.velocity_px_per_frame.y, v.y, 2.0) << i;
      velocity_errors.push_back(std::hypot(s.velocity_px_per_frame.x - v.x, s.velocity_px_per_frame.y - v.y));
    }
  }
  std::sort(errors.begin(), errors.end());
  EXPECT_LT(errors[errors.size() / 2], 1.5);  // better than the raw 1.5-px-per-axis noise
  EXPECT_LT(errors.back(), 5.0);
  std::sort(velocity_errors.begin(), velocity_errors.end());
  EXPECT_LT(velocity_errors[velocity_errors.size() / 2], 0.8);
}

TEST(BallTracker, DropoutCoastsThenReacquires) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  const Point2 start{300, 500};
  const Point2 v{6.0, 2.0};
  for (int i = 0; i < 40; ++i) t.update(frame_with(i, {candidate(along(start, v, i), 0.8)}));
  double radius_before = t.search_radius_px();
  for (int i = 40; i < 48; ++i) {
    const TrackState s = t.update(frame_with(i, {}));
    EXPECT_EQ(s.mode, TrackMode::kCoasting) << i;
    EXPECT_TRUE(s.has_estimate);
    EXPECT_LT(dist(s.position, along(start, v, i)), 15.0) << i;
    EXPECT_GT(t.search_radius_px(), radius_before) << "the gate widens while coasting";
    radius_before = t.search_radius_px();
  }
  const TrackState back = t.update(frame_with(48, {candidate(along(start, v, 48), 0.8)}));
  EXPECT_EQ(back.mode, TrackMode::kTracking);
  EXPECT_LT(dist(back.position, along(start, v, 48)), 3.0);
}

TEST(BallTracker, LostAfterMaxCoastReportsPlayCentreThenSearching) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  for (int i = 0; i < 20; ++i) t.update(frame_with(i, {candidate({800.0 + 2 * i, 400}, 0.9)}));
  const std::vector<PlayerDetection> players = {{{100, 100, 40, 80}, 0.9}, {{300, 300, 40, 80}, 0.9},
                                                {{1800, 900, 40, 80}, 0.1}};  // the last is too weak
  int frame = 20;
  for (int k = 1; k <= cfg.max_coast_frames; ++k, ++frame) {
    EXPECT_EQ(t.update(frame_with(frame, {}, players)).mode, TrackMode::kCoasting) << k;
  }
  const TrackState lost = t.update(frame_with(frame++, {}, players));
  EXPECT_EQ(lost.mode, TrackMode::kLost);
  EXPECT_FALSE(lost.has_estimate);
  ASSERT_TRUE(lost.play_centre.has_value());
  EXPECT_DOUBLE_EQ(lost.play_centre->x, 220.0);
  EXPECT_DOUBLE_EQ(lost.play_centre->y, 240.0);
  EXPECT_FALSE(t.predict(3).has_value());
  for (int k = 1; k < cfg.lost_forget_frames; ++k, ++frame) {
    ASSERT_EQ(t.update(frame_with(frame, {})).mode, TrackMode::kLost) << k;
  }
  EXPECT_EQ(t.update(frame_with(frame, {})).mode, TrackMode::kSearching);
}

TEST(BallTracker, StaticDistractorBesideMovingBallIsIgnored) {
  BallTracker t({}, kW, kH, kFps);
  Rng rng(7);
  const Point2 start{400, 600};
  const Point2 v{8.0, 0.0};
  const Point2 spot{800, 622};  // 22 px off the ball's path, a stronger detection
  for (int i = 0; i < 120; ++i) {
    const Point2 truth = along(start, v, i);
    std::vector<BallCandidate> balls;
    if (i >= 10) balls.push_back(candidate({spot.x + rng.normal(0.5), spot.y + rng.normal(0.5)}, 0.95));
    balls.push_back(candidate({truth.x + rng.normal(1.0), truth.y + rng.normal(1.0)}, 0.6));
    const TrackState s = t.update(frame_with(i, balls));
    if (i >= 5) {
      ASSERT_TRUE(s.has_estimate) << i;
      EXPECT_LT(dist(s.position, truth), 5.0) << "frame " << i;
    }
  }
}

TEST(BallTracker, PrefersTheMovingCandidateWhenBothAppearTogether) {
  BallTracker t({}, kW, kH, kFps);
  const Point2 start{400, 600};
  const Point2 v{8.0, 3.0};
  const Point2 spot{420, 560};
  TrackState s;
  for (int i = 0; i < 30; ++i) {
    s = t.update(frame_with(i, {candidate(spot, 0.7), candidate(along(start, v, i), 0.7)}));
  }
  EXPECT_EQ(s.mode, TrackMode::kTracking);
  EXPECT_LT(dist(s.position, along(start, v, 29)), 3.0);
}

TEST(BallTracker, FarFalsePositivesAreGatedOut) {
  BallTracker t({}, kW, kH, kFps);
  Rng rng(3);
  const Point2 start{900, 300};
  const Point2 v{-5.0, 4.0};
  for (int i = 0; i < 150; ++i) {
    const Point2 truth = along(start, v, i);
    std::vector<BallCandidate> balls;
    // Two strong false positives per frame, each at least 300 px away, listed first.
    for (int k = 0; k < 2; ++k) {
      Point2 fp;
      do {
        fp = {rng.uniform(0, kW), rng.uniform(0, kH)};
      } while (dist(fp, truth) < 300.0);
      balls.push_back(candidate(fp, 0.95));
    }
    balls.push_back(candidate({truth.x + rng.normal(1.0), truth.y + rng.normal(1.0)}, 0.5));
    const TrackState s = t.update(frame_with(i, balls));
    if (i >= 5) {
      ASSERT_EQ(s.mode, TrackMode::kTracking) << i;
      EXPECT_LT(dist(s.position, truth), 5.0) << i;
    }
  }
}

TEST(BallTracker, SwitchesWhenTrackedObjectVanishesAndAnotherIsConfirmed) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  // Object A is tracked first; B appears far away at frame 20 and stays; A vanishes at 40.
  const Point2 a{500, 500};
  const Point2 b{1400, 300};
  TrackState s;
  for (int i = 0; i < 40; ++i) {
    std::vector<BallCandidate> balls = {candidate(a, 0.8)};
    if (i >= 20) balls.push_back(candidate({b.x + i, b.y}, 0.8));
    s = t.update(frame_with(i, balls));
    if (s.has_estimate) {
      ASSERT_LT(dist(s.position, a), 1.0) << "B must not steal a supported track, frame " << i;
    }
  }
  int switched_at = -1;
  for (int i = 40; i < 60 && switched_at < 0; ++i) {
    s = t.update(frame_with(i, {candidate({b.x + i, b.y}, 0.8)}));
    if (dist(s.position, {b.x + i, b.y}) < 3.0) switched_at = i;
  }
  // B was detected beside A for 20 frames: another object, not where A went.
  // It takes over only once A is lost (max_coast_frames misses), not after
  // switch_after_misses.
  EXPECT_EQ(switched_at, 40 + cfg.max_coast_frames);
  EXPECT_EQ(s.mode, TrackMode::kTracking);
}

// An object that appears only after the tracked one vanished (the ball seen
// again where it went) takes over after switch_after_misses, once confirmed:
// confirm_hits frames when it is confidently detected (>= 0.75), else
// switch_confirm_frames.
TEST(BallTracker, SwitchesQuicklyToAnObjectFirstSeenAfterThePrimaryVanished) {
  for (const double score : {0.8, 0.6}) {
    TrackerConfig cfg;
    BallTracker t(cfg, kW, kH, kFps);
    for (int i = 0; i < 40; ++i) t.update(frame_with(i, {candidate({500.0 + 3 * i, 500}, 0.8)}));
    int switched_at = -1;
    for (int i = 40; i < 60 && switched_at < 0; ++i) {
      const Point2 b{900.0 + 4 * i, 300};
      const TrackState s = t.update(frame_with(i, {candidate(b, score)}));
      if (dist(s.position, b) < 3.0) switched_at = i;
    }
    const int confirm = score >= 0.75 ? cfg.confirm_hits : cfg.switch_confirm_frames;
    EXPECT_EQ(switched_at, 40 + std::max(cfg.switch_after_misses, confirm) - 1) << score;
  }
}

// second_ball / distractors scenarios: a spare ball rolls beside the touchline
// far from every player while the match ball is played among them.
std::vector<PlayerDetection> players_around(Point2 c) {
  std::vector<PlayerDetection> out;
  for (int k = 0; k < 4; ++k) {
    const double x = c.x - 60 + 40 * k;
    out.push_back({Box{x - 5, c.y - 20, 10, 30}, 0.9});  // feet at (x, c.y + 10)
  }
  return out;
}

TEST(BallTracker, SpareBallAwayFromPlayDoesNotStealDuringAKick) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  int i = 0;
  Point2 ball{900, 600};
  auto spare = [](int f) { return Point2{1600.0 + 0.5 * f, 1030.0}; };
  for (; i < 60; ++i) {
    ball.x += 1.0;
    t.update(frame_with(i, {candidate(spare(i), 1.0), candidate(ball, 0.9)}, players_around(ball)));
  }
  // The kick: the match ball is missed for 6 frames and reappears 60 px away
  // on a new course; the spare ball stays detected all along.
  const Point2 kick_dir{-9.0, -7.0};
  for (int k = 0; k < 30; ++k, ++i) {
    const Point2 b{ball.x + kick_dir.x * (k + 1), ball.y + kick_dir.y * (k + 1)};
    std::vector<BallCandidate> balls = {candidate(spare(i), 1.0)};
    if (k >= 6) balls.push_back(candidate(b, 0.9));
    const TrackState s = t.update(frame_with(i, balls, players_around(b)));
    if (s.has_estimate) {
      EXPECT_GT(dist(s.position, spare(i)), 200.0) << "the spare ball took over at kick frame " << k;
    }
    if (k >= 6 + cfg.max_coast_frames + cfg.confirm_hits) {
      EXPECT_LT(dist(s.position, b), 5.0) << "the match ball was not taken back, kick frame " << k;
    }
  }
}

// Suite clip `panorama`: the ball goes out among the players and is placed
// for a corner far from them, detected confidently, never seen beside the
// ball followed. It is taken after the usual confirmation, not once the
// coasting primary is dropped half a second later; a spare ball seen beside
// the followed one all along still is not (SpareBallAwayFromPlay...).
TEST(BallTracker, BallPlacedAwayFromThePlayersIsTakenWhileThePrimaryCoasts) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  int i = 0;
  Point2 ball{400, 1000};
  const Point2 crowd{400, 1000};  // the players stay where the ball went out
  for (; i < 40; ++i) {
    ball.x -= 1.0;
    t.update(frame_with(i, {candidate(ball, 0.95)}, players_around(crowd)));
  }
  const Point2 corner{1500, 1000};  // > 1000 px from every player
  int taken_after = -1;
  for (int k = 0; k < cfg.max_coast_frames; ++k, ++i) {
    const TrackState s = t.update(frame_with(i, {candidate(corner, 0.95)}, players_around(crowd)));
    if (s.mode == TrackMode::kTracking && dist(s.position, corner) < 3.0) {
      taken_after = k;
      break;
    }
  }
  ASSERT_GE(taken_after, 0) << "not taken while the primary coasted";
  EXPECT_LE(taken_after, cfg.switch_after_misses + cfg.confirm_hits);
}

TEST(BallTracker, PrimaryFarFromPlayYieldsToAConfidentMovingBallAmongPlayers) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  // Only the spare ball is seen at first (the match ball is not yet detected):
  // it becomes the primary (slow, so after static_confirm_hits).
  auto spare = [](int f) { return Point2{1600.0 + 0.5 * f, 1030.0}; };
  const Point2 play{700, 500};
  int i = 0;
  for (; i < 30; ++i) t.update(frame_with(i, {candidate(spare(i), 1.0)}, players_around(play)));
  ASSERT_LT(dist(t.predict(0).value_or(Point2{}), spare(i - 1)), 3.0);
  // Then the match ball is detected among the players and the spare stays far away.
  int switched_at = -1;
  for (; i < 200 && switched_at < 0; ++i) {
    const Point2 b{play.x + 3.0 * i, play.y};
    const TrackState s =
        t.update(frame_with(i, {candidate(spare(i), 1.0), candidate(b, 0.9)}, players_around({b.x, b.y - 10})));
    if (s.has_estimate && dist(s.position, b) < 3.0) switched_at = i;
  }
  ASSERT_GT(switched_at, 0) << "stayed on the spare ball";
  EXPECT_LE(switched_at, cfg.far_from_play_frames + 1);
  // ...and a tracker without players never switches (no play context).
  BallTracker blind(cfg, kW, kH, kFps);
  for (int f = 0; f < 200; ++f) {
    std::vector<BallCandidate> balls = {candidate(spare(f), 1.0)};
    if (f >= 30) balls.push_back(candidate({play.x + 3.0 * f, play.y}, 0.9));
    const TrackState s = blind.update(frame_with(f, balls));
    if (f >= 30) {
      EXPECT_LT(dist(s.position, spare(f)), 3.0) << f;
    }
  }
}

TEST(BallTracker, ReacquiresAfterLostWithConfirmation) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  for (int i = 0; i < 10; ++i) t.update(frame_with(i, {candidate({500.0 + 5 * i, 500}, 0.8)}));
  int frame = 10;
  for (int k = 0; k <= cfg.max_coast_frames; ++k) t.update(frame_with(frame++, {}));
  ASSERT_EQ(t.mode(), TrackMode::kLost);
  TrackState s;
  for (int k = 0; k < cfg.confirm_hits; ++k) {
    s = t.update(frame_with(frame++, {candidate({1500.0 - 6.0 * k, 200}, 0.8)}));
  }
  EXPECT_EQ(s.mode, TrackMode::kTracking);
  EXPECT_LT(dist(s.position, {1500.0 - 6.0 * (cfg.confirm_hits - 1), 200}), 1.0);
}

// A weakly detected still blob (a painted spot, a head) needs the long static
// confirmation, also before anything was tracked.
TEST(BallTracker, StaticCandidateNeedsLongerConfirmation) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  for (int i = 0; i < cfg.static_confirm_hits; ++i) {
    const TrackState s = t.update(frame_with(i, {candidate({960, 540}, 0.5)}));
    if (i + 1 < cfg.static_confirm_hits) {
      ASSERT_EQ(s.mode, TrackMode::kSearching) << i;
    } else {
      EXPECT_EQ(s.mode, TrackMode::kTracking);
    }
  }
}

// Scenario `shots`: the clip opens with a shot nobody detects, and the ball
// comes back placed for a goal kick, well detected after one faint first hit.
// Nothing was ever tracked, yet the ball is taken after the usual confirmation,
// not after the static one (1.3 s there before).
TEST(BallTracker, BallPlacedBeforeAnythingWasTrackedIsTakenQuickly) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  const Point2 placed{1642, 544};
  int taken_after = -1;
  for (int i = 0; i < cfg.static_confirm_hits; ++i) {
    const TrackState s = t.update(frame_with(i, {candidate(placed, i == 0 ? 0.36 : 0.76)}));
    if (s.mode == TrackMode::kTracking) {
      taken_after = i;
      break;
    }
  }
  ASSERT_GE(taken_after, 0);
  EXPECT_LE(taken_after, cfg.confirm_hits + 3);  // 0.5 s at 25 fps is 12 frames
}

TEST(BallTracker, EstimateStaysInsideFrameAndSpeedIsClamped) {
  TrackerConfig cfg;
  BallTracker t(cfg, kW, kH, kFps);
  // Ball leaves through the right edge and never comes back.
  for (int i = 0; i < 30; ++i) {
    const double x = 1800.0 + 10.0 * i;
    std::vector<BallCandidate> balls;
    if (x < kW) balls.push_back(candidate({x, 540}, 0.9));
    const TrackState s = t.update(frame_with(i, balls));
    if (s.has_estimate) {
      EXPECT_GE(s.position.x, 0.0);
      EXPECT_LE(s.position.x, kW);
    }
    const auto p = t.predict(50);
    if (p) {
      EXPECT_LE(p->x, kW);
    }
  }
  // A detector glitch sequence with huge jumps never produces a speed above the clamp.
  t.reset();
  Rng rng(11);
  for (int i = 0; i < 300; ++i) {
    const TrackState s = t.update(frame_with(i, {candidate({rng.uniform(0, kW), rng.uniform(0, kH)}, 0.9)}));
    if (s.has_estimate) {
      EXPECT_LE(std::hypot(s.velocity_px_per_frame.x, s.velocity_px_per_frame.y),
                cfg.max_speed_px_per_frame + 1e-9);
      EXPECT_GE(s.position.y, 0.0);
      EXPECT_LE(s.position.y, kH);
    }
  }
}

TEST(BallTracker, PredictExtrapolatesLinearly) {
  BallTracker t({}, kW, kH, kFps);
  for (int i = 0; i < 30; ++i) t.update(frame_with(i, {candidate({300.0 + 5 * i, 400.0 + 2 * i}, 0.9)}));
  const auto p0 = t.predict(0);
  const auto p4 = t.predict(4);
  ASSERT_TRUE(p0 && p4);
  EXPECT_NEAR(p4->x - p0->x, 20.0, 0.2);
  EXPECT_NEAR(p4->y - p0->y, 8.0, 0.2);
  EXPECT_GT(t.search_radius_px(), 0.0);
}

TEST(BallTracker, ResetForgetsTheTrack) {
  BallTracker t({}, kW, kH, kFps);
  for (int i = 0; i < 10; ++i) t.update(frame_with(i, {candidate({500.0 + 5 * i, 500}, 0.8)}));
  ASSERT_EQ(t.mode(), TrackMode::kTracking);
  t.reset();
  EXPECT_EQ(t.mode(), TrackMode::kSearching);
  EXPECT_FALSE(t.predict(0).has_value());
  EXPECT_EQ(t.update(frame_with(10, {})).mode, TrackMode::kSearching);
}

TEST(TrackerConfig, ScaledForHalfResolutionAndDoubleRate) {
  const TrackerConfig base;
  const TrackerConfig c = base.scaled_for(960, 50.0);
  EXPECT_DOUBLE_EQ(c.min_gate_px, base.min_gate_px * 0.5);
  EXPECT_DOUBLE_EQ(c.max_speed_px_per_frame, base.max_speed_px_per_frame * 0.25);
  EXPECT_EQ(c.max_coast_frames, base.max_coast_frames * 2);
}

}  // namespace
}  // namespace ballcam

namespace ballcam {
namespace {

TEST(TrackerConfig, Validate) {
  EXPECT_TRUE(TrackerConfig{}.validate().ok());
  EXPECT_TRUE(TrackerConfig{}.scaled_for(1280, 30.0).validate().ok());
  TrackerConfig c;
  c.max_gate_px = 1.0;
  const Status st = c.validate();
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("max_gate_px"), std::string::npos);
  c = {};
  c.coast_velocity_decay = 1.5;
  EXPECT_FALSE(c.validate().ok());
}

}  // namespace
}  // namespace ballcam

namespace ballcam {
namespace {

// Match seeds 6 and 8: the ball is placed for a restart ~100 px from where it
// went out of reach and sits still, confidently detected. The static-object
// rule (static_confirm_hits) must not keep the tracker coasting for a second.
TEST(BallTracker, SwitchesQuicklyToAConfidentStillBallWhenThePrimaryVanished) {
  TrackerConfig cfg;
  BallTracker t(cfg, 1920, 1080, 25.0);
  int i = 0;
  for (; i < 20; ++i) t.update(testing::frame_with(i, {testing::candidate({500.0 + 2.0 * i, 500.0}, 0.9)}));
  const Point2 placed{640.0, 590.0};
  int switched_after = -1;
  for (int k = 0; k < 20; ++k, ++i) {
    const TrackState s = t.update(testing::frame_with(i, {testing::candidate(placed, 0.95)}));
    if (s.mode == TrackMode::kTracking && std::hypot(s.position.x - placed.x, s.position.y - placed.y) < 3.0) {
      switched_after = k;
      break;
    }
  }
  ASSERT_GE(switched_after, 0);
  EXPECT_LE(switched_after, cfg.switch_after_misses + cfg.switch_confirm_frames + 1);
}

// ...but a weakly detected still blob (a painted spot) still needs the full
// static confirmation while the ball is merely hidden.
TEST(BallTracker, WeakStillBlobDoesNotTakeOverQuickly) {
  TrackerConfig cfg;
  BallTracker t(cfg, 1920, 1080, 25.0);
  int i = 0;
  for (; i < 20; ++i) t.update(testing::frame_with(i, {testing::candidate({500.0 + 2.0 * i, 500.0}, 0.9)}));
  const Point2 spot{640.0, 590.0};
  for (int k = 0; k < cfg.max_coast_frames; ++k, ++i) {
    const TrackState s = t.update(testing::frame_with(i, {testing::candidate(spot, 0.45)}));
    EXPECT_GT(std::hypot(s.position.x - spot.x, s.position.y - spot.y), 20.0) << k;
  }
}

// The ball is placed for a restart elsewhere while the primary lives on on
// weak detections near where it was (a sock, a boot): the confident ball takes
// over once confirmed, without waiting for the primary to be lost. With the
// rule off, the weak primary keeps the track.
TEST(BallTracker, WeakPrimaryYieldsToAConfidentBallElsewhere) {
  for (const double weak : {0.5, 0.0}) {
    TrackerConfig cfg;
    cfg.weak_primary_score = weak;
    BallTracker t(cfg, 1920, 1080, 25.0);
    int i = 0;
    for (; i < 20; ++i) t.update(testing::frame_with(i, {testing::candidate({500.0 + 2.0 * i, 500.0}, 0.9)}));
    const Point2 sock{540.0, 505.0};
    const Point2 placed{900.0, 300.0};
    int switched_after = -1;
    for (int k = 0; k < 40; ++k, ++i) {
      const TrackState s =
          t.update(testing::frame_with(i, {testing::candidate(placed, 1.0), testing::candidate(sock, 0.35)}));
      if (switched_after < 0 && std::hypot(s.position.x - placed.x, s.position.y - placed.y) < 3.0) switched_after = k;
    }
    if (weak > 0) {
      ASSERT_GE(switched_after, 0);
      EXPECT_LE(switched_after, cfg.switch_confirm_frames + 2);
    } else {
      EXPECT_EQ(switched_after, -1);
    }
  }
}

// Seed 18 of the match table: the ball is hidden for 5 frames while a still
// blob (a head, 0.54) appears elsewhere; the ball is then re-detected weakly
// (0.32). The primary's few misses must not make it "weak", and a still blob
// below 0.75 is no challenger.
TEST(BallTracker, ReturningBallIsNotLeftForAWeakStillBlob) {
  TrackerConfig cfg;
  BallTracker t(cfg, 1920, 1080, 25.0);
  int i = 0;
  Point2 ball{400, 480};
  for (; i < 30; ++i, ball.x -= 5) t.update(testing::frame_with(i, {testing::candidate(ball, 0.95)}));
  const Point2 blob{841, 614};
  for (int k = 0; k < 5; ++k, ++i, ball.x -= 5) t.update(testing::frame_with(i, {testing::candidate(blob, 0.54)}));
  for (int k = 0; k < 10; ++k, ++i, ball.x -= 5) {
    const TrackState s =
        t.update(testing::frame_with(i, {testing::candidate(blob, 0.54), testing::candidate(ball, 0.32)}));
    EXPECT_LT(std::hypot(s.position.x - ball.x, s.position.y - ball.y), 20.0) << k;
  }
}

}  // namespace
}  // namespace ballcam
