// The embedded 5x7 bitmap font used by Canvas::draw_text (printable ASCII).
#pragma once

#include <array>
#include <cstdint>

namespace ballcam::report::font5x7 {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 7;  // cap height; descenders use an 8th row
inline constexpr int kGlyphRows = 8;
inline constexpr int kAdvance = 6;  // glyph + one column of spacing

// Five columns, left to right; bit 0 of each byte is the top row, bit 7 the
// descender row below the baseline. Characters
// outside 0x20..0x7E render as '?'.
const std::array<std::uint8_t, kGlyphWidth>& glyph(char c);

}  // namespace ballcam::report::font5x7
