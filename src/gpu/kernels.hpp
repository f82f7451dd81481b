// CUDA kernels on NV12 device frames. Every call is asynchronous on the
// caller's stream: it validates arguments, launches, checks the launch, and
// returns; nothing synchronises the device. All pointers are device memory.
// What each computes is specified by its CPU reference (reference.hpp) and
// the conventions in image_types.hpp.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <span>

#include "core/geometry.hpp"
#include "core/status.hpp"
#include "gpu/image_types.hpp"

namespace ballcam::gpu {

// Regions per launch (they travel in the kernel's parameter block); longer
// batches are split into launches of this many.
inline constexpr int kMaxRoisPerLaunch = 64;

// Each ROI of `src` -> bilinear stretch to spec.out_w x spec.out_h,
// YUV->RGB (spec.matrix, spec.range), /255, (x - mean) / std, written as
// [N,3,H,W] (N = rois.size()) into `out`, which the caller owns (e.g. a
// torch tensor's data_ptr). OutT is float or __half.
template <typename OutT>
Status nv12_to_tensor(const Nv12View& src, std::span<const RoiF> rois, const TensorSpec& spec, OutT* out,
                      cudaStream_t stream);

extern template Status nv12_to_tensor<float>(const Nv12View&, std::span<const RoiF>, const TensorSpec&, float*,
                                             cudaStream_t);
extern template Status nv12_to_tensor<__half>(const Nv12View&, std::span<const RoiF>, const TensorSpec&, __half*,
                                              cudaStream_t);

// Crop `crop` (sub-pixel) out of `src` and resize into `dst` (its size is the
// output size), NV12 -> NV12, bilinear with 8-bit weights: bit-exact with
// ref::crop_resize_nv12 and render::resample_plane_bilinear.
Status crop_resize_nv12(const Nv12View& src, const CropRect& crop, const Nv12MutView& dst, cudaStream_t stream);

// Paint a ring into `frame` in place (render/overlay.cpp's ring()).
Status draw_ring_nv12(const Nv12MutView& frame, const RingSpec& ring, cudaStream_t stream);

// 10-bit P010 -> 8-bit NV12 of the same size (ref::p010_to_nv12).
Status p010_to_nv12(const P010View& src, const Nv12MutView& dst, cudaStream_t stream);

// Paint crosses into `frame` in place, in order (a later one wins where they
// meet): ref::draw_crosses_nv12.
Status draw_crosses_nv12(const Nv12MutView& frame, std::span<const CrossSpec> crosses, cudaStream_t stream);

}  // namespace ballcam::gpu
