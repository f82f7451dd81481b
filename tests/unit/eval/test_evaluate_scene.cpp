// End-to-end on numbers: generated scene -> tracker -> camera -> eval, and
// the same detections through the naive baseline camera.
#include <gtest/gtest.h>

#include <iostream>

#include "../track/sequence_gen.hpp"
#include "camera/virtual_camera.hpp"
#include "eval/evaluate.hpp"
#include "track/ball_tracker.hpp"

namespace ballcam {
namespace {

TEST(EvaluateScene, SmoothCameraBeatsNaiveBaseline) {
  const auto scene = testing::make_scene(314, 1440);
  BallTracker tracker({}, 1920, 1080, 25.0);
  VirtualCamera camera({}, 1920, 1080, 25.0);
  std::vector<GroundTruthFrame> gt;
  std::vector<TrackRecord> records;
  for (std::size_t i = 0; i < scene.frames.size(); ++i) {
    const Detections& d = scene.frames[i];
    GroundTruthFrame g;
    g.frame_index = d.frame_index;
    g.pts_us = d.pts_us;
    g.ball = GroundTruthBall{scene.truth[i], 6.0, !scene.ball_hidden[i], 0.0, true, 0.0};
    gt.push_back(g);
    TrackRecord r;
    r.frame_index = d.frame_index;
    r.pts_us = d.pts_us;
    r.detections = d.balls;
    r.players = d.players;
    r.track = tracker.update(d);
    r.crop = camera.update(r.track);
    records.push_back(std::move(r));
  }
  const auto run = evaluate(gt, records, {});
  const auto naive = evaluate_naive_baseline(gt, records, {}, 1920, 1080);
  ASSERT_TRUE(run.ok() && naive.ok());
  std::cout << to_text(*run, *naive);
  EXPECT_GT(run->ball_in_view_no_margin, 0.99);
  EXPECT_GT(run->ball_in_view, 0.95);
  EXPECT_GT(run->ball_in_view, naive->ball_in_view);
  EXPECT_GT(run->reacquire_events, 0);
  EXPECT_EQ(run->reacquire_failures, 0);
  EXPECT_LT(run->reacquire_mean_frames, 8.0);
  EXPECT_LT(run->track_error_median_px, 2.0);
  EXPECT_LT(run->camera_accel_rms_px_per_frame2, 0.2 * naive->camera_accel_rms_px_per_frame2);
  EXPECT_LT(run->camera_jerk_rms_px_per_frame3, 0.2 * naive->camera_jerk_rms_px_per_frame3);
}

}  // namespace
}  // namespace ballcam
