#include "gpu/reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace ballcam::gpu::ref {

namespace {

constexpr int kFracBits = 8;
constexpr int kOne = 1 << kFracBits;

// Integer tap + 8-bit fraction of a clamped source coordinate.
struct Tap {
  int index;
  int frac;
};

Tap fixed_tap(double s, int size) {
  s = std::clamp(s, 0.0, static_cast<double>(size - 1));
  int i = static_cast<int>(s);
  int f = static_cast<int>(std::lround((s - i) * kOne));
  if (f == kOne) {
    ++i;
    f = 0;
  }
  return {i, f};
}

float bilinear(const std::uint8_t* plane, int pitch, int step_bytes, int w, int h, float sx, float sy) {
  sx = std::clamp(sx, 0.f, static_cast<float>(w - 1));
  sy = std::clamp(sy, 0.f, static_cast<float>(h - 1));
  const int x0 = static_cast<int>(sx);
  const int y0 = static_cast<int>(sy);
  const int x1 = std::min(x0 + 1, w - 1);
  const int y1 = std::min(y0 + 1, h - 1);
  const float fx = sx - static_cast<float>(x0);
  const float fy = sy - static_cast<float>(y0);
  auto at = [&](int x, int y) {
    return static_cast<float>(plane[static_cast<std::ptrdiff_t>(y) * pitch + static_cast<std::ptrdiff_t>(x) * step_bytes]);
  };
  const float top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * fx;
  const float bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * fx;
  return top + (bottom - top) * fy;
}

void resample_plane(const std::uint8_t* src, int src_pitch, int step_bytes, int src_w, int src_h, double x0,
                    double y0, double step_x, double step_y, std::uint8_t* dst, int dst_pitch, int dst_w,
                    int dst_h) {
  for (int r = 0; r < dst_h; ++r) {
    const double sy = y0 + (r + 0.5) * step_y - 0.5;
    for (int c = 0; c < dst_w; ++c) {
      const double sx = x0 + (c + 0.5) * step_x - 0.5;
      dst[static_cast<std::ptrdiff_t>(r) * dst_pitch + static_cast<std::ptrdiff_t>(c) * step_bytes] =
          sample_fixed_point(src, src_pitch, step_bytes, src_w, src_h, sx, sy);
    }
  }
}

}  // namespace

std::uint8_t sample_fixed_point(const std::uint8_t* plane, int pitch, int step_bytes, int plane_w, int plane_h,
                                double sx, double sy) {
  const Tap tx = fixed_tap(sx, plane_w);
  const Tap ty = fixed_tap(sy, plane_h);
  const int x1 = std::min(tx.index + 1, plane_w - 1);
  const int y1 = std::min(ty.index + 1, plane_h - 1);
  auto at = [&](int x, int y) {
    return static_cast<std::uint32_t>(
        plane[static_cast<std::ptrdiff_t>(y) * pitch + static_cast<std::ptrdiff_t>(x) * step_bytes]);
  };
  // Vertical then horizontal, the order render::resample_plane_bilinear uses.
  const std::uint32_t wa = static_cast<std::uint32_t>(kOne - ty.frac);
  const std::uint32_t wb = static_cast<std::uint32_t>(ty.frac);
  const std::uint32_t left = at(tx.index, ty.index) * wa + at(tx.index, y1) * wb;
  const std::uint32_t right = at(x1, ty.index) * wa + at(x1, y1) * wb;
  const std::uint32_t v = left * static_cast<std::uint32_t>(kOne - tx.frac) + right * static_cast<std::uint32_t>(tx.frac);
  return static_cast<std::uint8_t>((v + (1u << (2 * kFracBits - 1))) >> (2 * kFracBits));
}

void nv12_to_tensor(const Nv12View& src, std::span<const RoiF> rois, const TensorSpec& spec, float* out) {
  const YuvToRgb m = yuv_to_rgb(spec.matrix, spec.range);
  const int cw = src.width_px / 2;
  const int ch = src.height_px / 2;
  const std::size_t plane = static_cast<std::size_t>(spec.out_w) * static_cast<std::size_t>(spec.out_h);
  for (std::size_t n = 0; n < rois.size(); ++n) {
    const RoiF& roi = rois[n];
    const float step_x = roi.w / static_cast<float>(spec.out_w);
    const float step_y = roi.h / static_cast<float>(spec.out_h);
    float* base = out + n * 3 * plane;
    for (int r = 0; r < spec.out_h; ++r) {
      const float py = roi.y + (static_cast<float>(r) + 0.5f) * step_y;  // output pixel centre
      const float sy = py - 0.5f;
      const bool row_inside = py >= 0.f && py <= static_cast<float>(src.height_px);
      for (int c = 0; c < spec.out_w; ++c) {
        const float px = roi.x + (static_cast<float>(c) + 0.5f) * step_x;
        const float sx = px - 0.5f;
        const std::size_t at = static_cast<std::size_t>(r) * static_cast<std::size_t>(spec.out_w) +
                               static_cast<std::size_t>(c);
        if (spec.zero_outside && !(row_inside && px >= 0.f && px <= static_cast<float>(src.width_px))) {
          for (int k = 0; k < 3; ++k) base[static_cast<std::size_t>(k) * plane + at] = 0.f;
          continue;
        }
        const float y = bilinear(src.y, src.y_pitch, 1, src.width_px, src.height_px, sx, sy);
        const float csx = (sx + 0.5f) * 0.5f - 0.5f;
        const float csy = (sy + 0.5f) * 0.5f - 0.5f;
        const float u = bilinear(src.uv, src.uv_pitch, 2, cw, ch, csx, csy) - 128.f;
        const float v = bilinear(src.uv + 1, src.uv_pitch, 2, cw, ch, csx, csy) - 128.f;
        const float yy = (y - m.y_offset) * m.y_scale;
        const float rgb[3] = {yy + m.r_v * v, yy + m.g_u * u + m.g_v * v, yy + m.b_u * u};
        for (int k = 0; k < 3; ++k) {
          const float unit = std::clamp(rgb[k], 0.f, 255.f) * (1.f / 255.f);
          base[static_cast<std::size_t>(k) * plane + at] = (unit - spec.mean[static_cast<std::size_t>(k)]) /
                                                           spec.std[static_cast<std::size_t>(k)];
        }
      }
    }
  }
}

