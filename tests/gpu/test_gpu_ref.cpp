// CPU-reference tests: they run on every machine (no CUDA needed) and pin
// down the conventions the kernels are compared against.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gpu/image_types.hpp"
#include "gpu/reference.hpp"
#include "gpu_test.hpp"
#include "nv12_fixtures.hpp"

#if defined(BALLCAM_GPU_TEST_HAVE_RENDER)
#include "gpu/frame_view.hpp"
#include "render/crop_scale.hpp"
#include "render/overlay.hpp"
#endif

namespace ballcam::gpu {
namespace {

using testing::constant_nv12;
using testing::HostNv12;
using testing::max_abs_diff;
using testing::random_nv12;

TEST(GpuRefColour, Bt709AndBt601LimitedCoefficients) {
  const YuvToRgb m709 = yuv_to_rgb(ColorMatrix::kBt709, ColorRange::kLimited);
  EXPECT_NEAR(m709.y_scale, 1.164383, 1e-5);
  EXPECT_NEAR(m709.r_v, 1.792741, 1e-5);
  EXPECT_NEAR(m709.g_u, -0.213249, 1e-5);
  EXPECT_NEAR(m709.g_v, -0.532909, 1e-5);
  EXPECT_NEAR(m709.b_u, 2.112402, 1e-5);
  const YuvToRgb m601 = yuv_to_rgb(ColorMatrix::kBt601, ColorRange::kLimited);
  EXPECT_NEAR(m601.r_v, 1.596027, 1e-5);
  EXPECT_NEAR(m601.g_u, -0.391762, 1e-5);
  EXPECT_NEAR(m601.g_v, -0.812968, 1e-5);
  EXPECT_NEAR(m601.b_u, 2.017232, 1e-5);
  const YuvToRgb full = yuv_to_rgb(ColorMatrix::kBt709, ColorRange::kFull);
  EXPECT_NEAR(full.y_scale, 1.0, 1e-7);
  EXPECT_NEAR(full.r_v, 1.5748, 1e-5);
}

// A constant frame gives exactly the normalised colour in every element.
TEST(GpuRefTensor, ConstantColourGivesNormalisedValues) {
  struct Case {
    std::uint8_t y, u, v;
    float r, g, b;  // expected 0..255 before clamping
  };
  const YuvToRgb m = yuv_to_rgb(ColorMatrix::kBt709, ColorRange::kLimited);
  auto expect_rgb = [&](std::uint8_t y, std::uint8_t u, std::uint8_t v) {
    const float yy = (y - 16.f) * m.y_scale, uu = u - 128.f, vv = v - 128.f;
    return Case{y, u, v, yy + m.r_v * vv, yy + m.g_u * uu + m.g_v * vv, yy + m.b_u * uu};
  };
  const Case cases[] = {
      {16, 128, 128, 0.f, 0.f, 0.f},          // video black
      {235, 128, 128, 255.f, 255.f, 255.f},   // video white
      expect_rgb(126, 128, 128),              // mid grey
      expect_rgb(63, 102, 240),               // BT.709 red (clamps)
      expect_rgb(150, 44, 21),                // the overlay's green
  };
  TensorSpec spec;
  spec.out_w = 24;
  spec.out_h = 16;
  const std::vector<RoiF> rois = {{0, 0, 64, 48}, {10.5f, 3.25f, 20, 30}, {-20, -20, 200, 100}};
  for (const Case& k : cases) {
    HostNv12 f = constant_nv12(64, 48, k.y, k.u, k.v);
    std::vector<float> out(rois.size() * 3 * 24 * 16, -99.f);
    ref::nv12_to_tensor(f.cview(), rois, spec, out.data());
    const float rgb[3] = {k.r, k.g, k.b};
    float worst = 0.f;
    for (std::size_t n = 0; n < rois.size(); ++n)
      for (int c = 0; c < 3; ++c) {
        const float want = (std::clamp(rgb[c], 0.f, 255.f) / 255.f - spec.mean[static_cast<std::size_t>(c)]) /
                           spec.std[static_cast<std::size_t>(c)];
        for (int i = 0; i < 24 * 16; ++i) {
          worst = std::max(worst, std::fabs(out[(n * 3 + static_cast<std::size_t>(c)) * 24 * 16 +
                                                static_cast<std::size_t>(i)] - want));
        }
      }
    EXPECT_LE(worst, 1e-5f) << "Y=" << int{k.y} << " U=" << int{k.u} << " V=" << int{k.v};
  }
}

// Half-pixel centres: a 2x stretch of a 2-pixel-wide ramp interpolates
// between the two pixel values with weights 1/4 and 3/4.
TEST(GpuRefTensor, StretchUsesPixelCentres) {
  HostNv12 f = constant_nv12(4, 2, 16, 128, 128);
  f.y(1, 0) = f.y(1, 1) = 235;  // columns: 16, 235, 16, 16
  TensorSpec spec;
  spec.out_w = 4;
  spec.out_h = 2;
  spec.mean = {0.f, 0.f, 0.f};
  spec.std = {1.f, 1.f, 1.f};
  const RoiF roi{0, 0, 2, 2};  // columns 0..1 stretched to 4 outputs
  std::vector<float> out(3 * 4 * 2);
  ref::nv12_to_tensor(f.cview(), {&roi, 1}, spec, out.data());
  // Output c samples x = (c + 0.5) / 2 - 0.5 = -0.25 (clamped 0), 0.25, 0.75, 1.25.
  EXPECT_NEAR(out[0], 0.0, 1e-6);
  EXPECT_NEAR(out[1], 0.25, 1e-6);
  EXPECT_NEAR(out[2], 0.75, 1e-6);
  EXPECT_NEAR(out[3], 0.75, 1e-6);
}

TEST(GpuRefCrop, IdentityIsExact) {
  HostNv12 src = random_nv12(320, 180, 7);
  HostNv12 dst(320, 180, 48);
  ref::crop_resize_nv12(src.cview(), CropRect{0, 0, 320, 180}, dst.view());
  EXPECT_EQ(max_abs_diff(src, dst), 0);
}

TEST(GpuRefCrop, IntegerShiftIsExact) {
  HostNv12 src = random_nv12(320, 180, 8);
  HostNv12 dst(160, 90);
  ref::crop_resize_nv12(src.cview(), CropRect{40, 20, 160, 90}, dst.view());
  int worst = 0;
  for (int r = 0; r < 90; ++r)
    for (int c = 0; c < 160; ++c) worst = std::max(worst, std::abs(int{dst.y(c, r)} - int{src.y(c + 40, r + 20)}));
  for (int r = 0; r < 45; ++r)
    for (int c = 0; c < 80; ++c)
      for (int k = 0; k < 2; ++k)
        worst = std::max(worst, std::abs(int{dst.uv(c, r, k)} - int{src.uv(c + 20, r + 10, k)}));
  EXPECT_EQ(worst, 0);
}

#if defined(BALLCAM_GPU_TEST_HAVE_RENDER)
// The NV12 reference is the CPU renderer's resampler, plane for plane.
TEST(GpuRefCrop, MatchesRenderResampler) {
  HostNv12 src = random_nv12(320, 180, 9);
  const CropRect crops[] = {{13.37, 20.5, 160, 90}, {200.25, 100.75, 120, 67.5}, {-5.5, -3.25, 400, 225}};
  for (const CropRect& crop : crops) {
    HostNv12 dst(128, 72);
    ref::crop_resize_nv12(src.cview(), crop, dst.view());
    const double sx = crop.w / 128, sy = crop.h / 72;
    std::vector<std::uint8_t> y(128 * 72), u_src(160 * 90), u(64 * 36);
    render::resample_plane_bilinear(src.cview().y, src.pitch, 320, 180, crop.x, crop.y, sx, sy, y.data(), 128, 128,
                                    72);
    int worst = 0;
    for (int r = 0; r < 72; ++r)
      for (int c = 0; c < 128; ++c) worst = std::max(worst, std::abs(int{dst.y(c, r)} - int{y[r * 128 + c]}));
    for (int k = 0; k < 2; ++k) {
      for (int r = 0; r < 90; ++r)
        for (int c = 0; c < 160; ++c) u_src[static_cast<std::size_t>(r * 160 + c)] = src.uv(c, r, k);
      render::resample_plane_bilinear(u_src.data(), 160, 160, 90, crop.x * 0.5, crop.y * 0.5, sx, sy, u.data(), 64,
                                      64, 36);
      for (int r = 0; r < 36; ++r)
        for (int c = 0; c < 64; ++c) worst = std::max(worst, std::abs(int{dst.uv(c, r, k)} - int{u[r * 64 + c]}));
    }
    EXPECT_EQ(worst, 0) << "crop " << crop.x << "," << crop.y << " " << crop.w << "x" << crop.h;
  }
}
#endif

TEST(GpuRefRing, PaintsTheAnnulusAndItsChroma) {
  HostNv12 f = constant_nv12(64, 64, 16, 128, 128);
  RingSpec ring;
  ring.cx = 32.0;
  ring.cy = 32.0;
  ring.radius = 10.0;
  ring.thickness = 3.0;
  ref::draw_ring_nv12(f.view(), ring);
  EXPECT_EQ(int{f.y(32 + 9, 31)}, int{ring.y});   // pixel centre ~9.51 px from the ring centre
  EXPECT_EQ(int{f.y(32, 32)}, 16);                 // centre untouched
  EXPECT_EQ(int{f.y(32 + 14, 32)}, 16);            // outside
  EXPECT_EQ(int{f.uv((32 + 9) / 2, 31 / 2, 0)}, int{ring.u});
  EXPECT_EQ(int{f.uv((32 + 9) / 2, 31 / 2, 1)}, int{ring.v});
  EXPECT_EQ(int{f.uv(16, 16, 0)}, 128);
  // Off-frame rings are clipped, not an error.
  ring.cx = -5.0;
  ring.cy = 70.0;
  ref::draw_ring_nv12(f.view(), ring);
  ring.cx = 1e9;
  ref::draw_ring_nv12(f.view(), ring);
}

// 10 bits rounded to 8: (v + 128) >> 8 of the 16-bit sample, at most 255.
TEST(GpuRefP010, RoundsTenBitsToEight) {
  const testing::HostP010 src(64, 32);
  HostNv12 dst(64, 32);
  ref::p010_to_nv12(src.view(), dst.view());
  int worst = 0;
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 64; ++c) {
      const int ten = src.sample(static_cast<std::size_t>(r), c) >> 6;
      worst = std::max(worst, std::abs(int{dst.y(c, r)} - std::min(255, (ten + 2) / 4)));
    }
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 32; ++c)
      for (int k = 0; k < 2; ++k) {
        const int ten = src.sample(static_cast<std::size_t>(32 + r), 2 * c + k) >> 6;
        worst = std::max(worst, std::abs(int{dst.uv(c, r, k)} - std::min(255, (ten + 2) / 4)));
      }
  EXPECT_EQ(worst, 0);
  EXPECT_EQ(int{dst.y(0, 0)}, 255);  // 0xffc0 and above clamp
  EXPECT_EQ(int{dst.y(3, 0)}, 255);
}

