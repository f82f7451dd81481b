#include <gtest/gtest.h>

#include <cstring>

#include "report/canvas.hpp"
#include "report/plot.hpp"

namespace ballcam::report {
namespace {

int count_not(const Canvas& c, Rgb background, PixelRect r) {
  int n = 0;
  for (int y = r.y; y < r.y + r.h; ++y) {
    for (int x = r.x; x < r.x + r.w; ++x) n += c.at(x, y) == background ? 0 : 1;
  }
  return n;
}

TEST(Canvas, StartsFilled) {
  const Canvas c(7, 5, Rgb{1, 2, 3});
  EXPECT_EQ(c.width_px(), 7);
  EXPECT_EQ(c.height_px(), 5);
  EXPECT_EQ(c.at(6, 4), (Rgb{1, 2, 3}));
}

TEST(Canvas, LineCoversBothEndpointsAndNothingBeyond) {
  Canvas c(40, 30);
  const Rgb red{255, 0, 0};
  c.draw_line(3.5, 4.5, 30.5, 20.5, red);
  EXPECT_EQ(c.at(3, 4), red);
  EXPECT_EQ(c.at(30, 20), red);
  EXPECT_EQ(c.at(31, 21), colours::kWhite);
  EXPECT_EQ(c.at(2, 3), colours::kWhite);
  // Horizontal and vertical lines are exact runs.
  c.draw_line(0.5, 27.5, 39.5, 27.5, red);
  EXPECT_EQ(count_not(c, colours::kWhite, {0, 27, 40, 1}), 40);
  c.draw_line(37.5, 0.5, 37.5, 9.5, red);
  EXPECT_EQ(count_not(c, colours::kWhite, {37, 0, 1, 10}), 10);
  EXPECT_EQ(c.at(37, 10), colours::kWhite);
}

TEST(Canvas, DrawingOffTheCanvasIsClipped) {
  Canvas c(10, 10);
  c.draw_line(-1e9, -5.0, 1e9, 5.5, colours::kBlack);
  c.draw_ring(100.0, 100.0, 5.0, colours::kBlack);
  c.fill_rect({-5, -5, 8, 8}, colours::kBlack);
  EXPECT_EQ(c.at(0, 0), colours::kBlack);
  EXPECT_EQ(c.at(9, 0), colours::kWhite);
}

TEST(Canvas, ClipRectangleLimitsDrawing) {
  Canvas c(20, 20);
  c.set_clip({5, 5, 5, 5});
  c.fill_rect({0, 0, 20, 20}, colours::kBlack);
  EXPECT_EQ(count_not(c, colours::kWhite, {0, 0, 20, 20}), 25);
  c.reset_clip();
  c.set(0, 0, colours::kBlack);
  EXPECT_EQ(c.at(0, 0), colours::kBlack);
}

TEST(Canvas, TextRendersInsideItsBox) {
  Canvas c(100, 30);
  const int advance = c.draw_text(2, 3, "Ab09", colours::kBlack, 2);
  EXPECT_EQ(advance, 4 * 6 * 2);
  const int w = Canvas::text_width_px("Ab09", 2);
  const int h = Canvas::text_height_px(2);
  EXPECT_EQ(h, 14);
  const int inside = count_not(c, colours::kWhite, {2, 3, w, h});
  EXPECT_GT(inside, 4 * 10 * 4);  // every glyph has ten or more font pixels
  EXPECT_EQ(count_not(c, colours::kWhite, {0, 0, 100, 30}), inside);
  // Different characters render differently.
  Canvas a(20, 10);
  Canvas b(20, 10);
  a.draw_text(0, 0, "1", colours::kBlack);
  b.draw_text(0, 0, "7", colours::kBlack);
  EXPECT_NE(std::memcmp(a.data(), b.data(), 20 * 10 * 3), 0);
  Canvas sp(20, 10);
  sp.draw_text(0, 0, "  ", colours::kBlack);
  EXPECT_EQ(count_not(sp, colours::kWhite, {0, 0, 20, 10}), 0);
}

TEST(Canvas, RingIsHollow) {
  Canvas c(41, 41);
  c.draw_ring(20.5, 20.5, 12.0, colours::kBlack, 2);
  EXPECT_EQ(c.at(20, 20), colours::kWhite);
  EXPECT_EQ(c.at(32, 20), colours::kBlack);
  EXPECT_EQ(c.at(20, 8), colours::kBlack);
}

TEST(Plot, NiceTicks) {
  const auto t = nice_ticks(0.0, 1920.0, 5);
  ASSERT_GE(t.size(), 4U);
  EXPECT_DOUBLE_EQ(t.front(), 0.0);
  EXPECT_DOUBLE_EQ(t[1] - t[0], 500.0);
  EXPECT_LE(t.back(), 1920.0);
  const auto f = nice_ticks(0.13, 0.87, 4);
  ASSERT_FALSE(f.empty());
  EXPECT_NEAR(f[1] - f[0], 0.2, 1e-12);
  EXPECT_TRUE(nice_ticks(3.0, 3.0, 5).empty());
}

TEST(Plot, SeriesLandsInsideTheDataRectangle) {
  Canvas c(400, 200);
  PlotSpec spec;
  spec.area = {0, 0, 400, 200};
  spec.title = "t";
  spec.x_min = 0;
  spec.x_max = 10;
  spec.y_min = 0;
  spec.y_max = 100;
  const Rgb red{255, 0, 0};
  spec.series.push_back({"s", red, {0, 10}, {0, 100}, 1});
  const PixelRect data = draw_plot(c, spec);
  ASSERT_GT(data.w, 100);
  ASSERT_GT(data.h, 50);
  // y up: the first point is bottom-left, the last top-right.
  EXPECT_EQ(c.at(data.x, data.y + data.h - 1), red);
  EXPECT_EQ(c.at(data.x + data.w - 1, data.y), red);
}

}  // namespace
}  // namespace ballcam::report
