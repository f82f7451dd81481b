// Fixtures for the io tests: real encoded files made once per run with the
// ffmpeg CLI (tests only; ballcam itself never spawns ffmpeg), and ffprobe
// queries to check what the Sink wrote.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "io/source.hpp"

namespace ballcam::io::testing {

// Cache directory of the fixtures, shared by test processes (made on demand).
const std::string& fixture_dir();
// Path of a named fixture: av.mp4 (2 s testsrc2 320x240@25 + AAC sine),
// pcm.mkv (same video, pcm_s16le audio), opus.mkv (libopus audio),
// yuv444.mkv (yuv444p video), raw.h264 (elementary stream, no timestamps),
// audio_only.m4a, text.txt, empty.mp4, garbage.mp4, truncated.mp4, corrupt.ts.
std::string fixture(const std::string& name);
// A fresh path in a scratch directory.
std::string scratch_path(const std::string& name);

// Runs a shell command; returns stdout, sets *rc.
std::string run_command(const std::string& cmd, int* rc = nullptr);
// ffprobe -show_entries for one stream selector ("v:0", "a:0") as key=value.
std::map<std::string, std::string> probe_stream(const std::string& path, const std::string& selector,
                                                bool count_frames = false);
std::map<std::string, std::string> probe_format(const std::string& path);

struct DecodeSummary {
  std::vector<Frame> frames;  // only metadata kept meaningful; pixels may be dropped
  int audio_packets = 0;
  Status status;
};
// Reads a Source to the end (keeping at most `keep` frames' pixels).
DecodeSummary decode_all(Source& src);

// A 320x240 yuv420p frame with a moving pattern.
Frame make_test_frame(int width, int height, int index, std::int64_t pts_us);

}  // namespace ballcam::io::testing
