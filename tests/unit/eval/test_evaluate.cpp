#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eval/evaluate.hpp"

namespace ballcam {
namespace {

GroundTruthFrame gt_frame(std::int64_t i, std::optional<Point2> ball, bool visible = true) {
  GroundTruthFrame f;
  f.frame_index = i;
  f.pts_us = i * 40000;
  if (ball) {
    GroundTruthBall b;
    b.center = *ball;
    b.radius_px = 5;
    b.visible = visible;
    f.ball = b;
  }
  return f;
}

TrackRecord record(std::int64_t i, std::vector<Point2> dets, std::optional<Point2> estimate, CropRect crop) {
  TrackRecord r;
  r.frame_index = i;
  r.pts_us = i * 40000;
  for (const auto& d : dets) r.detections.push_back({d, 5.0, 0.9});
  r.track.frame_index = i;
  if (estimate) {
    r.track.mode = TrackMode::kTracking;
    r.track.has_estimate = true;
    r.track.position = *estimate;
  } else {
    r.track.mode = TrackMode::kLost;
  }
  r.crop = crop;
  return r;
}

CropRect around(Point2 p, double w = 200, double h = 100) { return {p.x - w / 2, p.y - h / 2, w, h}; }

TEST(Evaluate, DetectionTrackAndViewMetrics) {
  std::vector<GroundTruthFrame> gt;
  std::vector<TrackRecord> tr;
  for (int i = 0; i < 10; ++i) {
    const Point2 ball{100.0 + 10 * i, 100.0};
    gt.push_back(gt_frame(i, ball));
    std::vector<Point2> dets;
    if (i < 8) dets = {ball, {900, 900}};           // best detection right
    if (i == 8) dets = {{ball.x + 50, ball.y}, ball};  // best detection wrong (second is ignored)
    const CropRect crop = i == 9 ? around({800, 800}) : around(ball);
    tr.push_back(record(i, dets, Point2{ball.x + i, ball.y}, crop));
  }
  const auto rep = evaluate(gt, tr, {});
  ASSERT_TRUE(rep.ok()) << rep.status().to_string();
  EXPECT_EQ(rep->frames, 10);
  EXPECT_EQ(rep->visible_frames, 10);
  EXPECT_EQ(rep->detection_frames, 9);
  EXPECT_DOUBLE_EQ(rep->detection_recall, 0.8);
  EXPECT_DOUBLE_EQ(rep->detection_precision, 8.0 / 9.0);
  EXPECT_EQ(rep->error_frames, 10);
  EXPECT_DOUBLE_EQ(rep->track_error_median_px, 4.5);
  EXPECT_NEAR(rep->track_error_p95_px, 8.55, 1e-12);
  EXPECT_EQ(rep->frames_without_estimate, 0);
  // Ball at offset i px from the crop centre: with a 10 % margin (180x80
  // inner box) all frames but the last are in view.
  EXPECT_DOUBLE_EQ(rep->ball_in_view, 0.9);
  EXPECT_DOUBLE_EQ(rep->ball_in_view_no_margin, 0.9);
}

TEST(Evaluate, MarginMatters) {
  // Ball 95 px right of the centre of a 200-px crop: inside, but not inside the 10 % margin.
  const std::vector<GroundTruthFrame> gt = {gt_frame(0, Point2{195, 100})};
  const std::vector<TrackRecord> tr = {record(0, {}, std::nullopt, around({100, 100}))};
  const auto rep = evaluate(gt, tr, {});
  ASSERT_TRUE(rep.ok());
  EXPECT_DOUBLE_EQ(rep->ball_in_view, 0.0);
  EXPECT_DOUBLE_EQ(rep->ball_in_view_no_margin, 1.0);
  EXPECT_EQ(rep->frames_without_estimate, 1);
  EXPECT_EQ(rep->visible_frames_without_estimate, 1);
  EXPECT_TRUE(std::isnan(rep->track_error_median_px));
  EXPECT_TRUE(std::isnan(rep->detection_precision));
}

TEST(Evaluate, PrecisionIgnoresHiddenBallHitsButCountsOtherMisses) {
  const std::vector<GroundTruthFrame> gt = {
      gt_frame(0, Point2{100, 100}, /*visible=*/false),  // hidden; detection on it: ignored
      gt_frame(1, Point2{100, 100}, /*visible=*/false),  // hidden; detection elsewhere: false
      gt_frame(2, std::nullopt),                         // no ball at all: false
      gt_frame(3, Point2{100, 100}),                     // visible, correct (within 5 px)
  };
  const std::vector<TrackRecord> tr = {
      record(0, {{102, 101}}, std::nullopt, {}),
      record(1, {{300, 300}}, std::nullopt, {}),
      record(2, {{300, 300}}, std::nullopt, {}),
      record(3, {{103, 104}}, std::nullopt, {}),
  };
  const auto rep = evaluate(gt, tr, {});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->visible_frames, 1);
  EXPECT_EQ(rep->detection_counted, 3);
  EXPECT_EQ(rep->detection_correct, 1);
  EXPECT_DOUBLE_EQ(rep->detection_precision, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(rep->detection_recall, 1.0);
}

TEST(Evaluate, ReacquisitionTime) {
  std::vector<GroundTruthFrame> gt;
  std::vector<TrackRecord> tr;
  const Point2 ball{500, 500};
  for (int i = 0; i < 30; ++i) {
    const bool visible = i < 5 || i >= 17;  // 12 invisible frames
    gt.push_back(gt_frame(i, ball, visible));
    // The tracker is back within 2 x 5 px at frame 20, 3 frames after the ball reappeared.
    std::optional<Point2> est;
    if (i < 5) est = ball;
    if (i >= 17 && i < 20) est = Point2{ball.x + 40, ball.y};
    if (i >= 20) est = Point2{ball.x + 8, ball.y};
    tr.push_back(record(i, {}, est, around(ball)));
  }
  EvalOptions opt;
  opt.reacquire_gap_frames = 10;
  const auto rep = evaluate(gt, tr, opt);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->reacquire_events, 1);
  EXPECT_EQ(rep->reacquire_failures, 0);
  EXPECT_DOUBLE_EQ(rep->reacquire_mean_frames, 3.0);
  EXPECT_DOUBLE_EQ(rep->reacquire_max_frames, 3.0);
  EXPECT_NEAR(rep->reacquire_mean_s, 0.12, 1e-12);

