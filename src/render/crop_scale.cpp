#include "render/crop_scale.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ballcam::render {

namespace {
constexpr int kFracBits = 8;
constexpr int kOne = 1 << kFracBits;
}  // namespace

// AVX2 where the CPU has it (chosen at load time), baseline x86-64 elsewhere.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__)
#define BALLCAM_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define BALLCAM_TARGET_CLONES
#endif

BALLCAM_TARGET_CLONES
void resample_plane_bilinear(const std::uint8_t* src, int src_stride, int src_w, int src_h, double x0,
                             double y0, double step_x, double step_y, std::uint8_t* dst, int dst_stride,
                             int dst_w, int dst_h) {
  // Column taps, shared by every row. Positions are pixel centres:
  // source coordinate of output column c is x0 + (c + 0.5) * step_x - 0.5.
  thread_local std::vector<int> col_index;
  thread_local std::vector<std::uint16_t> col_frac;
  thread_local std::vector<std::uint16_t> row_mix;
  col_index.resize(static_cast<std::size_t>(dst_w));
  col_frac.resize(static_cast<std::size_t>(dst_w));
  int span_lo = src_w;
  int span_hi = 0;
  for (int c = 0; c < dst_w; ++c) {
    double sx = x0 + (c + 0.5) * step_x - 0.5;
    sx = std::clamp(sx, 0.0, static_cast<double>(src_w - 1));
    int ix = static_cast<int>(sx);
    int fx = static_cast<int>(std::lround((sx - ix) * kOne));
    if (fx == kOne) {
      ++ix;
      fx = 0;
    }
    col_index[static_cast<std::size_t>(c)] = ix;
    col_frac[static_cast<std::size_t>(c)] = static_cast<std::uint16_t>(fx);
    span_lo = std::min(span_lo, ix);
    span_hi = std::max(span_hi, ix + 1);  // may be src_w: padded below
  }
  row_mix.resize(static_cast<std::size_t>(src_w) + 1);

  for (int r = 0; r < dst_h; ++r) {
    double sy = y0 + (r + 0.5) * step_y - 0.5;
    sy = std::clamp(sy, 0.0, static_cast<double>(src_h - 1));
    int iy = static_cast<int>(sy);
    int fy = static_cast<int>(std::lround((sy - iy) * kOne));
    if (fy == kOne) {
      ++iy;
      fy = 0;
    }
    const int iy1 = std::min(iy + 1, src_h - 1);
    const std::uint8_t* a = src + static_cast<std::ptrdiff_t>(iy) * src_stride;
    const std::uint8_t* b = src + static_cast<std::ptrdiff_t>(iy1) * src_stride;
    std::uint16_t* mix = row_mix.data();
    const int wa = kOne - fy;
    // Vertical pass over the columns the taps touch (vectorises).
    const int last = std::min(span_hi, src_w - 1);
    for (int x = span_lo; x <= last; ++x) {
      mix[x] = static_cast<std::uint16_t>(a[x] * wa + b[x] * fy);
    }
    if (span_hi > last) mix[span_hi] = mix[last];
    std::uint8_t* out = dst + static_cast<std::ptrdiff_t>(r) * dst_stride;
    for (int c = 0; c < dst_w; ++c) {
      const int ix = col_index[static_cast<std::size_t>(c)];
      const std::uint32_t fx = col_frac[static_cast<std::size_t>(c)];
      const std::uint32_t v = mix[ix] * (kOne - fx) + mix[ix + 1] * fx;
      out[c] = static_cast<std::uint8_t>((v + (1u << (2 * kFracBits - 1))) >> (2 * kFracBits));
    }
  }
}

CropScaler::CropScaler(int output_width_px, int output_height_px)
    : out_w_(output_width_px), out_h_(output_height_px) {
  if (out_w_ <= 0 || out_h_ <= 0 || out_w_ % 2 != 0 || out_h_ % 2 != 0) {
    throw std::invalid_argument("output size must be positive and even");
  }
}

Frame CropScaler::render(const Frame& src, const CropRect& crop) const {
  if (src.format != PixelFormat::kYuv420p || src.memory != MemoryLocation::kHost) {
    throw std::invalid_argument("CropScaler: host yuv420p input expected");
  }
  Frame out = Frame::allocate(PixelFormat::kYuv420p, out_w_, out_h_);
  out.pts_us = src.pts_us;
  out.index = src.index;
  const double step_x = crop.w / out_w_;
  const double step_y = crop.h / out_h_;
  resample_plane_bilinear(src.planes[0], src.strides[0], src.width_px, src.height_px, crop.x, crop.y, step_x,
                          step_y, out.planes[0], out.strides[0], out_w_, out_h_);
  const int cw = (src.width_px + 1) / 2;
  const int ch = (src.height_px + 1) / 2;
  for (int p = 1; p <= 2; ++p) {
    resample_plane_bilinear(src.planes[p], src.strides[p], cw, ch, crop.x * 0.5, crop.y * 0.5, step_x, step_y,
                            out.planes[p], out.strides[p], out_w_ / 2, out_h_ / 2);
  }
  return out;
}

}  // namespace ballcam::render
