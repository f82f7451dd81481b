#include "gpu/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "gpu/cuda_check.hpp"

namespace ballcam::gpu {

namespace {

// ---- nv12_to_tensor ---------------------------------------------------------

struct RoiBatch {
  RoiF roi[kMaxRoisPerLaunch];
};

struct TensorParams {
  YuvToRgb m;
  float scale[3];   // 1 / (255 * std)
  float offset[3];  // -mean / std
  int out_w;
  int out_h;
  bool zero_outside;
};

__device__ __forceinline__ float bilinear_y(const std::uint8_t* __restrict__ p, int pitch, int w, int h, float sx,
                                            float sy) {
  sx = fminf(fmaxf(sx, 0.f), static_cast<float>(w - 1));
  sy = fminf(fmaxf(sy, 0.f), static_cast<float>(h - 1));
  const int x0 = static_cast<int>(sx);
  const int y0 = static_cast<int>(sy);
  const int x1 = min(x0 + 1, w - 1);
  const int y1 = min(y0 + 1, h - 1);
  const float fx = sx - static_cast<float>(x0);
  const float fy = sy - static_cast<float>(y0);
  const std::uint8_t* r0 = p + static_cast<std::ptrdiff_t>(y0) * pitch;
  const std::uint8_t* r1 = p + static_cast<std::ptrdiff_t>(y1) * pitch;
  const float a = __ldg(r0 + x0), b = __ldg(r0 + x1), c = __ldg(r1 + x0), d = __ldg(r1 + x1);
  const float top = a + (b - a) * fx;
  const float bottom = c + (d - c) * fx;
  return top + (bottom - top) * fy;
}

// Bilinear U and V from the interleaved plane (one 2-byte load per tap).
__device__ __forceinline__ float2 bilinear_uv(const std::uint8_t* __restrict__ p, int pitch, int w, int h, float sx,
                                              float sy) {
  sx = fminf(fmaxf(sx, 0.f), static_cast<float>(w - 1));
  sy = fminf(fmaxf(sy, 0.f), static_cast<float>(h - 1));
  const int x0 = static_cast<int>(sx);
  const int y0 = static_cast<int>(sy);
  const int x1 = min(x0 + 1, w - 1);
  const int y1 = min(y0 + 1, h - 1);
  const float fx = sx - static_cast<float>(x0);
  const float fy = sy - static_cast<float>(y0);
  const auto* r0 = reinterpret_cast<const uchar2*>(p + static_cast<std::ptrdiff_t>(y0) * pitch);
  const auto* r1 = reinterpret_cast<const uchar2*>(p + static_cast<std::ptrdiff_t>(y1) * pitch);
  const uchar2 a = __ldg(r0 + x0), b = __ldg(r0 + x1), c = __ldg(r1 + x0), d = __ldg(r1 + x1);
  const float tu = a.x + (static_cast<float>(b.x) - a.x) * fx;
  const float bu = c.x + (static_cast<float>(d.x) - c.x) * fx;
  const float tv = a.y + (static_cast<float>(b.y) - a.y) * fx;
  const float bv = c.y + (static_cast<float>(d.y) - c.y) * fx;
  return make_float2(tu + (bu - tu) * fy, tv + (bv - tv) * fy);
}

template <typename OutT>
__device__ __forceinline__ OutT to_out(float v);
template <>
__device__ __forceinline__ float to_out<float>(float v) {
  return v;
}
template <>
__device__ __forceinline__ __half to_out<__half>(float v) {
  return __float2half_rn(v);
}

// grid: (ceil(W/32), ceil(H/8), rois); one thread per output pixel, three
// coalesced plane writes.
template <typename OutT>
__global__ void nv12_to_tensor_kernel(Nv12View src, RoiBatch batch, TensorParams p, OutT* __restrict__ out) {
  const int c = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const int r = static_cast<int>(blockIdx.y * blockDim.y + threadIdx.y);
  if (c >= p.out_w || r >= p.out_h) return;
  const RoiF roi = batch.roi[blockIdx.z];
  const float step_x = roi.w / static_cast<float>(p.out_w);
  const float step_y = roi.h / static_cast<float>(p.out_h);
  // Explicit rounding steps (no FMA contraction) so coordinates match the
  // CPU reference bit for bit.
  const float px = __fadd_rn(roi.x, __fmul_rn(static_cast<float>(c) + 0.5f, step_x));  // output pixel centre
  const float py = __fadd_rn(roi.y, __fmul_rn(static_cast<float>(r) + 0.5f, step_y));
  const std::size_t plane = static_cast<std::size_t>(p.out_w) * static_cast<std::size_t>(p.out_h);
  OutT* base = out + static_cast<std::size_t>(blockIdx.z) * 3 * plane + static_cast<std::size_t>(r) * p.out_w + c;
  if (p.zero_outside && !(px >= 0.f && px <= static_cast<float>(src.width_px) && py >= 0.f &&
                          py <= static_cast<float>(src.height_px))) {
#pragma unroll
    for (int k = 0; k < 3; ++k) base[k * plane] = to_out<OutT>(0.f);
    return;
  }
  const float sx = __fsub_rn(px, 0.5f);
  const float sy = __fsub_rn(py, 0.5f);
  const float y = bilinear_y(src.y, src.y_pitch, src.width_px, src.height_px, sx, sy);
  const float2 uv = bilinear_uv(src.uv, src.uv_pitch, src.width_px / 2, src.height_px / 2,
                                __fsub_rn(__fmul_rn(__fadd_rn(sx, 0.5f), 0.5f), 0.5f),
                                __fsub_rn(__fmul_rn(__fadd_rn(sy, 0.5f), 0.5f), 0.5f));
  const float u = uv.x - 128.f;
  const float v = uv.y - 128.f;
  const float yy = (y - p.m.y_offset) * p.m.y_scale;
  const float rgb[3] = {yy + p.m.r_v * v, yy + p.m.g_u * u + p.m.g_v * v, yy + p.m.b_u * u};
#pragma unroll
  for (int k = 0; k < 3; ++k) {
    base[k * plane] = to_out<OutT>(fminf(fmaxf(rgb[k], 0.f), 255.f) * p.scale[k] + p.offset[k]);
  }
}

// ---- crop_resize_nv12 -------------------------------------------------------

constexpr int kFracBits = 8;
constexpr int kOne = 1 << kFracBits;

struct Tap {
  int index;
  int next;
  unsigned frac;
};

// Same arithmetic as ref::fixed_tap (double, lround), so results are bit-exact.
__device__ __forceinline__ Tap fixed_tap(double s, int size) {
  s = fmin(fmax(s, 0.0), static_cast<double>(size - 1));
  int i = static_cast<int>(s);
  int f = static_cast<int>(lround(__dmul_rn(s - i, kOne)));
  if (f == kOne) {
    ++i;
    f = 0;
  }
  return {i, min(i + 1, size - 1), static_cast<unsigned>(f)};
}

__device__ __forceinline__ unsigned blend(unsigned a, unsigned b, unsigned c, unsigned d, const Tap& tx,
                                          const Tap& ty) {
  const unsigned wa = kOne - ty.frac;
  const unsigned left = a * wa + c * ty.frac;
  const unsigned right = b * wa + d * ty.frac;
  const unsigned v = left * (kOne - tx.frac) + right * tx.frac;
  return (v + (1u << (2 * kFracBits - 1))) >> (2 * kFracBits);
}

struct CropParams {
  double x0, y0, step_x, step_y;
};

// origin + (index + 0.5) * step - 0.5 with the host's rounding (no FMA), so
// that the taps match ref::crop_resize_nv12 exactly.
__device__ __forceinline__ double source_coord(double origin, int index, double step) {
  return __dadd_rn(__dadd_rn(origin, __dmul_rn(index + 0.5, step)), -0.5);
}

// One thread per 2x2 luma block = one UV pair of the output.
__global__ void crop_resize_nv12_kernel(Nv12View src, Nv12MutView dst, CropParams p) {
  const int cx = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const int cy = static_cast<int>(blockIdx.y * blockDim.y + threadIdx.y);
  if (cx >= dst.width_px / 2 || cy >= dst.height_px / 2) return;

  Tap tx[2], ty[2];
#pragma unroll
  for (int k = 0; k < 2; ++k) {
    tx[k] = fixed_tap(source_coord(p.x0, 2 * cx + k, p.step_x), src.width_px);
    ty[k] = fixed_tap(source_coord(p.y0, 2 * cy + k, p.step_y), src.height_px);
  }
#pragma unroll
  for (int j = 0; j < 2; ++j) {
    const std::uint8_t* r0 = src.y + static_cast<std::ptrdiff_t>(ty[j].index) * src.y_pitch;
    const std::uint8_t* r1 = src.y + static_cast<std::ptrdiff_t>(ty[j].next) * src.y_pitch;
    uchar2 px;
    px.x = static_cast<unsigned char>(blend(__ldg(r0 + tx[0].index), __ldg(r0 + tx[0].next), __ldg(r1 + tx[0].index),
                                            __ldg(r1 + tx[0].next), tx[0], ty[j]));
    px.y = static_cast<unsigned char>(blend(__ldg(r0 + tx[1].index), __ldg(r0 + tx[1].next), __ldg(r1 + tx[1].index),
                                            __ldg(r1 + tx[1].next), tx[1], ty[j]));
    *reinterpret_cast<uchar2*>(dst.y + static_cast<std::ptrdiff_t>(2 * cy + j) * dst.y_pitch + 2 * cx) = px;
  }

  const int cw = src.width_px / 2;
  const int ch = src.height_px / 2;
  const Tap ux = fixed_tap(source_coord(p.x0 * 0.5, cx, p.step_x), cw);
  const Tap uy = fixed_tap(source_coord(p.y0 * 0.5, cy, p.step_y), ch);
  const auto* r0 = reinterpret_cast<const uchar2*>(src.uv + static_cast<std::ptrdiff_t>(uy.index) * src.uv_pitch);
  const auto* r1 = reinterpret_cast<const uchar2*>(src.uv + static_cast<std::ptrdiff_t>(uy.next) * src.uv_pitch);
  const uchar2 a = __ldg(r0 + ux.index), b = __ldg(r0 + ux.next), c = __ldg(r1 + ux.index), d = __ldg(r1 + ux.next);
  uchar2 o;
  o.x = static_cast<unsigned char>(blend(a.x, b.x, c.x, d.x, ux, uy));
  o.y = static_cast<unsigned char>(blend(a.y, b.y, c.y, d.y, ux, uy));
  *reinterpret_cast<uchar2*>(dst.uv + static_cast<std::ptrdiff_t>(cy) * dst.uv_pitch + 2 * cx) = o;
}

// ---- draw_ring_nv12 ---------------------------------------------------------

// One thread per 2x2 luma block (one UV pair) inside the ring's bounding box,
// so no two threads write the same byte.
__global__ void draw_ring_nv12_kernel(Nv12MutView f, RingSpec ring, int bx0, int by0, int bw, int bh) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const int j = static_cast<int>(blockIdx.y * blockDim.y + threadIdx.y);
  if (i >= bw || j >= bh) return;
  const int bx = bx0 + i;
  const int by = by0 + j;
  bool any = false;
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    const int x = 2 * bx + (k & 1);
    const int y = 2 * by + (k >> 1);
    const double d = hypot(x + 0.5 - ring.cx, y + 0.5 - ring.cy);
    if (fabs(d - ring.radius) <= ring.thickness * 0.5) {
      f.y[static_cast<std::ptrdiff_t>(y) * f.y_pitch + x] = ring.y;
      any = true;
    }
  }
  if (any) {
    *reinterpret_cast<uchar2*>(f.uv + static_cast<std::ptrdiff_t>(by) * f.uv_pitch + 2 * bx) =
        make_uchar2(ring.u, ring.v);
  }
}

