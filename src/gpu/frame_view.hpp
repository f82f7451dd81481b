// Views of ballcam Frames and geometry as the kernels' image types: an NV12
// Frame (host or device planes) as an Nv12View, a source window as a RoiF,
// the overlay's ring as a RingSpec and its crosses as CrossSpecs. No CUDA here.
#pragma once

#include <vector>

#include "core/frame.hpp"
#include "core/geometry.hpp"
#include "gpu/image_types.hpp"

namespace ballcam::gpu {

// Planes 0 (Y) and 1 (UV) of an NV12 frame.
inline Nv12View nv12_view(const Frame& f) {
  return {f.planes[0], f.strides[0], f.planes[1], f.strides[1], f.width_px, f.height_px};
}
inline Nv12MutView nv12_mut_view(Frame& f) {
  return {f.planes[0], f.strides[0], f.planes[1], f.strides[1], f.width_px, f.height_px};
}

inline RoiF roi_of(const Box& b) {
  return {static_cast<float>(b.x), static_cast<float>(b.y), static_cast<float>(b.w), static_cast<float>(b.h)};
}

// A ring of `r`'s geometry and colour (any type with cx, cy, radius,
// thickness, y, u, v: render::OverlayRing).
template <typename Ring>
RingSpec ring_spec(const Ring& r) {
  RingSpec s;
  s.cx = r.cx;
  s.cy = r.cy;
  s.radius = r.radius;
  s.thickness = r.thickness;
  s.y = r.y;
  s.u = r.u;
  s.v = r.v;
  return s;
}

// Crosses of `crosses`' positions, arms and colours (render::OverlayCross).
template <typename Cross>
std::vector<CrossSpec> cross_specs(const std::vector<Cross>& crosses) {
  std::vector<CrossSpec> out;
  out.reserve(crosses.size());
  for (const Cross& c : crosses) out.push_back(CrossSpec{c.cx, c.cy, c.arm, c.y, c.u, c.v});
  return out;
}

}  // namespace ballcam::gpu
