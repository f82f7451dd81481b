// The GPU path's detector input is specified by gpu::ref::nv12_to_tensor
// with zero_outside (the CUDA kernel is tested against that reference in
// tests/gpu). Here, on the CPU, the reference must equal what the torch
// backends build on the CPU (frame_region_to_chw via planned_input) from the
// same picture, so that a detector on the GPU path sees the input it sees on
// the CPU path. And TorchPlacement's choices without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "core/frame.hpp"
#include "detect/planner.hpp"
#include "detect/torch_common.hpp"
#include "gpu/frame_view.hpp"
#include "gpu/reference.hpp"

namespace ballcam::detect {
namespace {

struct Pictures {
  Frame yuv;                       // host yuv420p
  std::vector<std::uint8_t> nv12;  // the same pixels, NV12, pitch = width
};

Pictures noise_picture(int w, int h, unsigned seed) {
  Pictures p;
  p.yuv = Frame::allocate(PixelFormat::kYuv420p, w, h);
  p.nv12.resize(static_cast<std::size_t>(w) * h * 3 / 2);
  std::mt19937 rng(seed);
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) {
      const auto v = static_cast<std::uint8_t>(16 + rng() % 220);
      p.yuv.planes[0][r * p.yuv.strides[0] + c] = v;
      p.nv12[static_cast<std::size_t>(r) * w + c] = v;
    }
  std::uint8_t* uv = p.nv12.data() + static_cast<std::size_t>(w) * h;
  for (int r = 0; r < h / 2; ++r)
    for (int c = 0; c < w / 2; ++c) {
      const auto u = static_cast<std::uint8_t>(16 + rng() % 225);
      const auto v = static_cast<std::uint8_t>(16 + rng() % 225);
      p.yuv.planes[1][r * p.yuv.strides[1] + c] = u;
      p.yuv.planes[2][r * p.yuv.strides[2] + c] = v;
      uv[static_cast<std::size_t>(r) * w + 2 * c] = u;
      uv[static_cast<std::size_t>(r) * w + 2 * c + 1] = v;
    }
  return p;
}

// The reference for the windows of `input`, in its batch order.
torch::Tensor reference_input(const Pictures& p, const PlannedInput& input, const InputNormalisation& norm) {
  const int w = p.yuv.width_px, h = p.yuv.height_px;
  const gpu::Nv12View view{p.nv12.data(), w, p.nv12.data() + static_cast<std::size_t>(w) * h, w, w, h};
  std::vector<gpu::RoiF> rois;
  for (const Box& b : input.windows) rois.push_back(gpu::roi_of(b));
  gpu::TensorSpec spec;
  spec.out_w = input.net_w;
  spec.out_h = input.net_h;
  spec.mean = norm.mean;
  spec.std = norm.std;
  spec.zero_outside = true;
  torch::Tensor out = torch::empty({static_cast<std::int64_t>(rois.size()), 3, input.net_h, input.net_w});
  gpu::ref::nv12_to_tensor(view, rois, spec, out.data_ptr<float>());
  return out;
}

TEST(TorchInput, GpuReferenceEqualsTheCpuBuilderForTilesAcrossTheEdges) {
  const Pictures p = noise_picture(1280, 720, 5);
  DetectionPlan plan;
  plan.run = true;
  plan.tiles = {{-50.5, -20.25, 160}, {600.3, 300.7, 160}, {1200, 650, 160}, {1279, 100, 160}, {-300, 0, 160}};
  const InputNormalisation norm;
  const PlannedInput cpu = planned_input(p.yuv, plan, 640, 384, 128, norm);
  const torch::Tensor ref = reference_input(p, cpu, norm);
  const double diff = (cpu.tensor - ref).abs().max().item<double>();
  EXPECT_LE(diff, 1e-3) << "max |CPU builder - GPU reference| (float vs double sample positions)";
  // The tile wholly left of the frame is padding only, on both.
  EXPECT_EQ(ref[4].abs().max().item<float>(), 0.0f);
  // Part of the first tile is padding: zero there, picture elsewhere.
  EXPECT_EQ(ref[0].index({0, 0, 0}).item<float>(), 0.0f);
  EXPECT_NE(ref[0].index({0, 127, 127}).item<float>(), 0.0f);
}

TEST(TorchInput, GpuReferenceEqualsTheCpuBuilderForTheWholeFrame) {
  const Pictures p = noise_picture(640, 360, 6);
  DetectionPlan plan;
  plan.run = true;
  plan.whole_frame = true;
  InputNormalisation norm;
  norm.mean = {0.5f, 0.5f, 0.5f};
  norm.std = {0.25f, 0.3f, 0.2f};
  for (const auto& size : {std::pair{640, 360}, std::pair{384, 384}, std::pair{1280, 736}}) {
    const PlannedInput cpu = planned_input(p.yuv, plan, size.first, size.second, 128, norm);
    const double diff = (cpu.tensor - reference_input(p, cpu, norm)).abs().max().item<double>();
    EXPECT_LE(diff, 1e-3) << size.first << "x" << size.second;
  }
}

TEST(TorchInput, PlacementIsTheCpuInFp32UnlessCudaIsAsked) {
  DetectorConfig config;
  config.precision = "fp16";  // applies on CUDA only
  auto cpu = TorchPlacement::create(config);
  ASSERT_TRUE(cpu.ok()) << cpu.status().message();
  EXPECT_FALSE(cpu->cuda());
  EXPECT_EQ(cpu->dtype(), torch::kFloat32);
  EXPECT_EQ(cpu->describe(), "CPU fp32");
  EXPECT_EQ(cpu->stream_scope(), nullptr);

  config.precision = "fp8";
  auto bad = TorchPlacement::create(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("fp8"), std::string::npos);
}

TEST(TorchInput, CudaWithoutADeviceIsUnavailableAndSaysWhy) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is here";
  DetectorConfig config;
  config.cuda = true;
  auto p = TorchPlacement::create(config);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(p.status().message().empty());
  // The backends say it with their name (exit 5 from `ballcam run`).
  config.name = "footandball";
  config.model_path = std::string(BALLCAM_SHARED_DIR) + "/models/footandball_20201019.pth";
  auto det = create_detector(config);
  ASSERT_FALSE(det.ok());
  EXPECT_EQ(det.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(det.status().message().find("footandball"), std::string::npos) << det.status().message();
}

}  // namespace
}  // namespace ballcam::detect
