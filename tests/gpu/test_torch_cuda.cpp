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

#include "detect/footandball.hpp"
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

bool device_required() {
  const char* env = std::getenv("BALLCAM_GPU_REQUIRE_DEVICE");
  return env != nullptr && std::string(env) == "1";
}

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

}  // namespace
}  // namespace ballcam::gpu