  // A shorter gap is not an event; an event never closed is a failure.
  opt.reacquire_gap_frames = 13;
  EXPECT_EQ(evaluate(gt, tr, opt)->reacquire_events, 0);
  opt.reacquire_gap_frames = 10;
  for (auto& r : tr) {
    if (r.frame_index >= 17) r.track.has_estimate = false;
  }
  const auto failed = evaluate(gt, tr, opt);
  EXPECT_EQ(failed->reacquire_events, 1);
  EXPECT_EQ(failed->reacquire_failures, 1);
  EXPECT_TRUE(std::isnan(failed->reacquire_mean_frames));
}

TEST(Evaluate, CameraSmoothness) {
  std::vector<GroundTruthFrame> gt;
  std::vector<TrackRecord> tr;
  for (int i = 0; i < 20; ++i) {
    gt.push_back(gt_frame(i, Point2{10, 10}));
    // Centre x = i^2 (acceleration 2 px/frame^2, jerk 0), width grows 3 px per frame.
    const double w = 200.0 + 3.0 * i;
    tr.push_back(record(i, {}, std::nullopt, {double(i * i) - w / 2, 100 - 50, w, 100}));
  }
  const auto rep = evaluate(gt, tr, {});
  ASSERT_TRUE(rep.ok());
  EXPECT_NEAR(rep->camera_accel_rms_px_per_frame2, 2.0, 1e-9);
  EXPECT_NEAR(rep->camera_jerk_rms_px_per_frame3, 0.0, 1e-9);
  EXPECT_NEAR(rep->zoom_change_rms_px_per_frame, 3.0, 1e-9);
}

TEST(Evaluate, SmoothnessSkipsFrameGaps) {
  std::vector<GroundTruthFrame> gt;
  std::vector<TrackRecord> tr;
  for (int i : {0, 1, 2, 10, 11, 12}) {
    gt.push_back(gt_frame(i, Point2{10, 10}));
    tr.push_back(record(i, {}, std::nullopt, around({i < 10 ? 100.0 : 900.0, 100.0})));
  }
  const auto rep = evaluate(gt, tr, {});
  ASSERT_TRUE(rep.ok());
  EXPECT_DOUBLE_EQ(rep->camera_accel_rms_px_per_frame2, 0.0);
  EXPECT_TRUE(std::isnan(rep->camera_jerk_rms_px_per_frame3));
}

TEST(Evaluate, MatchesByFrameIndexAndAppliesWarmup) {
  std::vector<GroundTruthFrame> gt;
  for (int i = 0; i < 10; ++i) gt.push_back(gt_frame(i, Point2{100, 100}));
  std::vector<TrackRecord> tr;
  for (int i = 15; i >= 5; --i) tr.push_back(record(i, {{100, 100}}, Point2{100, 100}, around({100, 100})));
  EvalOptions opt;
  auto rep = evaluate(gt, tr, opt);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->frames, 5);  // frames 5..9
  opt.warmup_frames = 2;
  rep = evaluate(gt, tr, opt);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->frames, 3);
  opt.warmup_frames = 5;
  EXPECT_FALSE(evaluate(gt, tr, opt).ok());
}

