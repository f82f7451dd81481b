// The zero-copy path's frames (pipeline/GpuFrames) on CUDA against the same
// stages on the kernels' CPU references: a host yuv420p frame uploaded
// (adopt), cropped, resized and marked (render) gives the same bytes, with
// the output kept on the device (for NVENC) or downloaded (for libx264), and
// the same bytes counted. Skips without a device.
#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include <cuda_runtime_api.h>

#include "core/frame.hpp"
#include "gpu/cuda_raii.hpp"
#include "gpu/frame_view.hpp"
#include "gpu/reference.hpp"
#include "device_test_util.hpp"
#include "gpu_test.hpp"
#include "nv12_fixtures.hpp"
#include "pipeline/gpu_frames.hpp"
#include "render/overlay.hpp"

namespace ballcam::pipeline {
namespace {

// A structured 1280x720 picture as a host yuv420p frame (what CPU decode gives).
Frame test_picture() {
  gpu::testing::HostNv12 nv = gpu::testing::structured_nv12(1280, 720);
  Frame f = Frame::allocate(PixelFormat::kYuv420p, 1280, 720);
  for (int r = 0; r < 720; ++r)
    for (int c = 0; c < 1280; ++c) f.planes[0][r * f.strides[0] + c] = nv.y(c, r);
  for (int r = 0; r < 360; ++r)
    for (int c = 0; c < 640; ++c) {
      f.planes[1][r * f.strides[1] + c] = nv.uv(c, r, 0);
      f.planes[2][r * f.strides[2] + c] = nv.uv(c, r, 1);
    }
  f.pts_us = 120000;
  f.index = 3;
  return f;
}

int worst_nv12_diff(const Frame& a, const Frame& b) {
  int worst = 0;
  for (int r = 0; r < a.height_px; ++r)
    for (int c = 0; c < a.width_px; ++c)
      worst = std::max(worst, std::abs(int{a.planes[0][r * a.strides[0] + c]} - int{b.planes[0][r * b.strides[0] + c]}));
  for (int r = 0; r < a.height_px / 2; ++r)
    for (int c = 0; c < a.width_px; ++c)
      worst = std::max(worst, std::abs(int{a.planes[1][r * a.strides[1] + c]} - int{b.planes[1][r * b.strides[1] + c]}));
  return worst;
}

TEST(GpuFramesCuda, MatchesTheReferenceOnHostAndDeviceOutput) {
  SKIP_WITHOUT_DEVICE();
  const Frame picture = test_picture();
  const CropRect crop{301.25, 117.5, 853.3, 480.0};
  render::OverlayMarks marks;
  marks.crosses = {{100, 80, 6, 170, 166, 16}, {104, 80, 6, 20, 30, 40}, {-3, 200, 6, 170, 166, 16}};
  marks.ring = render::OverlayRing{320.4, 180.2, 24.0, 3.0, 150, 44, 21};
  for (const auto output : {GpuFrames::Output::kHost, GpuFrames::Output::kDevice}) {
    ASSERT_OK_AND_ASSIGN(auto cuda, GpuFrames::create(640, 360, output));
    ASSERT_OK_AND_ASSIGN(auto ref, GpuFrames::create_reference(640, 360, output));
    ASSERT_OK_AND_ASSIGN(Frame dev_in, cuda->adopt(picture));
    ASSERT_OK_AND_ASSIGN(Frame ref_in, ref->adopt(picture));
    EXPECT_TRUE(dev_in.memory == MemoryLocation::kCuda);
    for (const bool with_marks : {false, true}) {
      ASSERT_OK_AND_ASSIGN(Frame got, cuda->render(dev_in, crop, with_marks ? &marks : nullptr));
      ASSERT_OK_AND_ASSIGN(Frame want, ref->render(ref_in, crop, with_marks ? &marks : nullptr));
      EXPECT_TRUE(got.format == PixelFormat::kNv12);
      EXPECT_TRUE(got.memory == (output == GpuFrames::Output::kDevice ? MemoryLocation::kCuda : MemoryLocation::kHost));
      EXPECT_EQ(got.pts_us, picture.pts_us);
      EXPECT_EQ(got.index, picture.index);
      // Both to the host (the preview's copy), so both count the download.
      ASSERT_OK_AND_ASSIGN(Frame host, cuda->to_host(got));
      ASSERT_OK_AND_ASSIGN(want, ref->to_host(want));
      ASSERT_TRUE(host.memory == MemoryLocation::kHost);
      EXPECT_EQ(worst_nv12_diff(host, want), 0) << (with_marks ? "with" : "without") << " marks, output "
                                                << (output == GpuFrames::Output::kDevice ? "device" : "host");
    }
    EXPECT_EQ(cuda->bytes_host_to_device(), ref->bytes_host_to_device());
    EXPECT_EQ(cuda->bytes_device_to_host(), ref->bytes_device_to_host());
  }
}

// A 10-bit NVDEC frame (device P010) is rounded to NV12 on adoption: the
// rendered picture equals the references' p010_to_nv12 then crop.
TEST(GpuFramesCuda, AdoptsTenBitDeviceFrames) {
  SKIP_WITHOUT_DEVICE();
  const gpu::testing::HostP010 src(1280, 720);
  ASSERT_OK_AND_ASSIGN(auto dev, gpu::DeviceBuffer<std::uint8_t>::allocate(src.bytes.size()));
  ASSERT_TRUE(cudaMemcpy(dev.get(), src.bytes.data(), src.bytes.size(), cudaMemcpyHostToDevice) == cudaSuccess);
  Frame p010;
  p010.format = PixelFormat::kP010;
  p010.memory = MemoryLocation::kCuda;
  p010.width_px = 1280;
  p010.height_px = 720;
  p010.planes[0] = dev.get();
  p010.planes[1] = dev.get() + static_cast<std::size_t>(src.pitch) * 720;
  p010.strides[0] = p010.strides[1] = src.pitch;
  const CropRect crop{100.5, 50.25, 960.0, 540.0};
  ASSERT_OK_AND_ASSIGN(auto cuda, GpuFrames::create(640, 360, GpuFrames::Output::kHost));
  ASSERT_OK_AND_ASSIGN(Frame in, cuda->adopt(p010));
  ASSERT_OK_AND_ASSIGN(Frame got, cuda->render(in, crop, nullptr));
  EXPECT_EQ(cuda->bytes_host_to_device(), 0u);  // converted on the device, nothing uploaded

  gpu::testing::HostNv12 eight(1280, 720);
  gpu::ref::p010_to_nv12(src.view(), eight.view());
  Frame want = Frame::allocate(PixelFormat::kNv12, 640, 360);
  gpu::ref::crop_resize_nv12(eight.cview(), crop, gpu::nv12_mut_view(want));
  EXPECT_EQ(worst_nv12_diff(got, want), 0);
}

// Pictures held at once (an encoder's queue) are distinct buffers; released
// ones are reused, so the pool stays at the high-water mark. An input of
// another size (a live camera back at another resolution) empties it.
void expect_pools_reuse_released_frames(GpuFrames& frames, MemoryLocation output_memory) {
  const Frame picture = test_picture();
  std::vector<Frame> held;
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK_AND_ASSIGN(Frame in, frames.adopt(picture));
    ASSERT_OK_AND_ASSIGN(Frame out, frames.render(in, CropRect{0, 0, 1280, 720}, nullptr));
    EXPECT_TRUE(out.memory == output_memory);
    held.push_back(in);
    held.push_back(out);
  }
  std::set<const std::uint8_t*> distinct;
  for (const Frame& f : held) distinct.insert(f.planes[0]);
  EXPECT_EQ(distinct.size(), held.size());
  EXPECT_EQ(frames.pooled_frames(), 4);  // input frames
  held.clear();
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(Frame in, frames.adopt(picture));
    ASSERT_OK_AND_ASSIGN(Frame out, frames.render(in, CropRect{0, 0, 1280, 720}, nullptr));
  }
  EXPECT_EQ(frames.pooled_frames(), 4);
  EXPECT_EQ(frames.bytes_device_to_host(), 0u);  // device output: nothing came down