TEST(GpuRefCrosses, PaintsArmsAndChromaClippedInOrder) {
  HostNv12 f = constant_nv12(32, 32, 16, 128, 128);
  CrossSpec a{10, 11, 3, 200, 10, 20};
  CrossSpec b{13, 11, 2, 90, 30, 40};  // meets a's arm at (13, 11): b wins there
  CrossSpec edge{0, 31, 4, 60, 50, 70};
  const CrossSpec all[] = {a, b, edge};
  ref::draw_crosses_nv12(f.view(), all);
  EXPECT_EQ(int{f.y(7, 11)}, 200);
  EXPECT_EQ(int{f.y(10, 8)}, 200);
  EXPECT_EQ(int{f.y(10, 14)}, 200);
  EXPECT_EQ(int{f.y(6, 11)}, 16);   // beyond the arm
  EXPECT_EQ(int{f.y(11, 12)}, 16);  // off the arms
  EXPECT_EQ(int{f.y(13, 11)}, 90);
  EXPECT_EQ(int{f.uv(13 / 2, 11 / 2, 0)}, 30);
  EXPECT_EQ(int{f.uv(10 / 2, 8 / 2, 1)}, 20);
  EXPECT_EQ(int{f.y(0, 27)}, 60);
  EXPECT_EQ(int{f.y(4, 31)}, 60);
  // Wholly outside: nothing, no crash.
  const CrossSpec far{-100, 5000, 6};
  ref::draw_crosses_nv12(f.view(), {&far, 1});
}