TEST(Evaluate, NoOverlapIsAnError) {
  const std::vector<GroundTruthFrame> gt = {gt_frame(0, Point2{1, 1})};
  const std::vector<TrackRecord> tr = {record(7, {}, std::nullopt, {})};
  const auto rep = evaluate(gt, tr, {});
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(evaluate({}, {}, {}).ok());
}

TEST(Evaluate, NaiveBaselineCentresOnDetectionsAndHolds) {
  std::vector<GroundTruthFrame> gt;
  std::vector<TrackRecord> tr;
  for (int i = 0; i < 4; ++i) {
    gt.push_back(gt_frame(i, Point2{1000.0 + i, 500.0}));
    std::vector<Point2> dets;
    if (i != 2) dets = {{1000.0 + i, 500.0}};
    tr.push_back(record(i, dets, std::nullopt, CropRect{0, 0, 10, 10}));
  }
  const auto recs = naive_baseline_records(tr, 1920, 1080);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_DOUBLE_EQ(recs[0].crop.w, 960.0);
  EXPECT_DOUBLE_EQ(recs[0].crop.h, 540.0);
  EXPECT_DOUBLE_EQ(recs[1].crop.cx(), 1001.0);
  EXPECT_DOUBLE_EQ(recs[2].crop.cx(), 1001.0);  // held
  EXPECT_FALSE(recs[2].track.has_estimate);
  EXPECT_DOUBLE_EQ(recs[3].crop.cx(), 1003.0);
  const auto rep = evaluate_naive_baseline(gt, tr, {}, 1920, 1080);
  ASSERT_TRUE(rep.ok());
  EXPECT_DOUBLE_EQ(rep->ball_in_view, 1.0);
  EXPECT_DOUBLE_EQ(rep->track_error_median_px, 0.0);
  EXPECT_EQ(rep->frames_without_estimate, 1);
}

TEST(Evaluate, JsonAndText) {
  const std::vector<GroundTruthFrame> gt = {gt_frame(0, Point2{100, 100})};
  const std::vector<TrackRecord> tr = {record(0, {}, std::nullopt, around({100, 100}))};
  const auto rep = evaluate(gt, tr, {});
  ASSERT_TRUE(rep.ok());
  const nlohmann::json j = to_json(*rep);
  EXPECT_EQ(j.at("frames"), 1);
  EXPECT_TRUE(j.at("detection").at("precision").is_null());  // NaN -> null
  EXPECT_DOUBLE_EQ(j.at("view").at("ball_in_view").get<double>(), 1.0);
  EXPECT_NO_THROW((void)j.dump());
  const std::string text = to_text(*rep);
  EXPECT_NE(text.find("detection recall"), std::string::npos);
  EXPECT_NE(text.find("n/a"), std::string::npos);
  const std::string both = to_text(*rep, *rep);
  EXPECT_NE(both.find("naive baseline"), std::string::npos);
}

}  // namespace
TEST(Evaluate, ViewMarginIsWaivedWhereTheBallIsAtTheSourceEdge) {
  // A 3840x1080 panorama: the crop spans the full height, so a ball 20 px
  // above the bottom edge can never sit inside a 10 % margin.
  const std::vector<GroundTruthFrame> gt = {gt_frame(0, Point2{1000, 1060}), gt_frame(1, Point2{1000, 1060}),
                                            gt_frame(2, Point2{1000, 1060}), gt_frame(3, Point2{1000, 950})};
  const std::vector<TrackRecord> tr = {
      record(0, {}, std::nullopt, CropRect{0, 0, 1920, 1080}),     // in view: bottom margin waived
      record(1, {}, std::nullopt, CropRect{950, 0, 1920, 1080}),   // 50 px from the crop's left: out
      record(2, {}, std::nullopt, CropRect{500, 0, 1920, 1080}),   // in view
      record(3, {}, std::nullopt, CropRect{500, 100, 1600, 900})};  // 130 px from the edge: margin applies, out
  EvalOptions opt;
  auto rep = evaluate(gt, tr, opt);
  ASSERT_TRUE(rep.ok());
  EXPECT_DOUBLE_EQ(rep->ball_in_view, 0.0) << "without the source size every margin applies";
  EXPECT_DOUBLE_EQ(rep->ball_in_view_no_margin, 1.0);
  opt.source_width_px = 3840;
  opt.source_height_px = 1080;
  rep = evaluate(gt, tr, opt);
  ASSERT_TRUE(rep.ok());
  EXPECT_DOUBLE_EQ(rep->ball_in_view, 0.5);
}

}  // namespace ballcam
