// synthesize() end to end: an MP4 that ffprobe reads, and one JSON line per frame.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "synth/synth.hpp"

namespace ballcam::synth {
namespace {

std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}

TEST(Synthesize, WritesMp4WithAudioAndGroundTruth) {
  if (std::system("ffprobe -version > /dev/null 2>&1") != 0) GTEST_SKIP() << "ffprobe not installed";
  const auto dir = std::filesystem::temp_directory_path() / ("ballcam_synth_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string video = (dir / "clip.mp4").string(), truth = (dir / "clip.jsonl").string();
  SynthOptions o;
  o.width_px = 640;
  o.height_px = 360;
  o.duration_s = 2;
  o.preset = "ultrafast";
  const Status st = synthesize(o, video, truth);
  ASSERT_TRUE(st.ok()) << st.to_string();

  const std::string v = run_capture("ffprobe -v error -select_streams v:0 -count_frames -show_entries "
                                    "stream=codec_name,width,height,nb_read_frames -of csv=p=0 '" + video + "'");
  EXPECT_NE(v.find("h264,640,360,50"), std::string::npos) << v;
  const std::string a = run_capture("ffprobe -v error -select_streams a -show_entries stream=codec_type -of csv=p=0 '" +
                                    video + "'");
  EXPECT_NE(a.find("audio"), std::string::npos) << a;

  std::ifstream in(truth);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    auto parsed = parse_ground_truth_line(line);
    ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
    EXPECT_EQ(parsed->frame_index, lines);
    ++lines;
  }
  EXPECT_EQ(lines, 50);
  std::filesystem::remove_all(dir);
}

TEST(Synthesize, UnknownScenarioIsInvalidArgument) {
  SynthOptions o;
  o.scenario = "cricket";
  EXPECT_EQ(synthesize(o, "/tmp/never.mp4", "").code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace ballcam::synth
