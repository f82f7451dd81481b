// The virtual camera's picture: a sub-pixel crop of the source, resampled
// (bilinear) to the output size. Sub-pixel crop positions matter: a slow pan
// quantised to whole pixels judders visibly. This is also the CPU reference
// for the CUDA crop/resize kernel.
#pragma once

#include <cstdint>
#include <vector>

#include "core/frame.hpp"
#include "core/geometry.hpp"

namespace ballcam::render {

// Resamples one 8-bit plane. (x0, y0) is the source position, in source
// pixels, of the top-left corner of the output's top-left pixel; (step_x,
// step_y) is source pixels per output pixel. Samples outside the plane clamp
// to the edge.
void resample_plane_bilinear(const std::uint8_t* src, int src_stride, int src_w, int src_h, double x0,
                             double y0, double step_x, double step_y, std::uint8_t* dst, int dst_stride,
                             int dst_w, int dst_h);

class CropScaler {
 public:
  CropScaler(int output_width_px, int output_height_px);

  // `src` is a host yuv420p frame; returns a new yuv420p frame of the output
  // size carrying src's pts and index.
  Frame render(const Frame& src, const CropRect& crop) const;

  int output_width_px() const { return out_w_; }
  int output_height_px() const { return out_h_; }

 private:
  int out_w_;
  int out_h_;
};

}  // namespace ballcam::render
