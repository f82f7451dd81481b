// Test helper: reads a PNG back with libpng (independent of the writer).
#pragma once

#include <optional>
#include <string>

#include "report/canvas.hpp"

namespace ballcam::report::testing {

// RGB(A) and grey PNGs, converted to 8-bit RGB; nullopt if unreadable.
std::optional<Canvas> read_png(const std::string& path);

}  // namespace ballcam::report::testing
