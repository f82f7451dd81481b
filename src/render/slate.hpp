// The picture a live output shows while its input has been away for a while:
// 75 % colour bars over a black band, unmistakably "no signal" to a viewer.
#pragma once

#include "core/frame.hpp"

namespace ballcam::render {

// A host yuv420p frame of the given (even) size.
Frame make_slate(int width_px, int height_px);

}  // namespace ballcam::render
