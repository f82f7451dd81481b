#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "png_read.hpp"
#include "report/report.hpp"
#include "report/thumbnail.hpp"

namespace ballcam::report {
namespace {

namespace fs = std::filesystem;

Frame solid_frame(int w, int h, std::uint8_t y, std::uint8_t u, std::uint8_t v) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, w, h);
  for (int row = 0; row < h; ++row) std::memset(f.planes[0] + static_cast<std::ptrdiff_t>(row) * f.strides[0], y, w);
  for (int row = 0; row < (h + 1) / 2; ++row) {
    std::memset(f.planes[1] + static_cast<std::ptrdiff_t>(row) * f.strides[1], u, (w + 1) / 2);
    std::memset(f.planes[2] + static_cast<std::ptrdiff_t>(row) * f.strides[2], v, (w + 1) / 2);
  }
  return f;
}

TEST(Thumbnail, Bt709LimitedRangeColours) {
  const auto white = yuv420_to_rgb_scaled(solid_frame(64, 36, 235, 128, 128), 16, 9);
  ASSERT_TRUE(white.ok());
  EXPECT_EQ(white->width_px(), 16);
  EXPECT_EQ(white->height_px(), 9);
  EXPECT_EQ(white->at(3, 3), (Rgb{255, 255, 255}));
  const auto black = yuv420_to_rgb_scaled(solid_frame(64, 36, 16, 128, 128), 16, 9);
  EXPECT_EQ(black->at(3, 3), (Rgb{0, 0, 0}));
  // BT.709 limited-range red is (63, 102, 240).
  const auto red = yuv420_to_rgb_scaled(solid_frame(64, 36, 63, 102, 240), 16, 9);
  const Rgb p = red->at(5, 5);
  EXPECT_GE(p.r, 250);
  EXPECT_LE(p.g, 5);
  EXPECT_LE(p.b, 5);
}

TEST(Thumbnail, BoxFilterAverages) {
  // Alternating black and white luma columns average to mid grey.
  Frame f = solid_frame(64, 32, 16, 128, 128);
  for (int row = 0; row < 32; ++row) {
    for (int x = 1; x < 64; x += 2) f.planes[0][row * f.strides[0] + x] = 235;
  }
  const auto t = yuv420_to_rgb_scaled(f, 16, 8);
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->at(7, 4).r, 128, 2);
}