// ---- p010_to_nv12 ------------------------------------------------------------

__device__ __forceinline__ std::uint8_t p010_to_8(unsigned short v) {
  return static_cast<std::uint8_t>(min(255U, (static_cast<unsigned>(v) + 128U) >> 8));
}

// One thread per 2x2 luma block and its UV pair.
__global__ void p010_to_nv12_kernel(P010View src, Nv12MutView dst) {
  const int bx = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const int by = static_cast<int>(blockIdx.y * blockDim.y + threadIdx.y);
  if (bx >= dst.width_px / 2 || by >= dst.height_px / 2) return;
#pragma unroll
  for (int k = 0; k < 2; ++k) {
    const int row = 2 * by + k;
    const auto in = *reinterpret_cast<const ushort2*>(src.y + static_cast<std::ptrdiff_t>(row) * src.y_pitch + 4 * bx);
    *reinterpret_cast<uchar2*>(dst.y + static_cast<std::ptrdiff_t>(row) * dst.y_pitch + 2 * bx) =
        make_uchar2(p010_to_8(in.x), p010_to_8(in.y));
  }
  const auto uv = *reinterpret_cast<const ushort2*>(src.uv + static_cast<std::ptrdiff_t>(by) * src.uv_pitch + 4 * bx);
  *reinterpret_cast<uchar2*>(dst.uv + static_cast<std::ptrdiff_t>(by) * dst.uv_pitch + 2 * bx) =
      make_uchar2(p010_to_8(uv.x), p010_to_8(uv.y));
}

