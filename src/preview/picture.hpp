// The preview picture: the output frame downscaled (swscale, to full-range
// yuv420p), the ball estimate marked, encoded as JPEG (libavcodec mjpeg,
// yuvj420p). Not thread-safe: one per preview thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/frame.hpp"
#include "core/geometry.hpp"
#include "core/status.hpp"

namespace ballcam::preview {

// Where the ball estimate lands in a picture of size (w, h) showing `crop`
// of the source; nullopt-like {false} when the tracker has no estimate.
struct Mark {
  bool visible = false;
  double x = 0.0;
  double y = 0.0;
};
Mark ball_mark(const TrackState& track, const CropRect& crop, int width_px, int height_px);

class PictureEncoder {
 public:
  // Pictures are `width_px` wide (even); the height keeps the frame's aspect.
  PictureEncoder(int width_px, int quality);
  ~PictureEncoder();
  PictureEncoder(const PictureEncoder&) = delete;
  PictureEncoder& operator=(const PictureEncoder&) = delete;

  // `frame`: host yuv420p or NV12 (the GPU path). Returns the JPEG bytes.
  Result<std::vector<std::uint8_t>> encode(const Frame& frame, const TrackState& track, const CropRect& crop);

  int last_width_px() const { return out_w_; }
  int last_height_px() const { return out_h_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int width_px_;
  int quality_;
  int out_w_ = 0;
  int out_h_ = 0;
};

// Draws a ring (and a centre dot) into a full-range yuv420p picture.
void draw_ring(Frame& picture, double cx, double cy, double radius, double thickness, std::uint8_t y,
               std::uint8_t u, std::uint8_t v);

}  // namespace ballcam::preview
