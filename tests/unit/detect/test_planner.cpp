// The ROI/tile planner's decisions, frame by frame, with made-up costs; and
// the tracker's side of the contract: a skipped frame is not a miss.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "detect/planner.hpp"
#include "track/ball_tracker.hpp"

namespace ballcam::detect {
namespace {

bool covers(const PlannedTile& t, Point2 p, double margin = 0.0) {
  return p.x >= t.x + margin && p.x <= t.x + t.side_px - margin && p.y >= t.y + margin &&
         p.y <= t.y + t.side_px - margin;
}

PlannerConfig base_config() {
  PlannerConfig c;
  c.input_scale = 2.0;
  c.tile_px = 256;  // 128 source px per tile
  c.tile_overlap_px = 32;
  c.full_search_interval_frames = 10;
  return c;
}

// The tracker follows a ball at `at`.
DetectHints tracking(Point2 at, double search_radius_px) {
  DetectHints h;
  h.predicted = at;
  h.search_radius_px = search_radius_px;
  return h;
}

TEST(TileOrigins, CoverTheExtentWithTheOverlapEvenly) {
  const auto xs = tile_origins(1280, 128, 16);
  ASSERT_GE(xs.size(), 2u);
  EXPECT_DOUBLE_EQ(xs.front(), 0.0);
  EXPECT_DOUBLE_EQ(xs.back(), 1280.0 - 128.0);
  for (std::size_t i = 1; i < xs.size(); ++i) {
    EXPECT_LE(xs[i] - xs[i - 1], 128.0 - 16.0 + 1e-9);                      // at least the overlap
    EXPECT_NEAR(xs[i] - xs[i - 1], xs[1] - xs[0], 1e-9);                     // evenly spread
  }
  const auto one = tile_origins(100, 128, 16);  // smaller than a tile: one, centred (padded)
  ASSERT_EQ(one.size(), 1u);
  EXPECT_DOUBLE_EQ(one[0], -14.0);
  EXPECT_EQ(tile_origins(128, 128, 16).size(), 1u);
}

TEST(Planner, WithoutPredictionScansTheWholeFrameEveryFrame) {
  DetectionPlanner p(base_config(), 1280, 720, 256);
  EXPECT_DOUBLE_EQ(p.tile_side_px(), 128.0);
  for (int f = 0; f < 3; ++f) {
    const DetectionPlan plan = p.plan({});
    ASSERT_TRUE(plan.run);
    EXPECT_FALSE(plan.whole_frame);
    EXPECT_EQ(plan.scan_tiles(), static_cast<int>(p.scan_grid().size()));
    EXPECT_EQ(plan.roi_tiles(), 0);
  }
  // Every source pixel centre lies in some tile.
  for (int y = 0; y < 720; y += 7)
    for (int x = 0; x < 1280; x += 7) {
      bool in = false;
      for (const auto& t : p.scan_grid()) in = in || covers(t, {x + 0.5, y + 0.5});
      ASSERT_TRUE(in) << x << "," << y;
    }
  EXPECT_EQ(p.completed_scans(), 3);
}

TEST(Planner, TrackingLooksAroundThePredictionAndRescansPeriodically) {
  DetectionPlanner p(base_config(), 1280, 720, 256);
  DetectHints h;
  h.predicted = Point2{700.0, 300.0};
  h.search_radius_px = 20.0;
  int scans = 0;
  for (int f = 0; f < 30; ++f) {
    const DetectionPlan plan = p.plan(h);
    ASSERT_TRUE(plan.run);
    ASSERT_EQ(plan.roi_tiles(), 1);
    EXPECT_TRUE(covers(plan.tiles[0], *h.predicted, 20.0));
    if (plan.scan_tiles() > 0) {
      EXPECT_EQ(plan.scan_tiles(), static_cast<int>(p.scan_grid().size()));
      ++scans;
    }
  }
  EXPECT_EQ(scans, 3);  // frames 0, 10, 20
}

TEST(Planner, RoiStaysOnTheFrameAndGrowsWithTheSearchRadius) {
  PlannerConfig c = base_config();
  c.full_search_interval_frames = 0;
  DetectionPlanner p(c, 1280, 720, 256);
  DetectHints h;
  h.predicted = Point2{3.0, 715.0};  // corner
  h.search_radius_px = 10.0;
  DetectionPlan plan = p.plan(h);
  ASSERT_EQ(plan.tiles.size(), 1u);
  EXPECT_DOUBLE_EQ(plan.tiles[0].x, 0.0);
  EXPECT_DOUBLE_EQ(plan.tiles[0].y, 720.0 - 128.0);

  h.predicted = Point2{640.0, 360.0};
  h.search_radius_px = 100.0;  // 232 px square: 2x2 tiles of 128
  plan = p.plan(h);
  EXPECT_EQ(plan.roi_tiles(), 4);
  for (double dx : {-100.0, 100.0})
    for (double dy : {-100.0, 100.0}) {
      bool in = false;
      for (const auto& t : plan.tiles) in = in || covers(t, {640.0 + dx, 360.0 + dy});
      EXPECT_TRUE(in);
    }
  c.max_roi_tiles = 1;
  DetectionPlanner capped(c, 1280, 720, 256);
  plan = capped.plan(h);
  ASSERT_EQ(plan.roi_tiles(), 1);
  EXPECT_TRUE(covers(plan.tiles[0], *h.predicted));
}

TEST(Planner, FixedStrideSkipsFrames) {
  PlannerConfig c = base_config();
  c.stride_frames = 3;
  DetectionPlanner p(c, 1280, 720, 256);
  std::string runs;
  for (int f = 0; f < 9; ++f) runs += p.plan({}).run ? 'x' : '.';
  EXPECT_EQ(runs, "x..x..x..");
}

TEST(Planner, BudgetSpreadsTheScanOverFramesAndStaysWithinIt) {
  PlannerConfig c = base_config();
  c.budget_ms = 25.0;
  DetectionPlanner p(c, 1280, 720, 256);
  const double tile_ms = 10.0;
  // The first plan runs one tile to measure its cost (a whole unmeasured
  // scan would stall a live stream); then the cost model rules.
  DetectionPlan plan = p.plan({});
  ASSERT_EQ(plan.tiles.size(), 1u);
  p.report_cost(plan, tile_ms * static_cast<double>(plan.tiles.size()));
  EXPECT_DOUBLE_EQ(p.tile_cost_ms(), tile_ms);
  const std::int64_t scans_before = p.completed_scans();
  double spent = 0.0;
  const int frames = 200;
  for (int f = 0; f < frames; ++f) {
    plan = p.plan({});
    if (plan.run) {
      EXPECT_LE(plan.tiles.size(), 5u);  // capped credit: 2 budgets = 5 tiles
      p.report_cost(plan, tile_ms * static_cast<double>(plan.tiles.size()));
      spent += tile_ms * static_cast<double>(plan.tiles.size());
    }
  }
  EXPECT_LE(spent / frames, c.budget_ms + 1e-9);
  EXPECT_GE(spent / frames, c.budget_ms - tile_ms);  // and uses it
  // 200 frames x 2.5 tiles over a grid of p.scan_grid().size() tiles.
  const auto grid = static_cast<std::int64_t>(p.scan_grid().size());
  EXPECT_NEAR(static_cast<double>(p.completed_scans() - scans_before), frames * 2.5 / grid, 1.0);
}

TEST(Planner, BudgetBelowOneTileBecomesAStride) {
  PlannerConfig c = base_config();
  c.budget_ms = 10.0;
  DetectionPlanner p(c, 1280, 720, 256);
  DetectHints h = tracking({600.0, 300.0}, 10.0);
  DetectionPlan plan = p.plan(h);
  p.report_cost(plan, 30.0 * static_cast<double>(plan.tiles.size()));  // a tile costs 3 budgets
  int runs = 0, roi_runs = 0, scan_runs = 0;
  std::string kinds;
  for (int f = 0; f < 30; ++f) {
    plan = p.plan(h);
    if (!plan.run) continue;
    ++runs;
    EXPECT_EQ(plan.tiles.size(), 1u);
    roi_runs += plan.roi_tiles();
    scan_runs += plan.scan_tiles();
    kinds += plan.roi_tiles() ? 'r' : 's';
    p.report_cost(plan, 30.0);
  }
  EXPECT_NEAR(runs, 10, 1);  // every third frame
  // One tile a run: while a scan is due the ROI and the scan take turns (the
  // ROI must not starve the scan, or a tracker on a wrong object stays
  // there), and the ROI has every run once the scan is done.
  EXPECT_EQ(roi_runs + scan_runs, runs) << kinds;
  EXPECT_GE(roi_runs, runs / 2) << kinds;
  EXPECT_GE(scan_runs, 3) << kinds;
  EXPECT_EQ(kinds.find("ss"), std::string::npos) << kinds;
}

TEST(Planner, OneTileTheScanNeverStarvesBehindTheRoi) {
  PlannerConfig c = base_config();
  c.budget_ms = 30.0;
  DetectionPlanner p(c, 1280, 720, 256);
  DetectHints h = tracking({600.0, 300.0}, 10.0);
  DetectionPlan plan = p.plan(h);
  p.report_cost(plan, 30.0);  // one tile = the whole budget
  const std::int64_t scans_before = p.completed_scans();
  const auto grid = static_cast<int>(p.scan_grid().size());
  int roi = 0;
  int runs = 0;
  for (int f = 0; f < 8 * grid; ++f) {
    plan = p.plan(h);
    if (!plan.run) continue;  // the credit went below one tile
    ++runs;
    ASSERT_EQ(plan.tiles.size(), 1u);
    roi += plan.roi_tiles();
    p.report_cost(plan, 30.0);
  }
  // Scans run at half speed while due and the ROI has the other runs.
  EXPECT_GE(runs, 4 * grid);
  EXPECT_GE(p.completed_scans() - scans_before, 1);
  EXPECT_GE(roi, runs / 2);
}

TEST(Planner, WatchedObjectsGetATileEachBeforeTheScan) {
  PlannerConfig c = base_config();  // 128 source px tiles
  c.budget_ms = 100.0;
  c.max_watch_tiles = 2;
  DetectionPlanner p(c, 1280, 720, 256);
  DetectHints h = tracking({600.0, 300.0}, 10.0);
  h.watch = {Point2{1000.0, 600.0}, Point2{610.0, 305.0}, Point2{100.0, 50.0}, Point2{1270.0, 10.0}};
  DetectionPlan plan = p.plan(h);
  p.report_cost(plan, 10.0 * static_cast<double>(plan.tiles.size()));  // 4 tiles a frame
  plan = p.plan(h);
  ASSERT_TRUE(plan.run);
  ASSERT_EQ(plan.roi_tiles(), 1);
  // (610, 305) lies inside the ROI tile: the first and third watched objects get one each.
  ASSERT_EQ(plan.watch_tiles(), 2);
  std::vector<PlannedTile> watch;
  for (const auto& t : plan.tiles)
    if (t.kind == PlannedTile::Kind::kWatch) watch.push_back(t);
  EXPECT_TRUE(covers(watch[0], {1000.0, 600.0}, 32.0));
  EXPECT_TRUE(covers(watch[1], {100.0, 50.0}, 0.0));
  EXPECT_GE(watch[1].x, 0.0);  // kept on the frame
  EXPECT_GE(watch[1].y, 0.0);
  EXPECT_GE(plan.scan_tiles(), 1);  // the scan has the rest
  // Without a prediction the watched objects still get their tiles.
  DetectHints lost;
  lost.watch = {Point2{1000.0, 600.0}};
  plan = p.plan(lost);
  EXPECT_EQ(plan.watch_tiles(), 1);
  EXPECT_GE(plan.scan_tiles(), 1);
}

TEST(Planner, DisabledMeansTheWholeFrameEveryFrame) {
  PlannerConfig c = base_config();
  c.enabled = false;
  DetectionPlanner p(c, 1280, 720, 256);
  DetectHints h;
  h.predicted = Point2{600.0, 300.0};
  for (int f = 0; f < 3; ++f) {
    const DetectionPlan plan = p.plan(h);
    EXPECT_TRUE(plan.run);
    EXPECT_TRUE(plan.whole_frame);
    EXPECT_TRUE(plan.tiles.empty());
  }
}

// The pipeline's contract with the tracker: frames the planner skipped carry
// detector_ran = false and do not count as misses.
TEST(PlannerTracker, SkippedFramesAreNotMisses) {
  auto run = [](bool ran) {
    BallTracker tracker(TrackerConfig{}, 1920, 1080, 25.0);
    TrackState s;
    for (int f = 0; f < 10; ++f) {
      Detections d;
      d.frame_index = f;
      d.balls.push_back({{100.0 + 5.0 * f, 500.0}, 3.0, 0.9});
      s = tracker.update(d);
    }
    EXPECT_EQ(s.mode, TrackMode::kTracking);
    for (int f = 10; f < 40; ++f) {
      Detections d;
      d.frame_index = f;
      d.detector_ran = ran;
      s = tracker.update(d);
    }
    return s;
  };
  const TrackState skipped = run(false);
  EXPECT_EQ(skipped.mode, TrackMode::kCoasting);
  EXPECT_TRUE(skipped.has_estimate);
  EXPECT_NEAR(skipped.position.x, 100.0 + 5.0 * 39, 15.0);  // predicted along the motion
  const TrackState missed = run(true);
  EXPECT_NE(missed.mode, TrackMode::kCoasting);  // 30 misses: lost
  EXPECT_FALSE(missed.has_estimate);
}

// A detector that looked elsewhere (the planner's tiles) did not miss an
// object outside its windows: a ball found by one scan tile survives the
// frames the planner spends on other tiles and is confirmed when looked at.
TEST(PlannerTracker, ObjectsOutsideTheLookedAtWindowsAreNotMissed) {
  auto run = [](bool looked_elsewhere) {
    BallTracker tracker(TrackerConfig{}, 1920, 1080, 25.0);
    TrackState s;
    for (int f = 0; f <= 12; ++f) {
      Detections d;
      d.frame_index = f;
      const bool sees_ball = f % 3 == 0;  // one frame in three looks where the ball is
      if (sees_ball) {
        d.balls.push_back({{800.0, 500.0}, 3.0, 0.9});
        d.looked_at.push_back(Box{700.0, 400.0, 256.0, 256.0});
      } else if (looked_elsewhere) {
        d.looked_at.push_back(Box{100.0, 100.0, 256.0, 256.0});
      }
      s = tracker.update(d);
    }
    return s;
  };
  const TrackState elsewhere = run(true);
  EXPECT_EQ(elsewhere.mode, TrackMode::kTracking);  // 5 sightings, no misses between them
  EXPECT_NEAR(elsewhere.position.x, 800.0, 2.0);
  const TrackState whole = run(false);  // whole frame looked at: two misses after each sighting
  EXPECT_EQ(whole.mode, TrackMode::kSearching);
}

TEST(PlannerTracker, WatchPointsAreTheOtherHypothesesBestFirst) {
  BallTracker tracker(TrackerConfig{}, 1920, 1080, 25.0);
  for (int f = 0; f < 6; ++f) {
    Detections d;
    d.frame_index = f;
    d.balls.push_back({{300.0 + 4.0 * f, 500.0}, 3.0, 0.95});  // the ball, followed
    if (f >= 4) {
      d.balls.push_back({{1500.0, 200.0}, 3.0, 0.4});
      d.balls.push_back({{900.0, 800.0}, 3.0, 0.8});
    }
    tracker.update(d);
  }
  std::vector<Point2> watch;
  tracker.watch_points(watch, 4);
  ASSERT_EQ(watch.size(), 2u);
  EXPECT_NEAR(watch[0].x, 900.0, 1.0);  // the more confident one first
  EXPECT_NEAR(watch[1].x, 1500.0, 1.0);
  tracker.watch_points(watch, 1);
  EXPECT_EQ(watch.size(), 1u);
  const auto pred = tracker.predict(1);
  ASSERT_TRUE(pred.has_value());
  EXPECT_NEAR(pred->x, 324.0, 3.0);  // the followed ball is not a watch point
}

}  // namespace
}  // namespace ballcam::detect
