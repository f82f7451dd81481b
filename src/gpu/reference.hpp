// CPU references of the gpu/ kernels, on host NV12 buffers. Plain C++, built
// with or without CUDA; the GPU tests compare every kernel against these, and
// they are the specification of what the kernels compute (conventions in
// image_types.hpp).
#pragma once

#include <cstdint>
#include <span>

#include "core/geometry.hpp"
#include "gpu/image_types.hpp"

namespace ballcam::gpu::ref {

// One region -> out_w x out_h RGB planar floats, normalised (TensorSpec).
// `out` holds rois.size() * 3 * out_h * out_w floats, laid out [N,3,H,W].
void nv12_to_tensor(const Nv12View& src, std::span<const RoiF> rois, const TensorSpec& spec, float* out);

// Crop `crop` (sub-pixel, source pixels) out of `src` and resize it to
// dst's size, bilinear, 8-bit fixed-point weights exactly as
// render::resample_plane_bilinear (so the GPU result can be bit-exact).
// Chroma uses the crop halved on the half-size UV plane.
void crop_resize_nv12(const Nv12View& src, const CropRect& crop, const Nv12MutView& dst);

// Paints the ring into `frame` in place (render/overlay.cpp's ring()).
void draw_ring_nv12(const Nv12MutView& frame, const RingSpec& ring);

// Paints the crosses into `frame` in place, in order (render/overlay.cpp's
// cross()).
void draw_crosses_nv12(const Nv12MutView& frame, std::span<const CrossSpec> crosses);

// 10-bit P010 -> 8-bit NV12 of the same size: each sample (v + 128) >> 8,
// at most 255 (the 10-bit value rounded to 8 bits).
void p010_to_nv12(const P010View& src, const Nv12MutView& dst);

// One output sample of the bilinear resampler, exposed for tests.
std::uint8_t sample_fixed_point(const std::uint8_t* plane, int pitch, int step_bytes, int plane_w, int plane_h,
                                double sx, double sy);

}  // namespace ballcam::gpu::ref
