#include "png_read.hpp"

#include <png.h>

#include <cstdlib>
#include <cstring>

namespace ballcam::report::testing {

std::optional<Canvas> read_png(const std::string& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) return std::nullopt;
  image.format = PNG_FORMAT_RGB;
  Canvas canvas(static_cast<int>(image.width), static_cast<int>(image.height));
  if (png_image_finish_read(&image, nullptr, canvas.data(), 0, nullptr) == 0) {
    png_image_free(&image);
    return std::nullopt;
  }
  return canvas;
}

}  // namespace ballcam::report::testing
