#include "render/slate.hpp"

#include <array>
#include <cstring>

namespace ballcam::render {

Frame make_slate(int width_px, int height_px) {
  struct Yuv {
    std::uint8_t y, u, v;
  };
  // BT.601 75 % bars: white, yellow, cyan, green, magenta, red, blue.
  static constexpr std::array<Yuv, 7> kBars = {{{180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58},
                                                 {84, 184, 198}, {65, 100, 212}, {35, 212, 114}}};
  static constexpr Yuv kBlack{16, 128, 128};
  Frame f = Frame::allocate(PixelFormat::kYuv420p, width_px, height_px);
  const int bars_h = (height_px * 2 / 3) & ~1;
  for (int y = 0; y < height_px; ++y) {
    std::uint8_t* row = f.planes[0] + static_cast<std::ptrdiff_t>(y) * f.strides[0];
    for (int x = 0; x < width_px; ++x) row[x] = y < bars_h ? kBars[static_cast<std::size_t>(x * 7 / width_px)].y : kBlack.y;
  }
  for (int y = 0; y < height_px / 2; ++y) {
    std::uint8_t* u = f.planes[1] + static_cast<std::ptrdiff_t>(y) * f.strides[1];
    std::uint8_t* v = f.planes[2] + static_cast<std::ptrdiff_t>(y) * f.strides[2];
    for (int x = 0; x < width_px / 2; ++x) {
      const Yuv c = 2 * y < bars_h ? kBars[static_cast<std::size_t>(2 * x * 7 / width_px)] : kBlack;
      u[x] = c.u;
      v[x] = c.v;
    }
  }
  return f;
}

}  // namespace ballcam::render
