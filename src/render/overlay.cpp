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

void ring(Frame& f, const OverlayRing& r) {
  const double cx = r.cx, cy = r.cy, radius = r.radius, thickness = r.thickness;
  const Yuv c{r.y, r.u, r.v};
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

void cross(Frame& f, const OverlayCross& c) {
  const Yuv colour{c.y, c.u, c.v};
  for (int d = -c.arm; d <= c.arm; ++d) {
    put(f, c.cx + d, c.cy, colour);
    put(f, c.cx, c.cy + d, colour);
  }
}

}  // namespace

std::optional<OverlayRing> overlay_ring(int out_w, int out_h, const CropRect& crop, const TrackState& track) {
  if (crop.w <= 0 || crop.h <= 0 || !track.has_estimate) return std::nullopt;
  const double sx = out_w / crop.w;
  const double sy = out_h / crop.h;
  const Yuv colour = track.mode == TrackMode::kTracking  ? kGreen
                     : track.mode == TrackMode::kCoasting ? kYellow
                                                          : kRed;
  const double r = std::max(12.0, 3.0 * std::max(1.0, track.uncertainty_px) * sx);
  return OverlayRing{(track.position.x - crop.x) * sx, (track.position.y - crop.y) * sy, std::min(r, 80.0), 3.0,
                     colour.y, colour.u, colour.v};
}

std::vector<OverlayCross> overlay_crosses(int out_w, int out_h, const CropRect& crop, const Detections& detections) {
  std::vector<OverlayCross> out;
  if (crop.w <= 0 || crop.h <= 0) return out;
  const double sx = out_w / crop.w;
  const double sy = out_h / crop.h;
  out.reserve(detections.balls.size());
  for (const auto& d : detections.balls) {
    const double x = (d.center.x - crop.x) * sx;
    const double y = (d.center.y - crop.y) * sy;
    if (!(std::abs(x) < 1e6 && std::abs(y) < 1e6)) continue;  // far off the picture (or not a number)
    out.push_back(OverlayCross{static_cast<int>(x), static_cast<int>(y), 6, kCyan.y, kCyan.u, kCyan.v});
  }
  return out;
}

OverlayMarks overlay_marks(int out_w, int out_h, const CropRect& crop, const TrackState& track,
                           const Detections& detections) {
  return OverlayMarks{overlay_crosses(out_w, out_h, crop, detections), overlay_ring(out_w, out_h, crop, track)};
}

void draw_marks(Frame& out, const OverlayMarks& marks) {
  for (const OverlayCross& c : marks.crosses) cross(out, c);
  if (marks.ring) ring(out, *marks.ring);
}

void draw_overlay(Frame& out, const CropRect& crop, const TrackState& track, const Detections& detections) {
  draw_marks(out, overlay_marks(out.width_px, out.height_px, crop, track, detections));
}

}  // namespace ballcam::render
