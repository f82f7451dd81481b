#include "report/thumbnail.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ballcam::report {
namespace {

// [begin, end) source indices covered by each output index.
struct Span {
  int begin = 0;
  int end = 1;
};

std::vector<Span> box_spans(int src_len, int dst_len) {
  std::vector<Span> spans(static_cast<std::size_t>(dst_len));
  const double scale = static_cast<double>(src_len) / dst_len;
  for (int i = 0; i < dst_len; ++i) {
    const int b = std::clamp(static_cast<int>(std::floor(i * scale)), 0, src_len - 1);
    const int e = std::clamp(static_cast<int>(std::floor((i + 1) * scale)), b + 1, src_len);
    spans[static_cast<std::size_t>(i)] = {b, e};
  }
  return spans;
}

double box_mean(const std::uint8_t* plane, int stride, Span xs, Span ys) {
  std::uint32_t sum = 0;
  for (int y = ys.begin; y < ys.end; ++y) {
    const std::uint8_t* row = plane + static_cast<std::ptrdiff_t>(y) * stride;
    for (int x = xs.begin; x < xs.end; ++x) sum += row[x];
  }
  return static_cast<double>(sum) / ((xs.end - xs.begin) * (ys.end - ys.begin));
}

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

// Chroma sample range covering the luma range (4:2:0 halves both axes).
Span chroma_span(Span luma, int chroma_len) {
  const int b = std::min(luma.begin / 2, chroma_len - 1);
  return {b, std::clamp((luma.end + 1) / 2, b + 1, chroma_len)};
}

}  // namespace

Result<Canvas> yuv420_to_rgb_scaled(const Frame& frame, int width_px, int height_px) {
  if (frame.format != PixelFormat::kYuv420p || frame.memory != MemoryLocation::kHost || frame.empty()) {
    return error(ErrorCode::kInternal, std::string("thumbnail: need a host yuv420p frame, got ") +
                                           to_string(frame.format));
  }
  if (width_px <= 0 || height_px <= 0 || frame.width_px <= 0 || frame.height_px <= 0) {
    return error(ErrorCode::kInternal, "thumbnail: empty size");
  }
  const int chroma_w = (frame.width_px + 1) / 2;
  const int chroma_h = (frame.height_px + 1) / 2;
  const std::vector<Span> xs = box_spans(frame.width_px, width_px);
  const std::vector<Span> ys = box_spans(frame.height_px, height_px);
  Canvas out(width_px, height_px);
  for (int oy = 0; oy < height_px; ++oy) {
    const Span sy = ys[static_cast<std::size_t>(oy)];
    const Span cy = chroma_span(sy, chroma_h);
    for (int ox = 0; ox < width_px; ++ox) {
      const Span sx = xs[static_cast<std::size_t>(ox)];
      const Span cx = chroma_span(sx, chroma_w);
      // The conversion is affine, so averaging Y, U, V first equals averaging
      // RGB (up to clamping), at a third of the work.
      const double y = 1.164383 * (box_mean(frame.planes[0], frame.strides[0], sx, sy) - 16.0);
      const double u = box_mean(frame.planes[1], frame.strides[1], cx, cy) - 128.0;
      const double v = box_mean(frame.planes[2], frame.strides[2], cx, cy) - 128.0;
      out.set(ox, oy, {to_byte(y + 1.792741 * v), to_byte(y - 0.213249 * u - 0.532909 * v),
                       to_byte(y + 2.112402 * u)});
    }
  }
  return out;
}

}  // namespace ballcam::report
