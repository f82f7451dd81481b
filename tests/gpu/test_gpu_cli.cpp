// `ballcam doctor`, --device and --decode on the real binary. On a machine
// without a GPU (CI): doctor says so and exits 5, --device auto runs the CPU
// pipeline and logs why in one line, --device cuda and --decode nvdec stop
// with exit 5 and a one-line reason. On a GPU machine (scripts/device-check.sh)
// the same tests expect the GPU path to work.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
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

// --encoder: auto says in the device line which encoder and why; NVENC by
// name runs where it opens (a T4/L4) and elsewhere (no GPU here; an H100 has
// no NVENC engine) stops with exit 5 and one line, leaving no output; with
// --device cpu it is a contradiction (exit 2).
TEST_F(GpuCli, EncoderChoice) {
  const ProcessResult autod = ballcam({"run", "-i", clip_, "-o", out("enc_auto.mp4"), "--metrics-json",
                                       out("enc_auto.json")});
  ASSERT_EQ(autod.exit_code, 0) << autod.err;
  EXPECT_TRUE(autod.err.find("encode libx264") != std::string::npos ||
              autod.err.find("encode h264_nvenc") != std::string::npos)
      << autod.err;

  const ProcessResult nvenc = ballcam({"run", "-i", clip_, "-o", out("enc_nvenc.mp4"), "--encoder", "h264_nvenc",
                                       "--metrics-json", out("enc_nvenc.json")});
  if (nvenc.exit_code == 0) {
    EXPECT_TRUE(fs::exists(out("enc_nvenc.mp4")));
    std::printf("h264_nvenc opened here and encoded the clip\n");
  } else {
    EXPECT_EQ(nvenc.exit_code, 5) << nvenc.err;
    EXPECT_NE(nvenc.err.find("--encoder h264_nvenc: "), std::string::npos) << nvenc.err;
    EXPECT_NE(nvenc.err.find("use --encoder libx264 or auto"), std::string::npos) << nvenc.err;
    EXPECT_FALSE(fs::exists(out("enc_nvenc.mp4")));
  }

  const ProcessResult cpu = ballcam({"run", "-i", clip_, "-o", out("enc_cpu.mp4"), "--device", "cpu", "--encoder",
                                     "hevc_nvenc"});
  EXPECT_EQ(cpu.exit_code, 2) << cpu.err;
  EXPECT_NE(cpu.err.find("needs a GPU, but --device cpu"), std::string::npos) << cpu.err;
  EXPECT_FALSE(fs::exists(out("enc_cpu.mp4")));

  const ProcessResult bad = ballcam({"run", "-i", clip_, "-o", out("enc_bad.mp4"), "--encoder", "libx265"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("encoder"), std::string::npos) << bad.err;
}

TEST_F(GpuCli, BadDecodeValueIsAUsageError) {
  const ProcessResult r = ballcam({"run", "-i", clip_, "-o", out("bad.mp4"), "--decode", "vaapi"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("decode"), std::string::npos) << r.err;
}

}  // namespace
