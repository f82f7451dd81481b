#include "io_test_util.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ballcam::io::testing {
namespace fs = std::filesystem;

std::string run_command(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed");
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(p);
  if (rc != nullptr) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

namespace {

// FFmpeg's info-level chatter (x264 summaries) would drown the test output.
const bool g_quiet = [] {
  set_library_log_level(LibraryLogLevel::kError);
  return true;
}();

void must(const std::string& cmd) {
  int rc = 0;
  run_command(cmd + " 2>&1", &rc);
  if (rc != 0) throw std::runtime_error("fixture command failed: " + cmd);
}

// Each fixture is made on first use into a cache directory shared by test
// processes (ctest runs every test in its own process), written under a
// temporary name and renamed into place so parallel runs never see half a file.
void make_fixture(const std::string& d, const std::string& name, const std::string& out) {
  const std::string ff = "ffmpeg -nostdin -hide_banner -loglevel error -y ";
  const std::string vsrc = "-f lavfi -i testsrc2=size=320x240:rate=25 ";
  const std::string asrc = "-f lavfi -i sine=frequency=440:sample_rate=48000 ";
  const std::string x264 = "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 25 ";
  const std::string q = " '" + out + "'";
  if (name == "av.mp4") return must(ff + vsrc + asrc + "-t 2 " + x264 + "-c:a aac -b:a 64k -f mp4" + q);
  if (name == "pcm.mkv") return must(ff + vsrc + asrc + "-t 2 " + x264 + "-c:a pcm_s16le -f matroska" + q);
  if (name == "opus.mkv") return must(ff + vsrc + asrc + "-t 2 " + x264 + "-c:a libopus -f matroska" + q);
  if (name == "yuv444.mkv") return must(ff + vsrc + "-t 1 -c:v libx264 -preset ultrafast -pix_fmt yuv444p -f matroska" + q);
  if (name == "raw.h264") return must(ff + vsrc + "-t 1 " + x264 + "-f h264" + q);
  if (name == "audio_only.m4a") return must(ff + asrc + "-t 1 -c:a aac -f mp4" + q);
  if (name == "clean.ts") return must(ff + vsrc + asrc + "-t 2 " + x264 + "-c:a aac -f mpegts" + q);
  // Not faststart: moov at the end, so cutting the file loses it.
  if (name == "whole.mp4") return must(ff + vsrc + "-t 2 " + x264 + "-f mp4" + q);
  if (name == "text.txt") {
    std::ofstream(out) << "This is not a video.\nJust some text.\n";
  } else if (name == "notes") {
    std::ofstream(out) << "plain text without an extension, long enough to probe.\n";
  } else if (name == "empty.mp4") {
    std::ofstream{out};
  } else if (name == "garbage.mp4") {
    std::ofstream g(out, std::ios::binary);
    unsigned x = 12345;
    for (int i = 0; i < 200000; ++i) {
      x = x * 1103515245u + 12345u;
      g.put(static_cast<char>(x >> 16));
    }
  } else if (name == "truncated.mp4") {
    const std::string whole = fixture("whole.mp4");
    fs::copy_file(whole, out, fs::copy_options::overwrite_existing);
    fs::resize_file(out, fs::file_size(whole) / 2);
  } else if (name == "corrupt.ts") {
    // Garbage written over the middle third of a transport stream.
    fs::copy_file(fixture("clean.ts"), out, fs::copy_options::overwrite_existing);
    const auto size = fs::file_size(out);
    std::fstream f(out, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 3));
    for (std::uintmax_t i = 0; i < size / 3; i += 7) f.put(static_cast<char>(i * 31));
  } else {
    throw std::runtime_error("unknown fixture " + name + " in " + d);
  }
}

}  // namespace

const std::string& fixture_dir() {
  static const std::string dir = [] {
    const std::string d = (fs::temp_directory_path() / "ballcam_io_fixtures_v1").string();
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::string fixture(const std::string& name) {
  const std::string path = fixture_dir() + "/" + name;
  if (!fs::exists(path)) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    make_fixture(fixture_dir(), name, tmp);
    fs::rename(tmp, path);  // atomic; a parallel process may have won, which is fine
  }
  return path;
}

namespace {
const std::string& scratch_dir() {
  // Never destroyed, so the atexit cleanup can still read it.
  static const std::string* dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "ballcam_io_test_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return new std::string(tmpl);
  }();
  static const bool cleanup_registered = [] {
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(*dir, ec);
    });
    return true;
  }();
  (void)cleanup_registered;
  return *dir;
}
}  // namespace

std::string scratch_path(const std::string& name) {
  static int counter = 0;
  return scratch_dir() + "/" + std::to_string(counter++) + "_" + name;
}
namespace {
std::map<std::string, std::string> parse_kv(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos && kv.find(line.substr(0, eq)) == kv.end()) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}
}  // namespace

std::map<std::string, std::string> probe_stream(const std::string& path, const std::string& selector,
                                                bool count_frames) {
  const std::string cmd = std::string("ffprobe -v error ") + (count_frames ? "-count_frames " : "") +
                          "-select_streams " + selector +
                          " -show_entries stream=codec_name,width,height,nb_read_frames,sample_rate,channels,"
                          "avg_frame_rate,duration -of default=nw=1 '" + path + "'";
  return parse_kv(run_command(cmd));
}

std::map<std::string, std::string> probe_format(const std::string& path) {
  return parse_kv(run_command("ffprobe -v error -show_entries format=format_name,duration,nb_streams -of default=nw=1 '" +
                              path + "'"));
}

DecodeSummary decode_all(Source& src) {
  DecodeSummary s;
  for (;;) {
    auto item = src.read();
    if (!item.ok()) {
      s.status = item.status();
      return s;
    }
    if (std::holds_alternative<EndOfStream>(*item)) return s;
    if (auto* f = std::get_if<Frame>(&*item)) {
      Frame meta = *f;
      meta.storage.reset();
      meta.planes = {};
      s.frames.push_back(meta);
    } else {
      ++s.audio_packets;
    }
  }
}

Frame make_test_frame(int width, int height, int index, std::int64_t pts_us) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) f.planes[0][y * f.strides[0] + x] = static_cast<std::uint8_t>(x + y + index * 4);
  }
  for (int p = 1; p < 3; ++p) {
    for (int y = 0; y < height / 2; ++y) std::memset(f.planes[p] + y * f.strides[p], 96 + 64 * (p - 1), width / 2);
  }
  f.pts_us = pts_us;
  f.index = index;
  return f;
}

}  // namespace ballcam::io::testing
