// Debug overlay drawn onto the output picture (--overlay): the tracker's
// estimate as a ring (green tracking, yellow coasting, red lost) and the raw
// detections as small crosses. CPU reference for the device overlay.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/frame.hpp"
#include "core/geometry.hpp"

namespace ballcam::render {

// The tracker's ring on an out_w x out_h output picture showing `crop`:
// painted where |distance(pixel centre, centre) - radius| <= thickness / 2,
// and a chroma sample where any of its four luma pixels is. The GPU path
// paints it with gpu::draw_ring_nv12.
struct OverlayRing {
  double cx = 0.0, cy = 0.0, radius = 0.0, thickness = 3.0;
  std::uint8_t y = 0, u = 0, v = 0;
};
std::optional<OverlayRing> overlay_ring(int out_w, int out_h, const CropRect& crop, const TrackState& track);

// The raw detections as small crosses on an out_w x out_h picture: at the
// truncated pixel (cx, cy), `arm` pixels each way along the row and the
// column; a chroma sample takes the colour of any of its painted pixels.
// The GPU path paints them with gpu::draw_crosses_nv12.
struct OverlayCross {
  int cx = 0, cy = 0, arm = 6;
  std::uint8_t y = 0, u = 0, v = 0;
};
std::vector<OverlayCross> overlay_crosses(int out_w, int out_h, const CropRect& crop, const Detections& detections);

// What the overlay paints on one output picture: the crosses, then the ring.
struct OverlayMarks {
  std::vector<OverlayCross> crosses;
  std::optional<OverlayRing> ring;
};
OverlayMarks overlay_marks(int out_w, int out_h, const CropRect& crop, const TrackState& track,
                           const Detections& detections);

// The marks onto a host yuv420p picture: the crosses, then the ring (the
// GPU path paints the same on NV12).
void draw_marks(Frame& out, const OverlayMarks& marks);

// overlay_marks() for `out`'s size, drawn with draw_marks().
void draw_overlay(Frame& out, const CropRect& crop, const TrackState& track, const Detections& detections);

}  // namespace ballcam::render
