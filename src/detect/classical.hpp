// "classical": ball and player detection for a fixed wide camera, no model.
//
// Works at half resolution (each 2x2 luma block averaged, which lines up with
// the yuv420p chroma samples). A per-pixel background model (8.4 fixed point,
// fast update where the pixel looks like background, very slow where it is
// foreground, so passing players and the ball do not burn in) removes the
// grass texture and the static pitch markings. Ball candidates are small,
// compact, bright, low-saturation foreground blobs with no coloured
// foreground (kit, skin) around them; the centre is refined at full
// resolution (intensity-weighted centroid). A light motion prior (DetectHints
// or the detector's own last confident detection) favours candidates where
// the ball should be, and blobs that sit still for seconds lose score (dim
// ones after a second: ghosts of what the background learned during warm-up).
// A ball in front of a player's feet is told from a sock by the strip of plain
// grass between it and the feet; a still ball half hidden by the player over
// it is held at its spot for up to 3 s while part of its disc stays bright.
// Player boxes come from the coloured-foreground blobs.
#pragma once

#include <cstdint>
#include <memory>

#include "detect/detector.hpp"

namespace ballcam::detect {

// Tuning knobs of the classical backend (defaults suit broadcast-like 8-bit
// video; thresholds are in 8-bit luma/chroma levels at half resolution).
struct ClassicalParams {
  int warmup_frames = 25;          // frames of fast, unconditional background learning
  int bright_threshold = 16;       // luma rise over background that marks a "bright" pixel
  int foreground_threshold = 40;   // 2*|dU|+2*|dV|+max(dY,0) that marks coloured foreground
  int fast_update_shift = 4;       // background pixels: bg += diff / 16 per frame
  int slow_update_shift = 9;       // foreground pixels: bg += diff / 512 per frame
};

std::unique_ptr<Detector> make_classical_detector(const DetectorConfig& config,
                                                  const ClassicalParams& params = {});

DetectorInfo classical_detector_info();

}  // namespace ballcam::detect
