#include "core/frame.hpp"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ballcam {

const char* to_string(PixelFormat format) {
  switch (format) {
    case PixelFormat::kYuv420p: return "yuv420p";
    case PixelFormat::kNv12: return "nv12";
    case PixelFormat::kP010: return "p010";
    case PixelFormat::kRgb24: return "rgb24";
    case PixelFormat::kGray8: return "gray8";
  }
  return "unknown";
}

namespace {

struct PlaneLayout {
  int count = 0;
  std::array<int, 4> row_bytes{};
  std::array<int, 4> rows{};
};

PlaneLayout layout_of(PixelFormat format, int w, int h) {
  PlaneLayout l;
  const int cw = (w + 1) / 2;
  const int ch = (h + 1) / 2;
  switch (format) {
    case PixelFormat::kYuv420p:
      l.count = 3;
      l.row_bytes = {w, cw, cw, 0};
      l.rows = {h, ch, ch, 0};
      break;
    case PixelFormat::kNv12:
      l.count = 2;
      l.row_bytes = {w, cw * 2, 0, 0};
      l.rows = {h, ch, 0, 0};
      break;
    case PixelFormat::kP010:
      l.count = 2;
      l.row_bytes = {w * 2, cw * 4, 0, 0};
      l.rows = {h, ch, 0, 0};
      break;
    case PixelFormat::kRgb24:
      l.count = 1;
      l.row_bytes = {w * 3, 0, 0, 0};
      l.rows = {h, 0, 0, 0};
      break;
    case PixelFormat::kGray8:
      l.count = 1;
      l.row_bytes = {w, 0, 0, 0};
      l.rows = {h, 0, 0, 0};
      break;
  }
  return l;
}

int align64(int v) { return (v + 63) & ~63; }

}  // namespace

Frame Frame::allocate(PixelFormat format, int width_px, int height_px) {
  if (width_px <= 0 || height_px <= 0) throw std::invalid_argument("Frame::allocate: empty size");
  const PlaneLayout l = layout_of(format, width_px, height_px);
  std::size_t total = 0;
  std::array<std::size_t, 4> offsets{};
  Frame f;
  f.format = format;
  f.width_px = width_px;
  f.height_px = height_px;
  for (int p = 0; p < l.count; ++p) {
    offsets[p] = total;
    f.strides[p] = align64(l.row_bytes[p]);
    total += static_cast<std::size_t>(f.strides[p]) * l.rows[p];
  }
  // 64 spare bytes so SIMD loops may read slightly past the last row.
  void* mem = std::aligned_alloc(64, total + 64);
  if (mem == nullptr) throw std::bad_alloc();
  f.storage = std::shared_ptr<void>(mem, [](void* m) { std::free(m); });
  for (int p = 0; p < l.count; ++p) f.planes[p] = static_cast<std::uint8_t*>(mem) + offsets[p];
  return f;
}

Frame Frame::clone() const {
  if (memory != MemoryLocation::kHost) throw std::logic_error("Frame::clone: host frames only");
  Frame out = allocate(format, width_px, height_px);
  out.pts_us = pts_us;
  out.index = index;
  const PlaneLayout l = layout_of(format, width_px, height_px);
  for (int p = 0; p < l.count; ++p) copy_plane(out.planes[p], out.strides[p], planes[p], strides[p], l.row_bytes[p], l.rows[p]);
  return out;
}

void copy_plane(std::uint8_t* dst, int dst_pitch, const std::uint8_t* src, int src_pitch, int row_bytes, int rows) {
  for (int r = 0; r < rows; ++r)
    std::memcpy(dst + static_cast<std::ptrdiff_t>(r) * dst_pitch, src + static_cast<std::ptrdiff_t>(r) * src_pitch,
                static_cast<std::size_t>(row_bytes));
}

}  // namespace ballcam
