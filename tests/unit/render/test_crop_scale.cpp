#include "render/crop_scale.hpp"
#include "render/overlay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace ballcam::render {
namespace {

// Double-precision reference of the same sampling convention.
double reference_sample(const std::uint8_t* src, int stride, int w, int h, double sx, double sy) {
  sx = std::clamp(sx, 0.0, w - 1.0);
  sy = std::clamp(sy, 0.0, h - 1.0);
  const int x0 = static_cast<int>(sx), y0 = static_cast<int>(sy);
  const int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
  const double fx = sx - x0, fy = sy - y0;
  auto at = [&](int x, int y) { return static_cast<double>(src[y * stride + x]); };
  return (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
}

Frame random_frame(int w, int h, unsigned seed) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, w, h);
  std::mt19937 rng(seed);
  for (int p = 0; p < 3; ++p) {
    const int pw = p == 0 ? w : w / 2, ph = p == 0 ? h : h / 2;
    for (int y = 0; y < ph; ++y)
      for (int x = 0; x < pw; ++x) f.planes[p][y * f.strides[p] + x] = static_cast<std::uint8_t>(rng() & 0xff);
  }
  return f;
}

TEST(CropScale, MatchesDoubleReferenceWithinOneLevel) {
  const Frame src = random_frame(320, 180, 1);
  const CropScaler scaler(128, 72);
  const CropRect crops[] = {{0, 0, 320, 180}, {13.37, 20.5, 160, 90}, {200.25, 100.75, 120, 67.5}, {0.5, 0.5, 64, 36}};
  for (const CropRect& crop : crops) {
    Frame out = scaler.render(src, crop);
    const double step_x = crop.w / 128.0, step_y = crop.h / 72.0;
    int worst = 0;
    for (int y = 0; y < 72; ++y) {
      for (int x = 0; x < 128; ++x) {
        const double ref = reference_sample(src.planes[0], src.strides[0], 320, 180,
                                            crop.x + (x + 0.5) * step_x - 0.5, crop.y + (y + 0.5) * step_y - 0.5);
        worst = std::max(worst, static_cast<int>(std::abs(out.planes[0][y * out.strides[0] + x] - ref) + 0.5));
      }
    }
    EXPECT_LE(worst, 1) << "crop " << crop.x << "," << crop.y;
  }
}

TEST(CropScale, IdentityIsExact) {
  const Frame src = random_frame(64, 48, 2);
  const CropScaler scaler(64, 48);
  const Frame out = scaler.render(src, {0, 0, 64, 48});
  for (int p = 0; p < 3; ++p) {
    const int pw = p == 0 ? 64 : 32, ph = p == 0 ? 48 : 24;
    for (int y = 0; y < ph; ++y)
      for (int x = 0; x < pw; ++x)
        ASSERT_EQ(out.planes[p][y * out.strides[p] + x], src.planes[p][y * src.strides[p] + x]) << p << " " << x << "," << y;
  }
}

TEST(CropScale, HalfPixelShiftAverages) {
  Frame src = Frame::allocate(PixelFormat::kYuv420p, 8, 8);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) src.planes[0][y * src.strides[0] + x] = (x % 2) ? 200 : 100;
  for (int p = 1; p < 3; ++p)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) src.planes[p][y * src.strides[p] + x] = 128;
  const Frame out = CropScaler(4, 4).render(src, {0.5, 0, 4, 4});
  for (int x = 0; x < 4; ++x) EXPECT_EQ(out.planes[0][x], 150);
  EXPECT_EQ(out.planes[1][0], 128);
}

TEST(CropScale, KeepsTimestampAndRejectsOddOutput) {
  Frame src = random_frame(32, 32, 3);
  src.pts_us = 40000;
  src.index = 1;
  const Frame out = CropScaler(16, 16).render(src, {0, 0, 32, 32});
  EXPECT_EQ(out.pts_us, 40000);
  EXPECT_EQ(out.index, 1);
  EXPECT_THROW(CropScaler(15, 16), std::invalid_argument);
}

TEST(Overlay, DrawsRingAtEstimate) {
  Frame out = Frame::allocate(PixelFormat::kYuv420p, 64, 64);
  for (int p = 0; p < 3; ++p) std::fill_n(out.planes[p], out.strides[p] * (p == 0 ? 64 : 32), 16);
  TrackState t;
  t.has_estimate = true;
  t.mode = TrackMode::kTracking;
  t.position = {32, 32};
  draw_overlay(out, {0, 0, 64, 64}, t, Detections{});
  EXPECT_EQ(out.planes[0][32 * out.strides[0] + 32], 16) << "centre untouched";
  EXPECT_NE(out.planes[0][32 * out.strides[0] + 32 + 12], 16) << "ring drawn at radius 12";
}

}  // namespace
}  // namespace ballcam::render
