// Canvas: an 8-bit RGB raster with the few drawing operations the report
// needs (lines, rings, crosses, rectangles, 5x7 bitmap text). Everything is
// clipped to the canvas and to an optional clip rectangle, so callers can draw
// data that runs off a plot without checking bounds themselves.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ballcam::report {

struct Rgb {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

namespace colours {
inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};
inline constexpr Rgb kGrid{225, 225, 225};
inline constexpr Rgb kAxis{60, 60, 60};
inline constexpr Rgb kBall{230, 40, 40};      // the tracker's ball estimate
inline constexpr Rgb kCamera{30, 90, 220};    // the virtual camera (crop)
inline constexpr Rgb kTruth{150, 50, 200};    // ground truth
inline constexpr Rgb kRing{255, 230, 0};      // ring around the estimate on video frames
inline constexpr Rgb kTruthMark{0, 255, 255}; // ground-truth cross on video frames
}  // namespace colours

// Integer pixel rectangle (x, y = top-left).
struct PixelRect {
  int x = 0;
  int y = 0;
  int w = 0;
  int h = 0;
};

class Canvas {
 public:
  Canvas() = default;
  Canvas(int width_px, int height_px, Rgb fill = colours::kWhite);

  int width_px() const { return width_px_; }
  int height_px() const { return height_px_; }
  bool empty() const { return width_px_ == 0 || height_px_ == 0; }
  // Packed RGB rows, 3 * width_px bytes each, no padding.
  const std::uint8_t* data() const { return pixels_.data(); }
  std::uint8_t* data() { return pixels_.data(); }

  Rgb at(int x, int y) const;
  void set(int x, int y, Rgb colour);  // clipped
  // Mixes `colour` over the pixel; alpha in [0, 1].
  void blend(int x, int y, Rgb colour, double alpha);

  // Restricts all drawing to `rect` (intersected with the canvas).
  void set_clip(PixelRect rect);
  void reset_clip();

  void fill_rect(PixelRect rect, Rgb colour);
  void fill_rect_blended(PixelRect rect, Rgb colour, double alpha);
  void draw_rect(PixelRect rect, Rgb colour, int thickness_px = 1);
  // Line between pixel-centre coordinates; thickness is the side of the
  // square pen stamped along it.
  void draw_line(double x0, double y0, double x1, double y1, Rgb colour, int thickness_px = 1);
  void draw_ring(double cx, double cy, double radius_px, Rgb colour, int thickness_px = 1);
  void draw_cross(double cx, double cy, double half_size_px, Rgb colour, int thickness_px = 1);
  // Copies `src` with its top-left corner at (x, y).
  void blit(const Canvas& src, int x, int y);

  // 5x7 bitmap text, each font pixel drawn as scale x scale; (x, y) is the
  // top-left of the first glyph. text_height_px is the cap height; g j p q y
  // reach one font row below it. Returns the advance in pixels.
  int draw_text(int x, int y, std::string_view text, Rgb colour, int scale = 1);
  static int text_width_px(std::string_view text, int scale = 1);
  static int text_height_px(int scale = 1);

 private:
  void stamp(int x, int y, Rgb colour, int thickness_px);
  bool inside_clip(int x, int y) const {
    return x >= clip_.x && y >= clip_.y && x < clip_.x + clip_.w && y < clip_.y + clip_.h;
  }

  int width_px_ = 0;
  int height_px_ = 0;
  PixelRect clip_;
  std::vector<std::uint8_t> pixels_;
};

}  // namespace ballcam::report