#if defined(BALLCAM_GPU_TEST_HAVE_RENDER)
// The NV12 reference paints what the CPU overlay paints on yuv420p, for the
// crosses render::overlay_crosses makes of detections (in, on the edge of
// and outside the crop).
TEST(GpuRefCrosses, MatchesTheCpuOverlay) {
  const int w = 96, h = 64;
  Frame yuv = Frame::allocate(PixelFormat::kYuv420p, w, h);
  HostNv12 nv = constant_nv12(w, h, 16, 128, 128);
  for (int p = 0; p < 3; ++p)
    for (int r = 0; r < (p == 0 ? h : h / 2); ++r)
      std::fill_n(yuv.planes[p] + static_cast<std::ptrdiff_t>(r) * yuv.strides[p], p == 0 ? w : w / 2,
                  std::uint8_t{p == 0 ? std::uint8_t{16} : std::uint8_t{128}});
  const CropRect crop{100.0, 50.0, 192.0, 128.0};
  Detections det;
  for (const Point2 c : {Point2{150.3, 90.9}, Point2{101.0, 51.0}, Point2{291.5, 177.9}, Point2{40.0, 60.0},
                         Point2{160.0, 92.0}}) {
    BallCandidate d;
    d.center = c;
    det.balls.push_back(d);
  }
  const render::OverlayMarks marks{render::overlay_crosses(w, h, crop, det), std::nullopt};
  render::draw_marks(yuv, marks);
  const std::vector<CrossSpec> crosses = cross_specs(marks.crosses);
  ASSERT_EQ(crosses.size(), 5U);
  ref::draw_crosses_nv12(nv.view(), crosses);
  int worst = 0;
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c)
      worst = std::max(worst, std::abs(int{nv.y(c, r)} - int{yuv.planes[0][r * yuv.strides[0] + c]}));
  for (int r = 0; r < h / 2; ++r)
    for (int c = 0; c < w / 2; ++c)
      for (int k = 0; k < 2; ++k)
        worst = std::max(worst, std::abs(int{nv.uv(c, r, k)} - int{yuv.planes[1 + k][r * yuv.strides[1 + k] + c]}));
  EXPECT_EQ(worst, 0);
  EXPECT_NE(int{nv.y(26, 20)}, 16);  // the first cross is there
}
#endif

}  // namespace
}  // namespace ballcam::gpu