// ---- draw_crosses_nv12 ------------------------------------------------------

struct CrossBatch {
  CrossSpec c[kMaxRoisPerLaunch];
  int n;
};

// One block; the crosses one after the other (a barrier between them keeps
// the reference's order where two meet), each thread a few of its pixels.
// Pixels of one cross that share a chroma sample write the same colour.
__global__ void draw_crosses_nv12_kernel(Nv12MutView f, CrossBatch batch) {
  for (int i = 0; i < batch.n; ++i) {
    const CrossSpec c = batch.c[i];
    const int pixels = 2 * (2 * c.arm + 1);
    for (int k = static_cast<int>(threadIdx.x); k < pixels; k += static_cast<int>(blockDim.x)) {
      const int d = k / 2 - c.arm;
      const int x = (k & 1) != 0 ? c.cx : c.cx + d;
      const int y = (k & 1) != 0 ? c.cy + d : c.cy;
      if (x < 0 || y < 0 || x >= f.width_px || y >= f.height_px) continue;
      f.y[static_cast<std::ptrdiff_t>(y) * f.y_pitch + x] = c.y;
      *reinterpret_cast<uchar2*>(f.uv + static_cast<std::ptrdiff_t>(y / 2) * f.uv_pitch + (x / 2) * 2) =
          make_uchar2(c.u, c.v);
    }
    __syncthreads();
  }
}