class ReportEndToEnd : public ::testing::Test {
 protected:
  static constexpr int kFrames = 50;  // 2 s at 25 fps

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballcam_report_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    clip_ = (dir_ / "clip.mp4").string();
    const std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi "
                            "-i testsrc2=size=320x180:rate=25 -t 2 -c:v libx264 -preset ultrafast "
                            "-pix_fmt yuv420p '" + clip_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    // The ball moves right along y = 100; the camera follows half as far;
    // the tracker coasts for a while in the middle.
    std::ofstream track(dir_ / "track.jsonl");
    std::ofstream truth(dir_ / "truth.jsonl");
    for (int i = 0; i < kFrames; ++i) {
      TrackRecord rec;
      rec.frame_index = i;
      rec.pts_us = i * 40000;
      rec.track.frame_index = i;
      rec.track.pts_us = rec.pts_us;
      rec.track.mode = i < 3 ? TrackMode::kSearching : (i >= 20 && i < 26) ? TrackMode::kCoasting : TrackMode::kTracking;
      rec.track.has_estimate = i >= 3;
      rec.track.position = {100.0 + 2.0 * i, 100.0};
      const double w = 160.0 - i;
      rec.crop = {60.0 + i - w / 2 + 40.0, 100.0 - w * 9.0 / 32.0, w, w * 9.0 / 16.0};
      track << to_json_line(rec) << '\n';
      GroundTruthFrame gt;
      gt.frame_index = i;
      gt.pts_us = rec.pts_us;
      gt.ball = GroundTruthBall{{101.0 + 2.0 * i, 99.0}, 4.0};
      truth << to_json_line(gt) << '\n';
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ReportOptions options(const std::string& out) const {
    ReportOptions o;
    o.video_path = clip_;
    o.track_path = (dir_ / "track.jsonl").string();
    o.truth_path = (dir_ / "truth.jsonl").string();
    o.out_dir = (dir_ / out).string();
    return o;
  }

  fs::path dir_;
  std::string clip_;
};

TEST_F(ReportEndToEnd, WritesPicturesOfTheExpectedSizeAndAnIndex) {
  const ReportOptions o = options("out");
  const Status st = write_report(o);
  ASSERT_TRUE(st.ok()) << st.to_string();

  const auto sheet = testing::read_png((dir_ / "out" / "contact_sheet.png").string());
  ASSERT_TRUE(sheet.has_value());
  const PictureSize expected = contact_sheet_size(4, 4, 320, 180);
  EXPECT_EQ((PictureSize{sheet->width_px(), sheet->height_px()}), expected);
  EXPECT_EQ(expected.width_px, 4 * kThumbWidthPx + 5 * 8);

  const auto paths = testing::read_png((dir_ / "out" / "paths.png").string());
  ASSERT_TRUE(paths.has_value());
  EXPECT_EQ((PictureSize{paths->width_px(), paths->height_px()}), kPathsSize);
  const auto zoom = testing::read_png((dir_ / "out" / "zoom.png").string());
  ASSERT_TRUE(zoom.has_value());
  EXPECT_EQ((PictureSize{zoom->width_px(), zoom->height_px()}), kZoomSize);

  std::ifstream in(dir_ / "out" / "index.html");
  std::stringstream html;
  html << in.rdbuf();
  for (const char* needle : {"contact_sheet.png", "paths.png", "zoom.png", "heatmap.png", "<td>50</td>", "94.0 %"}) {
    EXPECT_NE(html.str().find(needle), std::string::npos) << needle;
  }
  // Without metrics: no latency picture, no FPS row.
  EXPECT_FALSE(fs::exists(dir_ / "out" / "latency.png"));
  EXPECT_EQ(html.str().find("latency.png"), std::string::npos);
  EXPECT_EQ(html.str().find("overall FPS"), std::string::npos);

  const auto heat = testing::read_png((dir_ / "out" / "heatmap.png").string());
  ASSERT_TRUE(heat.has_value());
  std::vector<TrackRecord> track;
  {
    auto loaded = load_track(o.track_path);
    ASSERT_TRUE(loaded.ok());
    track = *loaded;
  }
  EXPECT_EQ((PictureSize{heat->width_px(), heat->height_px()}), heatmap_size(source_extent(track)));
}

TEST_F(ReportEndToEnd, HeatMapIsHottestWhereTheBallStays) {
  // Source 320 x 180 (the crops' extent); the ball sits at (240, 45) for 40
  // frames, then crosses the frame along y = 150 for 20.
  std::ofstream track(dir_ / "held.jsonl");
  for (int i = 0; i < 60; ++i) {
    TrackRecord rec;
    rec.frame_index = i;
    rec.track.mode = TrackMode::kTracking;
    rec.track.has_estimate = true;
    rec.track.position = i < 40 ? Point2{240.0, 45.0} : Point2{10.0 + 15.0 * (i - 40), 150.0};
    rec.crop = {0.0, 0.0, 320.0, 180.0};
    track << to_json_line(rec) << '\n';
  }
  track.close();
  ReportOptions o = options("held");
  o.track_path = (dir_ / "held.jsonl").string();
  o.sheet_columns = 1;
  o.sheet_rows = 1;
  ASSERT_TRUE(write_report(o).ok());

  const auto loaded = load_track(o.track_path);
  ASSERT_TRUE(loaded.ok());
  const SourceExtent source = source_extent(*loaded);
  EXPECT_DOUBLE_EQ(source.width_px, 320.0);
  EXPECT_DOUBLE_EQ(source.height_px, 180.0);
  const HeatGrid grid = ball_heat(*loaded);
  ASSERT_EQ(grid.columns, 64);
  ASSERT_EQ(grid.rows, 36);
  EXPECT_EQ(grid.frames, 60);
  // The cell holding (240, 45) is (48, 9), and it is the hottest.
  EXPECT_DOUBLE_EQ(grid.at(48, 9), grid.max());
  double total = 0.0;
  for (const double v : grid.share) total += v;
  EXPECT_NEAR(total, 1.0, 1e-9);  // the blur keeps every frame

  const auto heat = testing::read_png((dir_ / "held" / "heatmap.png").string());
  ASSERT_TRUE(heat.has_value());
  EXPECT_EQ((PictureSize{heat->width_px(), heat->height_px()}), heatmap_size(source));
  const PixelRect pitch = heatmap_pitch_area(source);
  EXPECT_EQ(pitch.w * 9, pitch.h * 16);  // drawn to the frame's proportions
  const auto at_source = [&](double x, double y) {
    return heat->at(pitch.x + static_cast<int>(x / 320.0 * pitch.w), pitch.y + static_cast<int>(y / 180.0 * pitch.h));
  };
  // Hot: red over the grass. Far from any estimate: plain grass (green).
  const Rgb hot = at_source(243.0, 47.0);
  EXPECT_GT(hot.r, 170) << int(hot.r) << "," << int(hot.g) << "," << int(hot.b);
  EXPECT_LT(hot.g, 60);
  const Rgb cold = at_source(60.0, 60.0);
  EXPECT_GT(cold.g, cold.r + 40) << int(cold.r) << "," << int(cold.g) << "," << int(cold.b);
  // The crossing is visited once per cell: warm (yellowish), not red.
  const Rgb warm = at_source(100.0 + 2.5, 150.0 + 2.5);
  EXPECT_GT(warm.r, 130) << int(warm.r) << "," << int(warm.g) << "," << int(warm.b);
  EXPECT_GT(warm.g, 130);
}

TEST_F(ReportEndToEnd, LatencyPictureFromARunMetricsFile) {
  {
    std::ofstream m(dir_ / "metrics.json");
    m << R"({"fps": 24.5, "wall_s": 3.1,
      "stages": {"decode": {"count": 75, "mean_ms": 1.2, "p50_ms": 1.1, "p95_ms": 2.0, "max_ms": 4.0},
                 "encode": {"count": 75, "mean_ms": 12.0, "p50_ms": 11.0, "p95_ms": 18.5, "max_ms": 30.0},
                 "detect": {"count": 75, "mean_ms": 2.1, "p50_ms": 2.0, "p95_ms": 3.0, "max_ms": 5.0}},
      "timeline": [
        {"t_s": 1.0, "frames_out": 25, "fps": 24.0, "cpu_percent": 180.0,
         "stage_mean_ms": {"decode": 1.2, "detect": 2.1, "encode": 12.0}},
        {"t_s": 2.0, "frames_out": 50, "fps": 25.0, "cpu_percent": 170.0,
         "stage_mean_ms": {"decode": 1.3, "detect": 2.0, "encode": 13.0}},
        {"t_s": 3.0, "frames_out": 75, "fps": 24.8, "cpu_percent": 175.0,
         "stage_mean_ms": {"decode": 1.1, "detect": 2.2, "encode": 11.0}}]})";
  }
  ReportOptions o = options("lat");
  o.metrics_path = (dir_ / "metrics.json").string();
  o.sheet_columns = 1;
  o.sheet_rows = 1;
  Status st = write_report(o);
  ASSERT_TRUE(st.ok()) << st.to_string();
  const auto lat = testing::read_png((dir_ / "lat" / "latency.png").string());
  ASSERT_TRUE(lat.has_value());
  EXPECT_EQ((PictureSize{lat->width_px(), lat->height_px()}), kLatencySize);
  std::ifstream in(dir_ / "lat" / "index.html");
  std::stringstream html;
  html << in.rdbuf();
  for (const char* needle : {"latency.png", "heatmap.png", "overall FPS", "<td>24.5</td>", "p95 encode",
                             "<td>18.50 ms</td>"}) {
    EXPECT_NE(html.str().find(needle), std::string::npos) << needle;
  }

  const auto metrics = load_run_metrics(o.metrics_path);
  ASSERT_TRUE(metrics.ok());
  ASSERT_EQ(metrics->stages.size(), 3U);
  EXPECT_EQ(metrics->stages[0].name, "decode");  // pipeline order, not alphabetical
  EXPECT_EQ(metrics->stages[1].name, "detect");
  EXPECT_EQ(metrics->stages[2].name, "encode");
  EXPECT_EQ(metrics->timeline.size(), 3U);

  // A run under a second has an empty timeline: bars instead of lines.
  {
    std::ofstream m(dir_ / "short.json");
    m << R"({"fps": 20.0, "stages": {"decode": {"count": 5, "mean_ms": 1.0, "p50_ms": 1.0, "p95_ms": 2.0,
             "max_ms": 2.0}}, "timeline": []})";
  }
  o = options("short");
  o.metrics_path = (dir_ / "short.json").string();
  o.sheet_columns = 1;
  o.sheet_rows = 1;
  st = write_report(o);
  ASSERT_TRUE(st.ok()) << st.to_string();
  EXPECT_TRUE(fs::exists(dir_ / "short" / "latency.png"));
}

