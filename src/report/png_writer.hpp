// Writes a Canvas as an 8-bit RGB PNG (libpng).
#pragma once

#include <string>

#include "core/status.hpp"
#include "report/canvas.hpp"

namespace ballcam::report {

// Errors (kOutputError) name the file.
Status write_png(const std::string& path, const Canvas& image);

}  // namespace ballcam::report