template <typename Byte>
Status check_nv12(const Nv12Image<Byte>& img, const char* what) {
  if (img.y == nullptr || img.uv == nullptr || img.width_px <= 0 || img.height_px <= 0 || img.width_px % 2 != 0 ||
      img.height_px % 2 != 0 || img.y_pitch < img.width_px || img.uv_pitch < img.width_px ||
      img.y_pitch % 2 != 0 || img.uv_pitch % 2 != 0 || reinterpret_cast<std::uintptr_t>(img.y) % 2 != 0 ||
      reinterpret_cast<std::uintptr_t>(img.uv) % 2 != 0) {
    // The kernels move pixel pairs (uchar2), hence the even sizes, pitches and addresses.
    return error(ErrorCode::kInvalidArgument, std::string(what) + ": NV12 image needs 2-byte-aligned planes, " +
                                                  "an even size and even pitches >= width (got " +
                                                  std::to_string(img.width_px) + "x" +
                                                  std::to_string(img.height_px) + ")");
  }
  return Status::Ok();
}

unsigned blocks(int n, int per) { return static_cast<unsigned>((n + per - 1) / per); }

}  // namespace

template <typename OutT>
Status nv12_to_tensor(const Nv12View& src, std::span<const RoiF> rois, const TensorSpec& spec, OutT* out,
                      cudaStream_t stream) {
  BALLCAM_RETURN_IF_ERROR(check_nv12(src, "nv12_to_tensor"));
  if (out == nullptr || spec.out_w <= 0 || spec.out_h <= 0) {
    return error(ErrorCode::kInvalidArgument, "nv12_to_tensor: needs an output pointer and a positive size");
  }
  for (const RoiF& r : rois) {
    if (!(r.w > 0.f) || !(r.h > 0.f)) {
      return error(ErrorCode::kInvalidArgument, "nv12_to_tensor: every ROI needs a positive width and height");
    }
  }
  TensorParams p{};
  p.m = yuv_to_rgb(spec.matrix, spec.range);
  for (int k = 0; k < 3; ++k) {
    const float s = spec.std[static_cast<std::size_t>(k)];
    if (!(s > 0.f)) return error(ErrorCode::kInvalidArgument, "nv12_to_tensor: std must be positive");
    p.scale[k] = 1.f / (255.f * s);
    p.offset[k] = -spec.mean[static_cast<std::size_t>(k)] / s;
  }
  p.out_w = spec.out_w;
  p.out_h = spec.out_h;
  p.zero_outside = spec.zero_outside;
  const std::size_t per_roi = static_cast<std::size_t>(3) * static_cast<std::size_t>(spec.out_w) *
                              static_cast<std::size_t>(spec.out_h);
  const dim3 block(32, 8);
  for (std::size_t first = 0; first < rois.size(); first += kMaxRoisPerLaunch) {
    const std::size_t n = std::min<std::size_t>(kMaxRoisPerLaunch, rois.size() - first);
    RoiBatch batch{};
    std::copy_n(rois.begin() + static_cast<std::ptrdiff_t>(first), n, batch.roi);
    const dim3 grid(blocks(spec.out_w, 32), blocks(spec.out_h, 8), static_cast<unsigned>(n));
    nv12_to_tensor_kernel<OutT><<<grid, block, 0, stream>>>(src, batch, p, out + first * per_roi);
    BALLCAM_CUDA_CHECK(cudaGetLastError());
  }
  return Status::Ok();
}

