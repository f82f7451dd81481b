// Debug overlay drawn onto the output picture (--overlay): the tracker's
// estimate as a ring (green tracking, yellow coasting, red lost) and the raw
// detections as small crosses. CPU reference for the device overlay.
#pragma once

#include "core/frame.hpp"
#include "core/geometry.hpp"

namespace ballcam::render {

void draw_overlay(Frame& out, const CropRect& crop, const TrackState& track, const Detections& detections);

}  // namespace ballcam::render