TEST_F(ReportEndToEnd, MalformedOrMissingMetricsNameTheFile) {
  for (const char* body : {"{\"fps\": 24, \"stages\": {", "[1, 2]", "{\"timeline\": 3}",
                           "{\"stages\": {\"decode\": {\"p95_ms\": \"fast\"}}}"}) {
    {
      std::ofstream m(dir_ / "broken_metrics.json");
      m << body;
    }
    ReportOptions o = options("broken");
    o.metrics_path = (dir_ / "broken_metrics.json").string();
    const Status st = write_report(o);
    EXPECT_EQ(st.code(), ErrorCode::kInputError) << body << ": " << st.to_string();
    EXPECT_NE(st.message().find("broken_metrics.json"), std::string::npos) << st.message();
  }
  ReportOptions o = options("broken");
  o.metrics_path = (dir_ / "no_such_metrics.json").string();
  const Status st = write_report(o);
  EXPECT_EQ(st.code(), ErrorCode::kInputError);
  EXPECT_NE(st.message().find("no_such_metrics.json"), std::string::npos) << st.message();
}

TEST_F(ReportEndToEnd, SourceVideoShowsTheRingOnTheBall) {
  ReportOptions o = options("src");
  o.video_is_output = false;
  o.sheet_columns = 2;
  o.sheet_rows = 1;
  ASSERT_TRUE(write_report(o).ok());
  const auto sheet = testing::read_png((dir_ / "src" / "contact_sheet.png").string());
  ASSERT_TRUE(sheet.has_value());
  EXPECT_EQ((PictureSize{sheet->width_px(), sheet->height_px()}), contact_sheet_size(2, 1, 320, 180));
  // Second cell shows the last frame (49): estimate at (198, 100), 1:1 scale,
  // cell origin (8 + 320 + 8, 40 + 8); the ring's right edge is 10 px out.
  const int cx = 336 + 198;
  const int cy = 48 + 100;
  EXPECT_EQ(sheet->at(cx + 10, cy), (Rgb{255, 230, 0}));
  EXPECT_EQ(sheet->at(cx - 10, cy), (Rgb{255, 230, 0}));
}

