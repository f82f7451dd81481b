// FootAndBall on libtorch: strict weight loading, equality with an
// independent PyTorch implementation (tools/footandball_reference.py), and
// the detector (planner + post-processing) on synthetic frames. Reads the
// real weights from ../shared/models; skips when they are absent.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <torch/script.h>
#include <torch/torch.h>

#include "detect/detector.hpp"
#include "detect/footandball.hpp"
#include "detect/torch_common.hpp"
#include "synth/synth.hpp"

namespace ballcam::detect {
namespace {

namespace fs = std::filesystem;

const std::string kWeights = std::string(BALLCAM_SHARED_DIR) + "/models/footandball_20201019.pth";

class FootAndBallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kWeights)) GTEST_SKIP() << "no weights at " << kWeights;
    dir_ = fs::temp_directory_path() / ("ballcam_fab_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  // Not fs::remove_all: libtorch.so (2.11 wheel) exports its own
  // std::filesystem::remove_all, which crashes when called from here.
  void TearDown() override {
    if (!dir_.empty()) (void)std::system(("rm -rf '" + dir_.string() + "'").c_str());
  }
  fs::path dir_;
};

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST_F(FootAndBallTest, LoadsThePublishedWeightsStrictly) {
  auto model = load_footandball(kWeights);
  ASSERT_TRUE(model.ok()) << model.status().message();

  auto missing = load_footandball((dir_ / "absent.pth").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInputError);

  write_bytes(dir_ / "junk.pth", {'n', 'o', 't', ' ', 'a', ' ', 'm', 'o', 'd', 'e', 'l'});
  auto junk = load_footandball((dir_ / "junk.pth").string());
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), ErrorCode::kInputError);

  // The same state_dict with one tensor gone / one reshaped / one extra.
  auto original = load_state_dict(kWeights);
  ASSERT_TRUE(original.ok()) << original.status().message();
  EXPECT_EQ(original->size(), 74u);
  auto edited = [&](auto&& edit) {
    c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
    for (const auto& [name, tensor] : *original) dict.insert(c10::IValue(name), c10::IValue(tensor));
    edit(dict);
    const fs::path p = dir_ / "edited.pth";
    write_bytes(p, torch::pickle_save(c10::IValue(dict)));
    return load_footandball(p.string());
  };
  auto no_ball_head = edited([](auto& d) { (void)d.erase(c10::IValue(std::string("ball_classifier.2.bias"))); });
  ASSERT_FALSE(no_ball_head.ok());
  EXPECT_EQ(no_ball_head.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(no_ball_head.status().message().find("ball_classifier.2.bias"), std::string::npos);

  auto reshaped = edited([](auto& d) {
    d.insert_or_assign(c10::IValue(std::string("player_regressor.2.bias")), c10::IValue(torch::zeros({5})));
  });
  ASSERT_FALSE(reshaped.ok());
  EXPECT_NE(reshaped.status().message().find("[5]"), std::string::npos) << reshaped.status().message();

  auto extra = edited(
      [](auto& d) { d.insert_or_assign(c10::IValue(std::string("extra.weight")), c10::IValue(torch::zeros({1}))); });
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.status().message().find("extra.weight"), std::string::npos);
}

