// End-to-end with the FootAndBall backend (libtorch builds only): the real
// binary on a synthetic clip (planner + detection stride), scored with
// `ballcam eval`; a bad model file is a clean error.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "process.hpp"

namespace fs = std::filesystem;
using ballcam::testing::ProcessResult;
using ballcam::testing::run_process;
using nlohmann::json;

namespace {

const std::string kWeights = std::string(BALLCAM_SHARED_DIR) + "/models/footandball_20201019.pth";

ProcessResult ballcam(std::vector<std::string> args, double timeout_s = 600) {
  args.insert(args.begin(), BALLCAM_BIN);
  return run_process(args, timeout_s);
}

class FootAndBallRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kWeights)) GTEST_SKIP() << "no weights at " << kWeights;
    char tmpl[] = "/tmp/ballcam-fab-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // ballcam eval --json: detection precision/recall at `radius` px.
  json eval(const std::string& truth, const std::string& track, double radius) {
    ProcessResult e = ballcam({"eval", "--truth", truth, "--track", track, "--radius", std::to_string(radius),
                               "--json", path("eval.json")});
    EXPECT_EQ(e.exit_code, 0) << e.err;
    std::ifstream in(path("eval.json"));
    return json::parse(in, nullptr, false);
  }

  fs::path dir_;
};

int count_lines_with(const std::string& file, const std::string& needle) {
  std::ifstream in(file);
  int n = 0;
  std::string line;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos) ++n;
  return n;
}

TEST_F(FootAndBallRun, RunsOnASyntheticClipWithThePlannerAndAStride) {
  ASSERT_EQ(ballcam({"synth", "-o", path("clip.mp4"), "--truth", path("clip.jsonl"), "--size", "960x540",
                     "--duration", "3", "--seed", "5", "--no-audio"})
                .exit_code,
            0);
  ProcessResult r = ballcam({"run", "-i", path("clip.mp4"), "-o", path("out.mp4"), "--detector", "footandball",
                             "--model", kWeights, "--detect-stride", "2", "--track-out", path("track.jsonl"),
                             "--metrics-json", path("metrics.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("footandball: loaded"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines_with(path("track.jsonl"), "\"frame\""), 75);
  const json e = eval(path("clip.jsonl"), path("track.jsonl"), 8.0);
  ASSERT_TRUE(e.is_object());
  std::printf("[ synthetic ] footandball + planner, stride 2: %s\n", e.dump().substr(0, 400).c_str());
}

TEST_F(FootAndBallRun, BadModelFileIsAOneLineError) {
  std::ofstream(path("bad.pth")) << "not a model";
  ProcessResult r = ballcam({"run", "-i", path("none.mp4"), "-o", path("o.mp4"), "--detector", "footandball",
                             "--model", path("bad.pth")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.signal, 0);
}

}  // namespace
