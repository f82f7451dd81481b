// libtorch on CUDA fed by the project's own kernel, without a copy: a 1080p
// NV12 frame in device memory -> nv12_to_tensor (4 tiles of 512x512, fp32)
// into a DeviceBuffer -> torch::from_blob on the same pointer, on the
// project's stream -> FootAndBall on CUDA in fp32, fp16 and bf16, compared
// with FootAndBall on the CPU (fp32) on the same input. Prints max |diff| of
// the ball probability map and whether the top ball cells agree. Needs the
// FootAndBall weights: BALLCAM_FOOTANDBALL_WEIGHTS, else
// ../shared/models/footandball_20201019.pth beside the checkout; skips
// without them, and without a GPU (unless BALLCAM_GPU_REQUIRE_DEVICE=1).
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "detect/footandball.hpp"
#include "detect/planner.hpp"
#include "detect/torch_common.hpp"
#include "gpu/cuda_check.hpp"
#include "gpu/cuda_raii.hpp"
#include "gpu/kernels.hpp"
#include "gpu_test.hpp"
#include "nv12_fixtures.hpp"

namespace ballcam::gpu {
namespace {

std::string weights_path() {
  if (const char* env = std::getenv("BALLCAM_FOOTANDBALL_WEIGHTS"); env != nullptr && *env != 0) return env;
  return std::string(BALLCAM_SHARED_DIR) + "/models/footandball_20201019.pth";
}

using testing::device_required;

// Flat indices of the k most probable ball cells.
std::set<std::int64_t> top_cells(const torch::Tensor& prob, int k) {
  const auto idx = std::get<1>(prob.reshape({-1}).to(torch::kFloat).topk(k));
  std::set<std::int64_t> out;
  for (int i = 0; i < k; ++i) out.insert(idx[i].item<std::int64_t>());
  return out;
}

TEST(GpuTorch, FootAndBallOnCudaFromKernelOutputMatchesCpu) {
  if (cuda_device_count() <= 0 || !torch::cuda::is_available()) {
    if (device_required()) {
      ASSERT_TRUE(false) << "libtorch sees no CUDA device (BALLCAM_GPU_REQUIRE_DEVICE=1)";
    }
    GTEST_SKIP() << "no CUDA device for libtorch";
  }
  const std::string weights = weights_path();
  if (!std::filesystem::exists(weights)) GTEST_SKIP() << "FootAndBall weights not found: " << weights;

  // The frame and the tiles.
  constexpr int kW = 1920, kH = 1080, kTile = 512;
  testing::HostNv12 host = testing::structured_nv12(kW, kH);
  auto stream = Stream::create();
  ASSERT_TRUE(stream.ok());
  auto frame = DeviceNv12Frame::allocate(kW, kH);
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(frame->upload(host.cview(), stream->get()).ok());
  const std::vector<RoiF> rois = {{0, 0, kTile, kTile}, {700, 300, kTile, kTile}, {1400, 560, kTile, kTile},
                                  {960, 0, 960, 540}};
  TensorSpec spec;
  spec.out_w = kTile;
  spec.out_h = kTile;
  const std::int64_t n = static_cast<std::int64_t>(rois.size());
  auto buf = DeviceBuffer<float>::allocate(static_cast<std::size_t>(n * 3 * kTile * kTile));
  ASSERT_TRUE(buf.ok());
  ASSERT_TRUE(nv12_to_tensor<float>(as_const(frame->view()), rois, spec, buf->get(), stream->get()).ok());

  // Torch works on our stream from here on: no sync between the kernel and the network.
  c10::cuda::CUDAStreamGuard guard(c10::cuda::getStreamFromExternal(stream->get(), 0));
  const torch::Tensor input = torch::from_blob(buf->get(), {n, 3, kTile, kTile},
                                               torch::TensorOptions().device(torch::kCUDA, 0).dtype(torch::kFloat));
  ASSERT_EQ(input.data_ptr(), static_cast<void*>(buf->get()));  // no copy

  auto model = detect::load_footandball(weights);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const torch::Tensor cpu_input = input.to(torch::kCPU);
  const torch::Tensor ref = (*model)->forward(cpu_input).ball_prob.contiguous();
  const auto ref_top = top_cells(ref, 10);

  struct Case {
    const char* name;
    torch::ScalarType dtype;
  };
  for (const Case& c : {Case{"fp32", torch::kFloat}, Case{"fp16", torch::kHalf}, Case{"bf16", torch::kBFloat16}}) {
    (*model)->to(torch::Device(torch::kCUDA, 0), c.dtype);
    const torch::Tensor x = c.dtype == torch::kFloat ? input : input.to(c.dtype);
    cudaEvent_t t0, t1;
    cudaEventCreate(&t0);
    cudaEventCreate(&t1);
    cudaEventRecord(t0, stream->get());
    const torch::Tensor got = (*model)->forward(x).ball_prob.to(torch::kFloat);
    cudaEventRecord(t1, stream->get());
    const torch::Tensor got_cpu = got.to(torch::kCPU);  // synchronises the stream
    float ms = 0;
    cudaEventElapsedTime(&ms, t0, t1);
    cudaEventDestroy(t0);
    cudaEventDestroy(t1);
    const double diff = (got_cpu - ref).abs().max().item<double>();
    const auto top = top_cells(got_cpu, 10);
    int same = 0;
    for (auto i : top) same += ref_top.count(i) ? 1 : 0;
    std::printf("torch CUDA %s: FootAndBall %lldx3x%dx%d, max |ball_prob - CPU fp32| = %.3g, top-10 ball cells "
                "shared with CPU: %d/10, %.2f ms (first call includes cuDNN set-up)\n",
                c.name, static_cast<long long>(n), kTile, kTile, diff, same, static_cast<double>(ms));
    if (c.dtype == torch::kFloat) {
      EXPECT_LE(diff, 1e-3);
      EXPECT_LE(9, same);
    } else {
      EXPECT_LE(diff, 0.1);  // reported; half precision is judged from the printed figures
    }
  }
  (*model)->to(torch::Device(torch::kCPU), torch::kFloat);
}

#if defined(BALLCAM_TORCH_CUDA_INPUT)
// A host yuv420p Frame with the same pixels as `nv12`.
Frame to_yuv420p(testing::HostNv12& nv12) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, nv12.width_px, nv12.height_px);
  for (int r = 0; r < nv12.height_px; ++r)
    for (int c = 0; c < nv12.width_px; ++c) f.planes[0][r * f.strides[0] + c] = nv12.y(c, r);
  for (int r = 0; r < nv12.height_px / 2; ++r)
    for (int c = 0; c < nv12.width_px / 2; ++c) {
      f.planes[1][r * f.strides[1] + c] = nv12.uv(c, r, 0);
      f.planes[2][r * f.strides[2] + c] = nv12.uv(c, r, 1);
    }
  return f;
}