template Status nv12_to_tensor<float>(const Nv12View&, std::span<const RoiF>, const TensorSpec&, float*,
                                      cudaStream_t);
template Status nv12_to_tensor<__half>(const Nv12View&, std::span<const RoiF>, const TensorSpec&, __half*,
                                       cudaStream_t);

Status crop_resize_nv12(const Nv12View& src, const CropRect& crop, const Nv12MutView& dst, cudaStream_t stream) {
  BALLCAM_RETURN_IF_ERROR(check_nv12(src, "crop_resize_nv12 source"));
  BALLCAM_RETURN_IF_ERROR(check_nv12(dst, "crop_resize_nv12 destination"));
  if (!(crop.w > 0.0) || !(crop.h > 0.0)) {
    return error(ErrorCode::kInvalidArgument, "crop_resize_nv12: crop needs a positive width and height");
  }
  const CropParams p{crop.x, crop.y, crop.w / dst.width_px, crop.h / dst.height_px};
  const dim3 block(32, 8);
  const dim3 grid(blocks(dst.width_px / 2, 32), blocks(dst.height_px / 2, 8));
  crop_resize_nv12_kernel<<<grid, block, 0, stream>>>(src, dst, p);
  BALLCAM_CUDA_CHECK(cudaGetLastError());
  return Status::Ok();
}

