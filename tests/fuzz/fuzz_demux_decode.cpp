// libFuzzer target: demux -> decode of arbitrary bytes through the project's
// own io::Source (libavformat probing, stream selection, libavcodec decode,
// pixel-format conversion, audio packet timing). The bytes are written to a
// file in /dev/shm (tmpfs) and opened as a local input, exactly as
// `ballcam run -i FILE` does; up to kMaxItems items are read.
//
// Findings inside FFmpeg itself (Debian's libraries, not instrumented) show
// up only as crashes/hangs, not as sanitizer reports; see docs/TESTING.md.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "io/media.hpp"
#include "io/source.hpp"

namespace {

constexpr int kMaxItems = 48;

const std::string& scratch_path() {
  static const std::string path = "/dev/shm/ballcam-fuzz-" + std::to_string(getpid()) + ".bin";
  return path;
}

bool write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ballcam::io::set_library_log_level(ballcam::io::LibraryLogLevel::kQuiet);
  std::atexit([] { std::remove(scratch_path().c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ballcam;
  if (!write_file(scratch_path(), data, size)) return 0;
  io::SourceOptions options;
  options.url = scratch_path();
  options.decoder_threads = 1;  // deterministic, and no thread start-up per input
  options.open_timeout_ms = 2000;
  options.read_timeout_ms = 2000;
  auto source = io::Source::open(options);
  if (!source.ok()) {
    // Only input errors are expected from bytes; a different code (internal,
    // unavailable) for a local file would be a wrong message for the user.
    if (source.status().code() != ErrorCode::kInputError) std::abort();
    return 0;
  }
  const io::StreamInfo& info = (*source)->info();
  if (info.width_px <= 0 || info.height_px <= 0) std::abort();
  for (int i = 0; i < kMaxItems; ++i) {
    auto item = (*source)->read();
    if (!item.ok()) {
      if (item.status().code() != ErrorCode::kInputError) std::abort();
      break;
    }
    if (std::holds_alternative<io::EndOfStream>(*item)) break;
    if (const Frame* frame = std::get_if<Frame>(&*item)) {
      // The pipeline relies on these: a host yuv420p picture with planes.
      if (frame->empty() || frame->width_px <= 0 || frame->height_px <= 0) std::abort();
      if (frame->format != PixelFormat::kYuv420p) std::abort();
      // Touch every row: a plane/stride mismatch is caught by ASan here
      // instead of later in the detector.
      unsigned sum = 0;
      for (int y = 0; y < frame->height_px; ++y) sum += frame->planes[0][static_cast<std::size_t>(y) * frame->strides[0] + frame->width_px - 1];
      for (int p = 1; p < 3; ++p)
        for (int y = 0; y < (frame->height_px + 1) / 2; ++y)
          sum += frame->planes[p][static_cast<std::size_t>(y) * frame->strides[p] + (frame->width_px + 1) / 2 - 1];
      if (sum == 0xFFFFFFFFu) std::puts("");  // keep the reads
    }
  }
  return 0;
}
