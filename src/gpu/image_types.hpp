// Plain descriptions of NV12 images, regions and colour conversion shared by
// the CUDA kernels (kernels.hpp) and their CPU references (reference.hpp).
// No CUDA here: this header builds everywhere.
//
// Sampling conventions (the same on CPU and GPU, and the same as
// render/crop_scale.cpp):
//  - Pixel centres are at (col + 0.5, row + 0.5). The source coordinate of
//    output column c for a region starting at x0 with step s = w / out_w is
//    x0 + (c + 0.5) * s - 0.5, clamped to [0, plane_width - 1] (edge pixels
//    repeat). Rows likewise.
//  - Chroma is sampled on the half-size plane with the region halved
//    (x0 / 2, same step): chroma samples are taken as centred between their
//    two luma columns.
#pragma once

#include <array>
#include <cstdint>

namespace ballcam::gpu {

// An NV12 image: a Y plane of width x height bytes and an interleaved UV
// plane of (width / 2) x (height / 2) pairs. Pitches are in bytes. Width and
// height must be even. Points at host or device memory depending on use.
template <typename Byte>
struct Nv12Image {
  Byte* y = nullptr;
  int y_pitch = 0;
  Byte* uv = nullptr;
  int uv_pitch = 0;
  int width_px = 0;
  int height_px = 0;
};
using Nv12View = Nv12Image<const std::uint8_t>;
using Nv12MutView = Nv12Image<std::uint8_t>;

// A P010 image (10-bit NVDEC output): NV12's layout with 16-bit little-endian
// samples holding the value in their top 10 bits; pitches in bytes.
using P010View = Nv12Image<const std::uint8_t>;

inline Nv12View as_const(const Nv12MutView& m) {
  return {m.y, m.y_pitch, m.uv, m.uv_pitch, m.width_px, m.height_px};
}

// A region of the source frame in source pixels (sub-pixel allowed; may
// extend past the frame, samples are clamped to the edge).
struct RoiF {
  float x = 0.f;
  float y = 0.f;
  float w = 0.f;
  float h = 0.f;
};

enum class ColorMatrix : std::uint8_t {
  kBt709,  // HD video (the default for 720p/1080p broadcast)
  kBt601,  // SD video
};

enum class ColorRange : std::uint8_t {
  kLimited,  // Y in 16..235, UV in 16..240 ("TV" range; what decoders output)
  kFull,     // 0..255 ("PC"/JPEG range)
};

// R,G,B (0..255 scale) = y_scale * (Y - y_offset) + coefficients * (U - 128, V - 128).
struct YuvToRgb {
  float y_offset = 16.f;
  float y_scale = 1.f;
  float r_v = 0.f;
  float g_u = 0.f;
  float g_v = 0.f;
  float b_u = 0.f;
};

// From the matrix's luma weights Kr, Kb (BT.709: 0.2126, 0.0722; BT.601:
// 0.299, 0.114): R = Y' + 2(1-Kr) V', B = Y' + 2(1-Kb) U',
// G = Y' - 2Kb(1-Kb)/Kg U' - 2Kr(1-Kr)/Kg V'. Limited range scales Y by
// 255/219 and chroma by 255/224. BT.709 limited gives
// R = 1.164383 (Y-16) + 1.792741 (V-128),
// G = 1.164383 (Y-16) - 0.213249 (U-128) - 0.532909 (V-128),
// B = 1.164383 (Y-16) + 2.112402 (U-128).
constexpr YuvToRgb yuv_to_rgb(ColorMatrix matrix, ColorRange range) {
  const double kr = matrix == ColorMatrix::kBt709 ? 0.2126 : 0.299;
  const double kb = matrix == ColorMatrix::kBt709 ? 0.0722 : 0.114;
  const double kg = 1.0 - kr - kb;
  const bool limited = range == ColorRange::kLimited;
  const double ys = limited ? 255.0 / 219.0 : 1.0;
  const double cs = limited ? 255.0 / 224.0 : 1.0;
  YuvToRgb m;
  m.y_offset = limited ? 16.f : 0.f;
  m.y_scale = static_cast<float>(ys);
  m.r_v = static_cast<float>(cs * 2.0 * (1.0 - kr));
  m.g_u = static_cast<float>(-cs * 2.0 * kb * (1.0 - kb) / kg);
  m.g_v = static_cast<float>(-cs * 2.0 * kr * (1.0 - kr) / kg);
  m.b_u = static_cast<float>(cs * 2.0 * (1.0 - kb));
  return m;
}

// What the detector wants: out_w x out_h per region, RGB planar [N,3,H,W],
// value = (rgb / 255 - mean[c]) / std[c], rgb clamped to 0..255 first.
struct TensorSpec {
  int out_w = 384;
  int out_h = 384;
  ColorMatrix matrix = ColorMatrix::kBt709;
  ColorRange range = ColorRange::kLimited;
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};  // RF-DETR / ImageNet
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  // false: samples past the frame's edge repeat the edge pixel. true: an
  // output pixel whose centre maps outside [0, width] x [0, height] is 0
  // (the mean colour once normalised), the padding the CPU input builder of
  // the torch detectors uses (detect/torch_common.hpp, frame_region_to_chw).
  bool zero_outside = false;
};

// A ring for the debug overlay, in frame pixels; drawn where
// |distance(pixel centre, centre) - radius| <= thickness / 2. A chroma
// sample is painted when any of its four luma pixels is.
struct RingSpec {
  double cx = 0.0;
  double cy = 0.0;
  double radius = 0.0;
  double thickness = 3.0;
  std::uint8_t y = 150;  // default: the overlay's "tracking" green
  std::uint8_t u = 44;
  std::uint8_t v = 21;
};

// A cross for the debug overlay: the pixels (cx + d, cy) and (cx, cy + d)
// for |d| <= arm, each with its chroma sample, clipped to the frame. Crosses
// are painted in order (a later one wins where they meet).
struct CrossSpec {
  int cx = 0;
  int cy = 0;
  int arm = 6;
  std::uint8_t y = 170;  // default: the overlay's detection cyan
  std::uint8_t u = 166;
  std::uint8_t v = 16;
};

}  // namespace ballcam::gpu