Status draw_ring_nv12(const Nv12MutView& frame, const RingSpec& ring, cudaStream_t stream) {
  BALLCAM_RETURN_IF_ERROR(check_nv12(frame, "draw_ring_nv12"));
  if (!std::isfinite(ring.cx) || !std::isfinite(ring.cy) || !(ring.radius >= 0.0) || !(ring.thickness >= 0.0)) {
    return error(ErrorCode::kInvalidArgument, "draw_ring_nv12: centre, radius and thickness must be finite");
  }
  const double reach = ring.radius + ring.thickness;
  if (ring.cx + reach < 0.0 || ring.cy + reach < 0.0 || ring.cx - reach > frame.width_px ||
      ring.cy - reach > frame.height_px) {
    return Status::Ok();  // entirely outside the frame
  }
  const int x0 = static_cast<int>(std::max(0.0, std::floor(ring.cx - reach)));
  const int x1 = static_cast<int>(std::min(frame.width_px - 1.0, std::ceil(ring.cx + reach)));
  const int y0 = static_cast<int>(std::max(0.0, std::floor(ring.cy - reach)));
  const int y1 = static_cast<int>(std::min(frame.height_px - 1.0, std::ceil(ring.cy + reach)));
  if (x0 > x1 || y0 > y1) return Status::Ok();  // entirely outside the frame
  const int bx0 = x0 / 2;
  const int by0 = y0 / 2;
  const int bw = x1 / 2 - bx0 + 1;
  const int bh = y1 / 2 - by0 + 1;
  const dim3 block(16, 16);
  draw_ring_nv12_kernel<<<dim3(blocks(bw, 16), blocks(bh, 16)), block, 0, stream>>>(frame, ring, bx0, by0, bw, bh);
  BALLCAM_CUDA_CHECK(cudaGetLastError());
  return Status::Ok();
}

Status p010_to_nv12(const P010View& src, const Nv12MutView& dst, cudaStream_t stream) {
  BALLCAM_RETURN_IF_ERROR(check_nv12(dst, "p010_to_nv12"));
  if (src.y == nullptr || src.uv == nullptr || src.width_px != dst.width_px || src.height_px != dst.height_px ||
      src.y_pitch < 2 * src.width_px || src.uv_pitch < 2 * src.width_px || src.y_pitch % 4 != 0 ||
      src.uv_pitch % 4 != 0 || reinterpret_cast<std::uintptr_t>(src.y) % 4 != 0 ||
      reinterpret_cast<std::uintptr_t>(src.uv) % 4 != 0) {
    // The kernel reads sample pairs (ushort2).
    return error(ErrorCode::kInvalidArgument,
                 "p010_to_nv12: the P010 image needs the NV12 image's size, 4-byte-aligned planes and pitches >= 2 * width");
  }
  const int bw = dst.width_px / 2, bh = dst.height_px / 2;
  p010_to_nv12_kernel<<<dim3(blocks(bw, 32), blocks(bh, 8)), dim3(32, 8), 0, stream>>>(src, dst);
  BALLCAM_CUDA_CHECK(cudaGetLastError());
  return Status::Ok();
}

Status draw_crosses_nv12(const Nv12MutView& frame, std::span<const CrossSpec> crosses, cudaStream_t stream) {
  BALLCAM_RETURN_IF_ERROR(check_nv12(frame, "draw_crosses_nv12"));
  for (const CrossSpec& c : crosses) {
    if (c.arm < 0 || c.arm > 1024) return error(ErrorCode::kInvalidArgument, "draw_crosses_nv12: arm must be 0..1024");
  }
  for (std::size_t at = 0; at < crosses.size(); at += kMaxRoisPerLaunch) {
    CrossBatch batch{};
    batch.n = static_cast<int>(std::min<std::size_t>(kMaxRoisPerLaunch, crosses.size() - at));
    for (int i = 0; i < batch.n; ++i) batch.c[i] = crosses[at + static_cast<std::size_t>(i)];
    draw_crosses_nv12_kernel<<<1, 128, 0, stream>>>(frame, batch);
    BALLCAM_CUDA_CHECK(cudaGetLastError());
  }
  return Status::Ok();
}

}  // namespace ballcam::gpu
