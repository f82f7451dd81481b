// open_detector on a zero-copy plan whose detector does not start on CUDA:
// --device auto falls back to the CPU pipeline, --device cuda says why it
// cannot. The failure is real: libtorch finds no CUDA device on this machine
// (on a machine where it does, the tests skip).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "detect/cuda_probe.hpp"
#include "pipeline/device_choice.hpp"
#include "pipeline/gpu_frames.hpp"
#include "pipeline/pipeline.hpp"

namespace ballcam::pipeline {
namespace {

const std::string kWeights = std::string(BALLCAM_SHARED_DIR) + "/models/footandball_20201019.pth";

class OpenDetector : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string note;
    if (detect::torch_cuda_available(&note)) GTEST_SKIP() << "libtorch runs on CUDA here: nothing fails to fall back from";
    if (!std::filesystem::exists(kWeights)) GTEST_SKIP() << kWeights << " not present";
    // A zero-copy plan as plan_for makes it on a GPU with NVENC.
    plan_.gpu = true;
    plan_.gpu_name = "a GPU";
    plan_.torch_cuda = true;
    plan_.zero_copy = true;
    plan_.encoder = "h264_nvenc";
    plan_.encoder_cuda_frames = true;
    auto g = GpuFrames::create_reference(320, 180, GpuFrames::Output::kHost);
    ASSERT_TRUE(g.ok()) << g.status().message();
    frames_ = std::move(g).value();
    config_.name = "footandball";
    config_.model_path = kWeights;
  }

  DevicePlan plan_;
  std::unique_ptr<GpuFrames> frames_;
  detect::DetectorConfig config_;
};

TEST_F(OpenDetector, AutoFallsBackToTheCpuPipeline) {
  auto det = open_detector(Device::kAuto, config_, plan_, frames_);
  ASSERT_TRUE(det.ok()) << det.status().message();
  ASSERT_NE(det.value(), nullptr);
  EXPECT_EQ(det.value()->name(), "footandball");
  EXPECT_FALSE(plan_.zero_copy);
  EXPECT_FALSE(plan_.detect_on_cuda());
  EXPECT_FALSE(plan_.encoder_cuda_frames);  // NVENC, kept, now takes host pictures
  EXPECT_EQ(plan_.encoder, "h264_nvenc");
  EXPECT_EQ(frames_, nullptr);
  EXPECT_NE(plan_.zero_copy_note.find("detector 'footandball' does not start on libtorch CUDA: "), std::string::npos)
      << plan_.zero_copy_note;
  // Decoded frames now leave the GPU, and the log line says why.
  const io::SourceOptions so = source_options_for({}, plan_);
  EXPECT_FALSE(so.keep_device_frames);
  io::StreamInfo info;
  info.video_codec = "h264";
  info.width_px = 1280;
  info.height_px = 720;
  const std::string line = describe_choice(Device::kAuto, plan_, info, "footandball");
  EXPECT_NE(line.find("detect 'footandball' on CPU (GPU path not taken: detector 'footandball' does not start"),
            std::string::npos)
      << line;
}

TEST_F(OpenDetector, CudaSaysWhyAndKeepsThePlan) {
  auto det = open_detector(Device::kCuda, config_, plan_, frames_);
  ASSERT_FALSE(det.ok());
  EXPECT_EQ(det.status().code(), ErrorCode::kUnavailable);
  const std::string& msg = det.status().message();
  EXPECT_EQ(msg.rfind("--device cuda: ", 0), 0U) << msg;
  EXPECT_NE(msg.find("; use --device cpu or auto"), std::string::npos) << msg;
  EXPECT_TRUE(plan_.zero_copy);
  EXPECT_NE(frames_, nullptr);
}

TEST_F(OpenDetector, AnErrorThatIsNotCudasIsReportedAsItIs) {
  config_.model_path = "/nonexistent/weights.pth";
  auto det = open_detector(Device::kAuto, config_, plan_, frames_);
  ASSERT_FALSE(det.ok());
  EXPECT_NE(det.status().message().find("/nonexistent/weights.pth"), std::string::npos) << det.status().message();
}

TEST_F(OpenDetector, CpuPlansStartOnTheCpu) {
  plan_.zero_copy = false;
  frames_.reset();
  auto det = open_detector(Device::kAuto, config_, plan_, frames_);
  ASSERT_TRUE(det.ok()) << det.status().message();
  EXPECT_TRUE(plan_.zero_copy_note.empty());
}

}  // namespace
}  // namespace ballcam::pipeline
