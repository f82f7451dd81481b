// `ballcam doctor`, --device and --decode on the real binary. On a machine
// without a GPU (CI): doctor says so and exits 5, --device auto runs the CPU
// pipeline and logs why in one line, --device cuda and --decode nvdec stop
// with exit 5 and a one-line reason. On a GPU machine (scripts/device-check.sh)
// the same tests expect the GPU path to work.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gpu/probe.hpp"
#include "../integration/process.hpp"

namespace fs = std::filesystem;
using ballcam::testing::ProcessResult;
using ballcam::testing::run_process;

namespace {

ProcessResult ballcam(std::vector<std::string> args, double timeout_s = 300) {
  args.insert(args.begin(), BALLCAM_BIN);
  return run_process(args, timeout_s);
}

bool have_gpu() { return ballcam::gpu::probe_driver().has_gpu(); }

int count_lines_with(const std::string& text, const std::string& needle) {
  int n = 0;
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    ++n;
    pos += needle.size();
  }
  return n;
}

class GpuCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ballcam_gpu_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    clip_ = (dir_ / "clip.mp4").string();
    const ProcessResult r = ballcam({"synth", "-o", clip_, "--size", "640x360", "--duration", "2", "--no-audio"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static std::string out(const std::string& name) { return (dir_ / name).string(); }
  static inline fs::path dir_;
  static inline std::string clip_;
};

TEST_F(GpuCli, DoctorReportsAndExitCodeFollowsTheGpu) {
  const ProcessResult r = ballcam({"doctor"}, 120);
  EXPECT_NE(r.out.find("NVIDIA driver"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FFmpeg video encoders"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("libx264"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[ok  ] decode CPU"), std::string::npos) << r.out;
  if (have_gpu()) {
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("[ok  ] decode NVDEC"), std::string::npos) << r.out;
  } else {
    EXPECT_EQ(r.exit_code, 5) << r.out;
    EXPECT_NE(r.out.find("verdict: NO GPU"), std::string::npos) << r.out;
  }
}

TEST_F(GpuCli, DoctorCpuAndAutoWorkEverywhere) {
  EXPECT_EQ(ballcam({"doctor", "--device", "cpu"}, 120).exit_code, 0);
  const ProcessResult r = ballcam({"doctor", "--device", "auto"}, 120);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verdict: --device auto would run"), std::string::npos) << r.out;
}

TEST_F(GpuCli, AutoLogsOneLineSayingWhatItChose) {
  const ProcessResult r = ballcam({"run", "-i", clip_, "-o", out("auto.mp4"), "--device", "auto"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines_with(r.err, "device auto: "), 1) << r.err;
  if (have_gpu()) {
    EXPECT_NE(r.err.find("device auto: decode NVDEC"), std::string::npos) << r.err;
  } else {
    EXPECT_NE(r.err.find("device auto: decode libavcodec ("), std::string::npos) << r.err;
  }
}

TEST_F(GpuCli, CudaAndNvdecNeedAGpu) {
  const ProcessResult cuda = ballcam({"run", "-i", clip_, "-o", out("cuda.mp4"), "--device", "cuda",
                                      "--metrics-json", out("cuda.json")});
  const ProcessResult nvdec = ballcam({"run", "-i", clip_, "-o", out("nvdec.mp4"), "--decode", "nvdec"});
  if (have_gpu()) {
    EXPECT_EQ(cuda.exit_code, 0) << cuda.err;
    EXPECT_EQ(nvdec.exit_code, 0) << nvdec.err;
    EXPECT_NE(nvdec.err.find("decode NVDEC"), std::string::npos) << nvdec.err;
  } else {
    EXPECT_EQ(cuda.exit_code, 5) << cuda.err;
    EXPECT_NE(cuda.err.find("--device cuda: "), std::string::npos) << cuda.err;
    EXPECT_FALSE(fs::exists(out("cuda.mp4")));
    EXPECT_EQ(nvdec.exit_code, 5) << nvdec.err;
    EXPECT_NE(nvdec.err.find("--decode nvdec: "), std::string::npos) << nvdec.err;
    EXPECT_FALSE(fs::exists(out("nvdec.mp4")));
  }
}

TEST_F(GpuCli, BadDecodeValueIsAUsageError) {
  const ProcessResult r = ballcam({"run", "-i", clip_, "-o", out("bad.mp4"), "--decode", "vaapi"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("decode"), std::string::npos) << r.err;
}

}  // namespace