  Frame small = Frame::allocate(PixelFormat::kYuv420p, 640, 360);
  std::fill(small.planes[0], small.planes[0] + small.strides[0] * 360, std::uint8_t{90});
  std::fill(small.planes[1], small.planes[1] + small.strides[1] * 180, std::uint8_t{128});
  std::fill(small.planes[2], small.planes[2] + small.strides[2] * 180, std::uint8_t{128});
  ASSERT_OK_AND_ASSIGN(Frame in, frames.adopt(small));
  EXPECT_EQ(in.width_px, 640);
  EXPECT_EQ(frames.pooled_frames(), 1);
  ASSERT_OK_AND_ASSIGN(Frame out, frames.render(in, CropRect{0, 0, 640, 360}, nullptr));
  ASSERT_OK_AND_ASSIGN(Frame host, frames.to_host(out));
  EXPECT_EQ(host.width_px, 640);
  EXPECT_EQ(host.planes[0][0], 90);
}

TEST(GpuFramesCuda, PoolsHeldPicturesAndReusesReleasedOnes) {
  SKIP_WITHOUT_DEVICE();
  ASSERT_OK_AND_ASSIGN(auto cuda, GpuFrames::create(640, 360, GpuFrames::Output::kDevice));
  expect_pools_reuse_released_frames(*cuda, MemoryLocation::kCuda);
}

// The reference implementation pools the same way (no device needed).
TEST(GpuFramesReference, PoolsHeldPicturesAndReusesReleasedOnes) {
  ASSERT_OK_AND_ASSIGN(auto ref, GpuFrames::create_reference(640, 360, GpuFrames::Output::kDevice));
  expect_pools_reuse_released_frames(*ref, MemoryLocation::kHost);
}

}  // namespace
}  // namespace ballcam::pipeline
