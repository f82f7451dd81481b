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

// Issue 4's bar on real footage: FootAndBall fine-tuned on the broadcast
// clip's annotated frames 0-280 (the CTest fixture footandball_finetune)
// finds the ball on frames 330-620, which it never saw, far better than the
// classical detector does. The planner runs with 128 px tiles and no time
// budget so that the result does not depend on this machine's load (the
// real-time setting, --detect-budget-ms 30, is measured in docs/BENCHMARKS.md).
TEST_F(FootAndBallRun, FineTunedBeatsClassicalOnHeldOutBroadcastFrames) {
  const std::string footage = std::string(BALLCAM_SHARED_DIR) + "/footage/zak_soccer.mp4";
  const std::string model = BALLCAM_FOOTANDBALL_ZAK;
  if (!fs::exists(footage)) GTEST_SKIP() << "no footage at " << footage;
  if (!fs::exists(model)) GTEST_SKIP() << "no fine-tuned model at " << model << " (fixture footandball_finetune)";
  // The held-out ground truth: annotated frames 330 and later.
  {
    std::ifstream in(std::string(BALLCAM_SOURCE_DIR) + "/tests/data/annotations/zak_soccer.jsonl");
    std::ofstream out(path("held_out.jsonl"));
    std::string line;
    int kept = 0;
    while (std::getline(in, line)) {
      const json rec = json::parse(line);
      if (rec.at("frame").get<int>() < 330) continue;
      out << line << '\n';
      ++kept;
    }
    ASSERT_EQ(kept, 42);
  }
  auto run = [&](const std::string& tag, std::vector<std::string> detector_args) {
    std::vector<std::string> args = {"run", "-q", "-i", footage, "-o", path(tag + ".mkv"), "--no-audio",
                                     "--track-out", path(tag + ".jsonl")};
    args.insert(args.end(), detector_args.begin(), detector_args.end());
    ProcessResult r = ballcam(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return eval(path("held_out.jsonl"), path(tag + ".jsonl"), 8.0);
  };
  const json classical = run("classical", {"--detector", "classical"});
  const json fab = run("footandball", {"--detector", "footandball", "--model", model, "--tile-px", "128"});
  ASSERT_TRUE(classical.is_object());
  ASSERT_TRUE(fab.is_object());
  const json& c = classical["ballcam"]["detection"];
  const json& f = fab["ballcam"]["detection"];
  std::printf("[ zak 330-620 ] classical P %.3f R %.3f; fine-tuned footandball P %.3f R %.3f, track p95 %s px\n",
              c["precision"].get<double>(), c["recall"].get<double>(), f["precision"].get<double>(),
              f["recall"].get<double>(), fab["ballcam"]["track"]["error_p95_px"].dump().c_str());
  EXPECT_GE(f["recall"].get<double>(), 0.6);
  EXPECT_GE(f["precision"].get<double>(), 0.6);
  EXPECT_GE(f["recall"].get<double>(), c["recall"].get<double>() + 0.2);
  EXPECT_GE(fab["ballcam"]["view"]["ball_in_view"].get<double>(), 0.9);
}

TEST_F(FootAndBallRun, BadModelFileIsAOneLineError) {
  std::ofstream(path("bad.pth")) << "not a model";
  ProcessResult r = ballcam({"run", "-i", path("none.mp4"), "-o", path("o.mp4"), "--detector", "footandball",
                             "--model", path("bad.pth")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.signal, 0);
}

}  // namespace
