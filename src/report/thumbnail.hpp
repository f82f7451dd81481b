// Decoded video frame -> small RGB picture for the contact sheet.
#pragma once

#include "core/frame.hpp"
#include "core/status.hpp"
#include "report/canvas.hpp"

namespace ballcam::report {

// Converts a host yuv420p frame (BT.709, limited range: the range x264 and the
// synthesiser write) to RGB at width_px x height_px. Each output pixel is the
// box-filtered average of the source pixels it covers, so downscaling does not
// alias; upscaling degrades to nearest neighbour (never needed for thumbnails).
Result<Canvas> yuv420_to_rgb_scaled(const Frame& frame, int width_px, int height_px);

}  // namespace ballcam::report