// The device frame as the pipeline hands it to a detector (kNv12, kCuda).
Frame device_frame(const DeviceNv12Frame& d) {
  Frame f;
  f.format = PixelFormat::kNv12;
  f.memory = MemoryLocation::kCuda;
  f.width_px = d.view().width_px;
  f.height_px = d.view().height_px;
  f.planes[0] = d.view().y;
  f.strides[0] = d.view().y_pitch;
  f.planes[1] = d.view().uv;
  f.strides[1] = d.view().uv_pitch;
  return f;
}

// A white disc (a ball) on the structured frame, so the detector has
// something to find.
void paint_ball(testing::HostNv12& f, double cx, double cy, double r) {
  for (int y = static_cast<int>(cy - r - 1); y <= static_cast<int>(cy + r + 1); ++y)
    for (int x = static_cast<int>(cx - r - 1); x <= static_cast<int>(cx + r + 1); ++x)
      if (std::hypot(x + 0.5 - cx, y + 0.5 - cy) <= r) f.y(x, y) = 235;
}

// `host` uploaded into a new device frame (and the copy finished).
Result<DeviceNv12Frame> upload(testing::HostNv12& host) {
  BALLCAM_ASSIGN_OR_RETURN(Stream stream, Stream::create());
  BALLCAM_ASSIGN_OR_RETURN(DeviceNv12Frame dev, DeviceNv12Frame::allocate(host.width_px, host.height_px));
  BALLCAM_RETURN_IF_ERROR(dev.upload(host.cview(), stream.get()));
  BALLCAM_RETURN_IF_ERROR(stream.synchronize());
  return dev;
}

bool torch_cuda_or_skip() {
  if (cuda_device_count() > 0 && torch::cuda::is_available()) return true;
  if (device_required()) ADD_FAILURE() << "libtorch sees no CUDA device (BALLCAM_GPU_REQUIRE_DEVICE=1)";
  return false;
}

