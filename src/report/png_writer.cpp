#include "report/png_writer.hpp"

#include <png.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace ballcam::report {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// libpng reports errors through a callback that must not return; we turn them
// into a longjmp back into write_png, as libpng's manual prescribes.
[[noreturn]] void on_png_error(png_structp png, png_const_charp /*message*/) { png_longjmp(png, 1); }
void on_png_warning(png_structp /*png*/, png_const_charp /*message*/) {}

// Owns the write struct and its info struct together.
class PngWriteHandle {
 public:
  PngWriteHandle()
      : png_(png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, on_png_error, on_png_warning)),
        info_(png_ != nullptr ? png_create_info_struct(png_) : nullptr) {}
  ~PngWriteHandle() { png_destroy_write_struct(&png_, &info_); }
  PngWriteHandle(const PngWriteHandle&) = delete;
  PngWriteHandle& operator=(const PngWriteHandle&) = delete;
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_;
  png_infop info_;
};

// Kept free of C++ objects with destructors between setjmp and the libpng
// calls, so the longjmp skips nothing that needs unwinding.
bool write_rows(png_structp png, png_infop info, std::FILE* file, const Canvas& image, png_bytep* rows) {
  if (setjmp(png_jmpbuf(png))) return false;  // NOLINT(cert-err52-cpp)
  png_init_io(png, file);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width_px()), static_cast<png_uint_32>(image.height_px()),
               8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

Status write_png(const std::string& path, const Canvas& image) {
  if (image.empty()) return error(ErrorCode::kInternal, "writing '" + path + "': empty image");
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file) return error(ErrorCode::kOutputError, "cannot write '" + path + "'");
  PngWriteHandle handle;
  if (handle.png() == nullptr || handle.info() == nullptr) {
    return error(ErrorCode::kInternal, "writing '" + path + "': libpng could not start");
  }
  std::vector<png_bytep> rows(static_cast<std::size_t>(image.height_px()));
  const std::size_t stride = static_cast<std::size_t>(image.width_px()) * 3;
  // libpng's row pointers are non-const, but it only reads them when writing.
  auto* base = const_cast<std::uint8_t*>(image.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  for (std::size_t y = 0; y < rows.size(); ++y) rows[y] = base + y * stride;
  if (!write_rows(handle.png(), handle.info(), file.get(), image, rows.data())) {
    return error(ErrorCode::kOutputError, "writing '" + path + "': libpng failed (disk full?)");
  }
  if (std::fflush(file.get()) != 0) return error(ErrorCode::kOutputError, "writing '" + path + "': flush failed");
  return Status::Ok();
}

}  // namespace ballcam::report