TEST_F(ReportEndToEnd, EstimateOutsideTheOutputPictureIsPinnedInRed) {
  // Output video, one cell (frame 0); the estimate lies far right of the crop.
  std::ofstream track(dir_ / "off.jsonl");
  TrackRecord rec;
  rec.track.mode = TrackMode::kTracking;
  rec.track.has_estimate = true;
  rec.track.position = {5000.0, 90.0};
  rec.crop = {0.0, 0.0, 320.0, 180.0};
  track << to_json_line(rec) << '\n';
  track.close();
  ReportOptions o = options("off");
  o.track_path = (dir_ / "off.jsonl").string();
  o.sheet_columns = 1;
  o.sheet_rows = 1;
  ASSERT_TRUE(write_report(o).ok());
  const auto sheet = testing::read_png((dir_ / "off" / "contact_sheet.png").string());
  ASSERT_TRUE(sheet.has_value());
  // Cell origin (8, 48); the ring's centre is pinned 13 px inside the right
  // edge, so its right-most point (10 px out) is 3 px inside the picture.
  EXPECT_EQ(sheet->at(8 + 319 - 3, 48 + 90), (Rgb{255, 40, 40}));
}

TEST_F(ReportEndToEnd, ErrorsNameTheProblem) {
  ReportOptions o = options("bad");
  o.track_path = (dir_ / "missing.jsonl").string();
  Status st = write_report(o);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing.jsonl"), std::string::npos) << st.message();
  o = options("bad");
  o.video_path = (dir_ / "missing.mp4").string();
  st = write_report(o);
  EXPECT_EQ(st.code(), ErrorCode::kInputError) << st.message();
  o = options("bad");
  o.sheet_rows = 0;
  EXPECT_EQ(write_report(o).code(), ErrorCode::kInvalidArgument);
}

TEST(ReportSummary, CountsModesEstimatesAndTruth) {
  std::vector<TrackRecord> track(4);
  std::vector<GroundTruthFrame> truth(4);
  for (int i = 0; i < 4; ++i) {
    track[i].frame_index = i;
    track[i].track.mode = i == 0 ? TrackMode::kSearching : TrackMode::kTracking;
    track[i].track.has_estimate = i > 0;
    track[i].track.position = {10.0, 10.0};
    track[i].crop = {0, 0, 100.0 + i, 50};
    truth[i].frame_index = i;
    truth[i].ball = GroundTruthBall{{13.0, 14.0}, 3.0};
  }
  truth[3].ball->center = {500.0, 10.0};  // outside the crop
  const ReportSummary s = summarise(track, truth);
  EXPECT_EQ(s.frames, 4);
  EXPECT_EQ(s.frames_with_estimate, 3);
  EXPECT_DOUBLE_EQ(s.estimate_share, 0.75);
  EXPECT_DOUBLE_EQ(s.mean_crop_width_px, 101.5);
  EXPECT_EQ(s.frames_per_mode[static_cast<std::size_t>(TrackMode::kTracking)], 3);
  EXPECT_EQ(s.truth_frames, 4);
  EXPECT_DOUBLE_EQ(s.ball_in_crop_share, 0.75);
  EXPECT_NEAR(s.mean_error_px, (5.0 + 5.0 + 490.0) / 3.0, 1e-9);
}

}  // namespace
}  // namespace ballcam::report