void crop_resize_nv12(const Nv12View& src, const CropRect& crop, const Nv12MutView& dst) {
  const double step_x = crop.w / dst.width_px;
  const double step_y = crop.h / dst.height_px;
  resample_plane(src.y, src.y_pitch, 1, src.width_px, src.height_px, crop.x, crop.y, step_x, step_y, dst.y,
                 dst.y_pitch, dst.width_px, dst.height_px);
  for (int k = 0; k < 2; ++k) {
    resample_plane(src.uv + k, src.uv_pitch, 2, src.width_px / 2, src.height_px / 2, crop.x * 0.5, crop.y * 0.5,
                   step_x, step_y, dst.uv + k, dst.uv_pitch, dst.width_px / 2, dst.height_px / 2);
  }
}

void draw_ring_nv12(const Nv12MutView& frame, const RingSpec& ring) {
  const double reach = ring.radius + ring.thickness;
  if (ring.cx + reach < 0.0 || ring.cy + reach < 0.0 || ring.cx - reach > frame.width_px ||
      ring.cy - reach > frame.height_px) {
    return;
  }
  const int x0 = static_cast<int>(std::max(0.0, std::floor(ring.cx - reach)));
  const int x1 = static_cast<int>(std::min(frame.width_px - 1.0, std::ceil(ring.cx + reach)));
  const int y0 = static_cast<int>(std::max(0.0, std::floor(ring.cy - reach)));
  const int y1 = static_cast<int>(std::min(frame.height_px - 1.0, std::ceil(ring.cy + reach)));
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const double d = std::hypot(x + 0.5 - ring.cx, y + 0.5 - ring.cy);
      if (std::abs(d - ring.radius) > ring.thickness * 0.5) continue;
      frame.y[static_cast<std::ptrdiff_t>(y) * frame.y_pitch + x] = ring.y;
      std::uint8_t* uv = frame.uv + static_cast<std::ptrdiff_t>(y / 2) * frame.uv_pitch + (x / 2) * 2;
      uv[0] = ring.u;
      uv[1] = ring.v;
    }
  }
}

void p010_to_nv12(const P010View& src, const Nv12MutView& dst) {
  auto to8 = [](const std::uint8_t* p) {
    const unsigned v = static_cast<unsigned>(p[0]) | (static_cast<unsigned>(p[1]) << 8);
    return static_cast<std::uint8_t>(std::min(255U, (v + 128U) >> 8));
  };
  for (int r = 0; r < dst.height_px; ++r)
    for (int c = 0; c < dst.width_px; ++c)
      dst.y[static_cast<std::ptrdiff_t>(r) * dst.y_pitch + c] = to8(src.y + static_cast<std::ptrdiff_t>(r) * src.y_pitch + 2 * c);
  for (int r = 0; r < dst.height_px / 2; ++r)
    for (int c = 0; c < dst.width_px; ++c)
      dst.uv[static_cast<std::ptrdiff_t>(r) * dst.uv_pitch + c] =
          to8(src.uv + static_cast<std::ptrdiff_t>(r) * src.uv_pitch + 2 * c);
}

void draw_crosses_nv12(const Nv12MutView& frame, std::span<const CrossSpec> crosses) {
  auto put = [&](int x, int y, const CrossSpec& c) {
    if (x < 0 || y < 0 || x >= frame.width_px || y >= frame.height_px) return;
    frame.y[static_cast<std::ptrdiff_t>(y) * frame.y_pitch + x] = c.y;
    std::uint8_t* uv = frame.uv + static_cast<std::ptrdiff_t>(y / 2) * frame.uv_pitch + (x / 2) * 2;
    uv[0] = c.u;
    uv[1] = c.v;
  };
  for (const CrossSpec& c : crosses) {
    for (int d = -c.arm; d <= c.arm; ++d) {
      put(c.cx + d, c.cy, c);
      put(c.cx, c.cy + d, c);
    }
  }
}

}  // namespace ballcam::gpu::ref
