// Host NV12 images for the gpu tests: owning buffer + view, and fillers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "gpu/image_types.hpp"

namespace ballcam::gpu::testing {

struct HostNv12 {
  int width_px = 0;
  int height_px = 0;
  int pitch = 0;  // deliberately wider than width to exercise pitch handling
  std::vector<std::uint8_t> bytes;

  HostNv12(int w, int h, int extra_pitch = 16)
      : width_px(w), height_px(h), pitch(w + extra_pitch),
        bytes(static_cast<std::size_t>(pitch) * static_cast<std::size_t>(h) * 3 / 2, 0) {}

  Nv12MutView view() {
    return {bytes.data(), pitch, bytes.data() + static_cast<std::size_t>(pitch) * static_cast<std::size_t>(height_px),
            pitch, width_px, height_px};
  }
  Nv12View cview() { return as_const(view()); }
  std::uint8_t& y(int x, int row) { return bytes[static_cast<std::size_t>(row) * pitch + static_cast<std::size_t>(x)]; }
  std::uint8_t& uv(int cx, int crow, int k) {
    return bytes[static_cast<std::size_t>(pitch) * static_cast<std::size_t>(height_px) +
                 static_cast<std::size_t>(crow) * pitch + static_cast<std::size_t>(2 * cx + k)];
  }
};

inline HostNv12 constant_nv12(int w, int h, std::uint8_t y, std::uint8_t u, std::uint8_t v) {
  HostNv12 f(w, h);
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) f.y(c, r) = y;
  for (int r = 0; r < h / 2; ++r)
    for (int c = 0; c < w / 2; ++c) {
      f.uv(c, r, 0) = u;
      f.uv(c, r, 1) = v;
    }
  return f;
}

// White noise: the hardest case for interpolation agreement.
inline HostNv12 random_nv12(int w, int h, unsigned seed) {
  HostNv12 f(w, h);
  std::mt19937 rng(seed);
  for (auto& b : f.bytes) b = static_cast<std::uint8_t>(rng() & 0xff);
  return f;
}

// Smooth gradients plus a few hard edges, like a pitch with lines.
inline HostNv12 structured_nv12(int w, int h) {
  HostNv12 f(w, h);
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) {
      const bool line = (c % 97) < 3 || (r % 61) < 2;
      f.y(c, r) = line ? 235 : static_cast<std::uint8_t>(16 + (c * 200 / w + r * 19 / h) % 220);
    }
  for (int r = 0; r < h / 2; ++r)
    for (int c = 0; c < w / 2; ++c) {
      f.uv(c, r, 0) = static_cast<std::uint8_t>(16 + (c * 224) / (w / 2));
      f.uv(c, r, 1) = static_cast<std::uint8_t>(240 - (r * 224) / (h / 2));
    }
  return f;
}

// A P010 image (16-bit samples, value in the top 10 bits, pitch wider than
// 2 * width) whose samples sweep the whole 16-bit range, edges included.
struct HostP010 {
  int width_px = 0;
  int height_px = 0;
  int pitch = 0;  // bytes
  std::vector<std::uint8_t> bytes;

  HostP010(int w, int h)
      : width_px(w), height_px(h), pitch(2 * w + 64),
        bytes(static_cast<std::size_t>(pitch) * static_cast<std::size_t>(h) * 3 / 2, 0) {
    std::uint32_t seed = 12345;
    for (std::size_t row = 0; row < static_cast<std::size_t>(h) * 3 / 2; ++row)
      for (int c = 0; c < w; ++c) {
        seed = seed * 1664525u + 1013904223u;
        std::uint16_t v = static_cast<std::uint16_t>((seed >> 16) & 0x3ffu) << 6;  // a 10-bit value
        if (row == 0 && c < 4) v = std::uint16_t{0xffc0} + static_cast<std::uint16_t>(c * 16);  // the top: clamps to 255
        bytes[row * static_cast<std::size_t>(pitch) + 2 * static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(v & 0xff);
        bytes[row * static_cast<std::size_t>(pitch) + 2 * static_cast<std::size_t>(c) + 1] = static_cast<std::uint8_t>(v >> 8);
      }
  }
  P010View view() const {
    return {bytes.data(), pitch, bytes.data() + static_cast<std::size_t>(pitch) * static_cast<std::size_t>(height_px),
            pitch, width_px, height_px};
  }
  std::uint16_t sample(std::size_t row, int c) const {
    const std::size_t at = row * static_cast<std::size_t>(pitch) + 2 * static_cast<std::size_t>(c);
    return static_cast<std::uint16_t>(bytes[at] | (bytes[at + 1] << 8));
  }
};

// Largest |a - b| over the visible pixels of two same-size NV12 images.
inline int max_abs_diff(HostNv12& a, HostNv12& b) {
  int worst = 0;
  for (int r = 0; r < a.height_px; ++r)
    for (int c = 0; c < a.width_px; ++c) worst = std::max(worst, std::abs(int{a.y(c, r)} - int{b.y(c, r)}));
  for (int r = 0; r < a.height_px / 2; ++r)
    for (int c = 0; c < a.width_px / 2; ++c)
      for (int k = 0; k < 2; ++k) worst = std::max(worst, std::abs(int{a.uv(c, r, k)} - int{b.uv(c, r, k)}));
  return worst;
}

}  // namespace ballcam::gpu::testing