// TorchPlacement's device input (nv12_to_tensor, zero outside the frame)
// equals the CPU builder's (frame_region_to_chw) for tiles inside, across
// and outside the frame's edges, and for the whole frame.
TEST(GpuTorch, DeviceFrameInputMatchesCpuBuilder) {
  if (!torch_cuda_or_skip()) GTEST_SKIP() << "no CUDA device for libtorch";
  testing::HostNv12 host = testing::random_nv12(1280, 720, 21);
  const Frame cpu_frame = to_yuv420p(host);
  auto dev = upload(host);
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  detect::DetectorConfig config;
  config.cuda = true;
  auto placement = detect::TorchPlacement::create(config);
  ASSERT_TRUE(placement.ok()) << placement.status().message();
  detect::DetectionPlan plan;
  plan.run = true;
  plan.whole_frame = false;
  plan.tiles = {{-50.5, -20.25, 160}, {600, 300, 160}, {1200, 650, 160}, {1279, 100, 160}};
  const detect::InputNormalisation norm;
  for (const bool whole : {false, true}) {
    plan.whole_frame = whole;
    const auto scope = placement->stream_scope();
    auto got = placement->input(device_frame(*dev), plan, 640, 384, 128, norm);
    ASSERT_TRUE(got.ok()) << got.status().message();
    const detect::PlannedInput want = detect::planned_input(cpu_frame, plan, 640, 384, 128, norm);
    ASSERT_EQ(got->tensor.sizes(), want.tensor.sizes());
    EXPECT_TRUE(got->tensor.is_cuda());
    const double diff = (got->tensor.to(torch::kCPU) - want.tensor).abs().max().item<double>();
    std::printf("device input vs CPU builder (%s): max |diff| %.3g\n", whole ? "whole frame" : "4 tiles", diff);
    EXPECT_LE(diff, 2e-3);
    EXPECT_EQ(placement->bytes_host_to_device(), 0u);  // built on the device: nothing uploaded
  }
}

// The FootAndBall detector on CUDA, reading the device frame, finds what the
// CPU detector finds on the same picture (fp32), whole frame and tiles.
TEST(GpuTorch, FootAndBallDetectorOnDeviceFramesMatchesCpu) {
  if (!torch_cuda_or_skip()) GTEST_SKIP() << "no CUDA device for libtorch";
  const std::string weights = weights_path();
  if (!std::filesystem::exists(weights)) GTEST_SKIP() << "FootAndBall weights not found: " << weights;
  testing::HostNv12 host = testing::structured_nv12(1280, 720);
  paint_ball(host, 400.3, 300.7, 5.0);
  paint_ball(host, 900.0, 500.0, 4.0);
  const Frame cpu_frame = to_yuv420p(host);
  auto dev = upload(host);
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  for (const bool tiles : {false, true}) {
    detect::DetectorConfig config;
    config.name = "footandball";
    config.model_path = weights;
    config.min_score = 0.01;  // published weights, synthetic picture: low scores, but the same on both
    config.planner.enabled = tiles;
    const auto info = detect::footandball_detector_info();
    auto cpu = info.factory(config);
    ASSERT_TRUE(cpu.ok()) << cpu.status().message();
    config.cuda = true;
    auto gpu = info.factory(config);
    ASSERT_TRUE(gpu.ok()) << gpu.status().message();
    EXPECT_TRUE((*gpu)->takes_device_frames());
    detect::DetectHints hints;
    hints.predicted = Point2{400.0, 300.0};
    hints.search_radius_px = 40.0;
    auto want = (*cpu)->detect(cpu_frame, hints);
    ASSERT_TRUE(want.ok()) << want.status().message();
    auto got = (*gpu)->detect(device_frame(*dev), hints);
    ASSERT_TRUE(got.ok()) << got.status().message();
    std::printf("footandball %s: CPU %zu balls, CUDA %zu balls; device->host %llu bytes\n",
                tiles ? "tiles" : "whole frame", want->balls.size(), got->balls.size(),
                static_cast<unsigned long long>((*gpu)->bytes_device_to_host()));
    ASSERT_EQ(got->balls.size(), want->balls.size());
    for (std::size_t i = 0; i < want->balls.size(); ++i) {
      EXPECT_NEAR(got->balls[i].center.x, want->balls[i].center.x, 0.5);
      EXPECT_NEAR(got->balls[i].center.y, want->balls[i].center.y, 0.5);
      EXPECT_NEAR(got->balls[i].score, want->balls[i].score, 1e-3);
    }
    EXPECT_EQ((*gpu)->bytes_host_to_device(), 0u);

    // The same through a CUDA graph: the first call captures, the next replay.
    config.cuda_graphs = true;
    auto graphed = info.factory(config);
    ASSERT_TRUE(graphed.ok()) << graphed.status().message();
    for (int call = 0; call < 3; ++call) {
      auto again = (*graphed)->detect(device_frame(*dev), hints);
      ASSERT_TRUE(again.ok()) << again.status().message();
      ASSERT_EQ(again->balls.size(), want->balls.size()) << "CUDA graph call " << call;
      for (std::size_t i = 0; i < want->balls.size(); ++i) {
        EXPECT_NEAR(again->balls[i].center.x, want->balls[i].center.x, 0.5) << "CUDA graph call " << call;
        EXPECT_NEAR(again->balls[i].score, want->balls[i].score, 1e-3) << "CUDA graph call " << call;
      }
    }
  }
}
#endif

}  // namespace
}  // namespace ballcam::gpu
