#include "render/overlay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ballcam::render {

namespace {

struct Yuv {
  std::uint8_t y, u, v;
};

constexpr Yuv kGreen{150, 44, 21};
constexpr Yuv kYellow{210, 16, 146};
constexpr Yuv kRed{81, 90, 240};
constexpr Yuv kCyan{170, 166, 16};

void put(Frame& f, int x, int y, Yuv c) {
  if (x < 0 || y < 0 || x >= f.width_px || y >= f.height_px) return;
  f.planes[0][y * f.strides[0] + x] = c.y;
  f.planes[1][(y / 2) * f.strides[1] + x / 2] = c.u;
  f.planes[2][(y / 2) * f.strides[2] + x / 2] = c.v;
}

void ring(Frame& f, double cx, double cy, double radius, double thickness, Yuv c) {
  const int x0 = static_cast<int>(std::floor(cx - radius - thickness));
  const int x1 = static_cast<int>(std::ceil(cx + radius + thickness));
  const int y0 = static_cast<int>(std::floor(cy - radius - thickness));
  const int y1 = static_cast<int>(std::ceil(cy + radius + thickness));
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (std::abs(d - radius) <= thickness * 0.5) put(f, x, y, c);
    }
  }
}

void cross(Frame& f, double cx, double cy, int arm, Yuv c) {
  const int x = static_cast<int>(cx);
  const int y = static_cast<int>(cy);
  for (int d = -arm; d <= arm; ++d) {
    put(f, x + d, y, c);
    put(f, x, y + d, c);
  }
}

}  // namespace

void draw_overlay(Frame& out, const CropRect& crop, const TrackState& track, const Detections& detections) {
  if (crop.w <= 0 || crop.h <= 0) return;
  const double sx = out.width_px / crop.w;
  const double sy = out.height_px / crop.h;
  auto map = [&](Point2 p) { return Point2{(p.x - crop.x) * sx, (p.y - crop.y) * sy}; };
  for (const auto& d : detections.balls) {
    const Point2 p = map(d.center);
    cross(out, p.x, p.y, 6, kCyan);
  }
  if (track.has_estimate) {
    const Yuv colour = track.mode == TrackMode::kTracking  ? kGreen
                       : track.mode == TrackMode::kCoasting ? kYellow
                                                            : kRed;
    const Point2 p = map(track.position);
    const double r = std::max(12.0, 3.0 * std::max(1.0, track.uncertainty_px) * sx);
    ring(out, p.x, p.y, std::min(r, 80.0), 3.0, colour);
  }
}

}  // namespace ballcam::render