// Same input to the C++ network and to the PyTorch reference: outputs equal
// within 1e-4 (FP32, CPU). A real synthetic frame at 2x, and a batch of two
// tiles (batched path), odd map sizes included.
TEST_F(FootAndBallTest, MatchesThePythonReference) {
  auto model = load_footandball(kWeights);
  ASSERT_TRUE(model.ok()) << model.status().message();
  synth::SynthOptions o;
  o.width_px = 480;
  o.height_px = 270;
  o.duration_s = 1.0;
  synth::MatchRenderer r(o);
  Frame f = r.render_next(nullptr);
  std::vector<torch::Tensor> inputs;
  inputs.push_back(frame_to_tensor(f, 960, 540, InputNormalisation{}));  // stride-32 map 16.875 -> odd sizes
  std::vector<PlannedTile> tiles = {{10.0, 20.0, 96.0, PlannedTile::Kind::kRoi},
                                    {400.0, 200.0, 96.0, PlannedTile::Kind::kScan}};  // the second runs off the frame
  inputs.push_back(tiles_to_batch(f, tiles, 192, InputNormalisation{}));

  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const torch::Tensor& x = inputs[k];
    const FootAndBallMaps maps = (*model)->forward(x);
    ASSERT_EQ(maps.ball_prob.size(1), x.size(2) / 4);
    ASSERT_EQ(maps.player_prob.size(1), x.size(2) / 16);
    const fs::path in = dir_ / "in.f32", out = dir_ / "ref.f32";
    {
      std::ofstream os(in, std::ios::binary);
      os.write(reinterpret_cast<const char*>(x.data_ptr<float>()), static_cast<std::streamsize>(x.numel() * 4));
    }
    const std::string cmd = std::string(BALLCAM_TORCH_PYTHON) + " " + BALLCAM_SOURCE_DIR +
                            "/tools/footandball_reference.py --weights " + kWeights + " --input " + in.string() +
                            " --shape " + std::to_string(x.size(0)) + ",3," + std::to_string(x.size(2)) + "," +
                            std::to_string(x.size(3)) + " --out " + out.string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const std::vector<char> ref_bytes = read_bytes(out.string());
    const auto* ref = reinterpret_cast<const float*>(ref_bytes.data());
    std::size_t at = 0;
    double worst = 0.0;
    for (const torch::Tensor& t : {maps.ball_prob, maps.player_prob, maps.player_box}) {
      const torch::Tensor c = t.contiguous();
      const float* v = c.data_ptr<float>();
      ASSERT_LE((at + static_cast<std::size_t>(c.numel())) * 4, ref_bytes.size());
      for (std::int64_t i = 0; i < c.numel(); ++i) worst = std::max(worst, std::abs(double(v[i]) - ref[at + i]));
      at += static_cast<std::size_t>(c.numel());
    }
    EXPECT_EQ(at * 4, ref_bytes.size());
    EXPECT_LT(worst, 1e-4) << "input " << k;
    std::printf("[ reference ] input %zu %s: max |C++ - Python| = %.3g\n", k,
                k == 0 ? "whole frame 960x540" : "2 tiles of 192", worst);
  }
}

TEST_F(FootAndBallTest, RegistryNeedsAModelAndReportsBadFiles) {
  DetectorConfig c;
  c.name = "footandball";
  auto none = create_detector(c);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kInvalidArgument);
  c.model_path = (dir_ / "absent.pth").string();
  auto absent = create_detector(c);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), ErrorCode::kInputError);
  c.model_path = kWeights;
  c.planner.tile_px = 100;
  auto bad_tile = create_detector(c);
  ASSERT_FALSE(bad_tile.ok());
  EXPECT_EQ(bad_tile.status().code(), ErrorCode::kInvalidArgument);
}

// The detector end to end on synthetic frames, with and without the planner:
// candidates in source coordinates, skipped frames marked as not run.
TEST_F(FootAndBallTest, DetectsOnSyntheticFramesWithAndWithoutThePlanner) {
  synth::SynthOptions o;
  o.width_px = 960;
  o.height_px = 540;
  o.duration_s = 1.2;
  for (bool planner : {false, true}) {
    DetectorConfig c;
    c.name = "footandball";
    c.model_path = kWeights;
    c.planner.enabled = planner;
    c.planner.input_scale = 1.0;
    c.planner.tile_px = 256;
    c.planner.stride_frames = 2;
    auto det = create_detector(c);
    ASSERT_TRUE(det.ok()) << det.status().message();
    synth::MatchRenderer r(o);
    int ran = 0, near = 0, visible = 0;
    for (int i = 0; i < r.frame_count(); ++i) {
      GroundTruthFrame t;
      Frame f = r.render_next(&t);
      DetectHints h;
      if (t.ball && planner && i > 0) {  // a perfect tracker's prediction
        h.predicted = t.ball->center;
        h.search_radius_px = 20.0;
      }
      auto d = (*det)->detect(f, h);
      ASSERT_TRUE(d.ok()) << d.status().message();
      EXPECT_EQ(d->detector_ran, i % 2 == 0);
      if (!d->detector_ran) {
        EXPECT_TRUE(d->balls.empty());
        continue;
      }
      ++ran;
      for (const auto& b : d->balls) {
        EXPECT_GE(b.center.x, 0.0);
        EXPECT_LT(b.center.x, o.width_px);
        EXPECT_GE(b.score, c.min_score);
      }
      for (const auto& p : d->players) EXPECT_GE(p.score, c.player_min_score);
      if (t.ball && t.ball->visible) {
        ++visible;
        for (const auto& b : d->balls)
          if (std::hypot(b.center.x - t.ball->center.x, b.center.y - t.ball->center.y) <= 8.0) {
            ++near;
            break;
          }
      }
    }
    EXPECT_EQ(ran, (r.frame_count() + 1) / 2);
    std::printf("[ synthetic ] planner %s: ball within 8 px among the candidates on %d of %d visible frames\n",
                planner ? "on" : "off", near, visible);
  }
}

}  // namespace
}  // namespace ballcam::detect
