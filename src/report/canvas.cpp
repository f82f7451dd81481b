#include "report/canvas.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>

#include "report/font5x7.hpp"

namespace ballcam::report {

Canvas::Canvas(int width_px, int height_px, Rgb fill)
    : width_px_(std::max(0, width_px)),
      height_px_(std::max(0, height_px)),
      clip_{0, 0, width_px_, height_px_},
      pixels_(static_cast<std::size_t>(width_px_) * static_cast<std::size_t>(height_px_) * 3) {
  for (std::size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = fill.r;
    pixels_[i + 1] = fill.g;
    pixels_[i + 2] = fill.b;
  }
}

Rgb Canvas::at(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_px_ || y >= height_px_) return {};
  const std::uint8_t* p = &pixels_[(static_cast<std::size_t>(y) * width_px_ + x) * 3];
  return {p[0], p[1], p[2]};
}

void Canvas::set(int x, int y, Rgb colour) {
  if (!inside_clip(x, y)) return;
  std::uint8_t* p = &pixels_[(static_cast<std::size_t>(y) * width_px_ + x) * 3];
  p[0] = colour.r;
  p[1] = colour.g;
  p[2] = colour.b;
}

void Canvas::blend(int x, int y, Rgb colour, double alpha) {
  if (!inside_clip(x, y)) return;
  const double a = std::clamp(alpha, 0.0, 1.0);
  std::uint8_t* p = &pixels_[(static_cast<std::size_t>(y) * width_px_ + x) * 3];
  const auto mix = [a](std::uint8_t under, std::uint8_t over) {
    return static_cast<std::uint8_t>(std::lround(under * (1.0 - a) + over * a));
  };
  p[0] = mix(p[0], colour.r);
  p[1] = mix(p[1], colour.g);
  p[2] = mix(p[2], colour.b);
}

void Canvas::set_clip(PixelRect rect) {
  const int x0 = std::clamp(rect.x, 0, width_px_);
  const int y0 = std::clamp(rect.y, 0, height_px_);
  const int x1 = std::clamp(rect.x + rect.w, 0, width_px_);
  const int y1 = std::clamp(rect.y + rect.h, 0, height_px_);
  clip_ = {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

void Canvas::reset_clip() { clip_ = {0, 0, width_px_, height_px_}; }

void Canvas::fill_rect(PixelRect rect, Rgb colour) {
  for (int y = rect.y; y < rect.y + rect.h; ++y) {
    for (int x = rect.x; x < rect.x + rect.w; ++x) set(x, y, colour);
  }
}

void Canvas::fill_rect_blended(PixelRect rect, Rgb colour, double alpha) {
  for (int y = rect.y; y < rect.y + rect.h; ++y) {
    for (int x = rect.x; x < rect.x + rect.w; ++x) blend(x, y, colour, alpha);
  }
}

void Canvas::draw_rect(PixelRect rect, Rgb colour, int thickness_px) {
  const int t = std::max(1, thickness_px);
  fill_rect({rect.x, rect.y, rect.w, t}, colour);
  fill_rect({rect.x, rect.y + rect.h - t, rect.w, t}, colour);
  fill_rect({rect.x, rect.y, t, rect.h}, colour);
  fill_rect({rect.x + rect.w - t, rect.y, t, rect.h}, colour);
}

void Canvas::stamp(int x, int y, Rgb colour, int thickness_px) {
  const int t = std::max(1, thickness_px);
  const int lo = -(t - 1) / 2;
  for (int dy = lo; dy < lo + t; ++dy) {
    for (int dx = lo; dx < lo + t; ++dx) set(x + dx, y + dy, colour);
  }
}

void Canvas::draw_line(double x0, double y0, double x1, double y1, Rgb colour, int thickness_px) {
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return;
  // Lines far off the canvas (a diverged estimate) would cost millions of
  // steps; clamp the parameter range to what can touch the canvas.
  const double margin = 4.0 * std::max(width_px_, height_px_) + 16.0;
  if (std::max(std::abs(x0), std::abs(x1)) > margin || std::max(std::abs(y0), std::abs(y1)) > margin) {
    const auto c = [margin](double v) { return std::clamp(v, -margin, margin); };
    x0 = c(x0);
    y0 = c(y0);
    x1 = c(x1);
    y1 = c(y1);
  }
  const double dx = x1 - x0;
  const double dy = y1 - y0;
  const int steps = static_cast<int>(std::ceil(std::max(std::abs(dx), std::abs(dy))));
  if (steps == 0) {
    stamp(static_cast<int>(std::floor(x0)), static_cast<int>(std::floor(y0)), colour, thickness_px);
    return;
  }
  for (int i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    stamp(static_cast<int>(std::floor(x0 + dx * t)), static_cast<int>(std::floor(y0 + dy * t)), colour,
          thickness_px);
  }
}

void Canvas::draw_ring(double cx, double cy, double radius_px, Rgb colour, int thickness_px) {
  const int segments = std::max(16, static_cast<int>(radius_px * 2.0 * std::numbers::pi / 2.0));
  double px = cx + radius_px;
  double py = cy;
  for (int i = 1; i <= segments; ++i) {
    const double a = 2.0 * std::numbers::pi * i / segments;
    const double nx = cx + radius_px * std::cos(a);
    const double ny = cy + radius_px * std::sin(a);
    draw_line(px, py, nx, ny, colour, thickness_px);
    px = nx;
    py = ny;
  }
}

void Canvas::draw_cross(double cx, double cy, double half_size_px, Rgb colour, int thickness_px) {
  draw_line(cx - half_size_px, cy - half_size_px, cx + half_size_px, cy + half_size_px, colour, thickness_px);
  draw_line(cx - half_size_px, cy + half_size_px, cx + half_size_px, cy - half_size_px, colour, thickness_px);
}

void Canvas::blit(const Canvas& src, int x, int y) {
  for (int sy = 0; sy < src.height_px(); ++sy) {
    for (int sx = 0; sx < src.width_px(); ++sx) set(x + sx, y + sy, src.at(sx, sy));
  }
}

int Canvas::draw_text(int x, int y, std::string_view text, Rgb colour, int scale) {
  const int s = std::max(1, scale);
  int pen_x = x;
  for (const char c : text) {
    const auto& columns = font5x7::glyph(c);
    for (int col = 0; col < font5x7::kGlyphWidth; ++col) {
      for (int row = 0; row < font5x7::kGlyphRows; ++row) {
        if (((columns[static_cast<std::size_t>(col)] >> row) & 1U) == 0) continue;
        fill_rect({pen_x + col * s, y + row * s, s, s}, colour);
      }
    }
    pen_x += font5x7::kAdvance * s;
  }
  return pen_x - x;
}

int Canvas::text_width_px(std::string_view text, int scale) {
  if (text.empty()) return 0;
  const int s = std::max(1, scale);
  // The last glyph needs no trailing spacing column.
  return static_cast<int>(text.size()) * font5x7::kAdvance * s - s;
}

int Canvas::text_height_px(int scale) { return font5x7::kGlyphHeight * std::max(1, scale); }

}  // namespace ballcam::report
