// CUDA kernels against their CPU references (skipped without a device), and
// the performance table (--perf).
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include "gpu/cuda_check.hpp"
#include "gpu/cuda_raii.hpp"
#include "gpu/kernels.hpp"
#include "gpu/reference.hpp"
#include "device_test_util.hpp"
#include "gpu_test.hpp"
#include "nv12_fixtures.hpp"

namespace ballcam::gpu {
namespace {

using testing::HostNv12;
using testing::max_abs_diff;
using testing::random_nv12;
using testing::have_device;
using testing::no_device_reason;
using testing::structured_nv12;

TEST(GpuDevice, OpensWhenRequired) {
  if (!testing::device_required()) GTEST_SKIP() << "BALLCAM_GPU_REQUIRE_DEVICE is not 1";
  EXPECT_TRUE(have_device()) << no_device_reason();
}

std::vector<RoiF> tiles(int frame_w, int frame_h, int cols, int rows) {
  std::vector<RoiF> out;
  const float w = static_cast<float>(frame_w) / cols, h = static_cast<float>(frame_h) / rows;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) out.push_back({c * w, r * h, w, h});
  return out;
}

// Worst |gpu - ref| of nv12_to_tensor<OutT> for one frame and ROI batch.
template <typename OutT>
double tensor_max_diff(HostNv12& host, const std::vector<RoiF>& rois, const TensorSpec& spec, std::string* error) {
  auto stream = Stream::create();
  auto frame = DeviceNv12Frame::allocate(host.width_px, host.height_px);
  const std::size_t count = rois.size() * 3 * static_cast<std::size_t>(spec.out_w * spec.out_h);
  auto out = DeviceBuffer<OutT>::allocate(count);
  if (!stream.ok() || !frame.ok() || !out.ok()) {
    *error = "allocation failed";
    return 1e9;
  }
  Status st = frame->upload(host.cview(), stream->get());
  if (st.ok()) st = nv12_to_tensor<OutT>(as_const(frame->view()), rois, spec, out->get(), stream->get());
  std::vector<OutT> got(count);
  if (st.ok()) {
    const cudaError_t e = cudaMemcpyAsync(got.data(), out->get(), out->size_bytes(), cudaMemcpyDeviceToHost,
                                          stream->get());
    if (e != cudaSuccess) st = cuda_status(e, "cudaMemcpyAsync", __FILE__, __LINE__);
  }
  if (st.ok()) st = stream->synchronize();
  if (!st.ok()) {
    *error = st.to_string();
    return 1e9;
  }
  std::vector<float> want(count);
  ref::nv12_to_tensor(host.cview(), rois, spec, want.data());
  double worst = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    float g = 0.f;
    if constexpr (std::is_same_v<OutT, __half>) {
      g = __half2float(got[i]);
    } else {
      g = got[i];
    }
    worst = std::max(worst, static_cast<double>(std::fabs(g - want[i])));
  }
  return worst;
}

struct RoiCase {
  const char* name;
  int frame_w, frame_h;
  std::vector<RoiF> rois;
  int out_px;
};

std::vector<RoiCase> roi_cases() {
  return {
      {"1080p whole frame", 1920, 1080, {{0, 0, 1920, 1080}}, 384},
      {"1080p 4 ROIs incl. edges", 1920, 1080,
       {{800.25f, 400.5f, 384, 384}, {0, 0, 384, 384}, {1536, 696, 384, 384}, {1700.7f, -100.3f, 300, 300}},
       384},
      {"1080p 16 tiles", 1920, 1080, tiles(1920, 1080, 4, 4), 384},
      {"720p 6 tiles upscaled", 1280, 720, tiles(1280, 720, 3, 2), 512},
      {"720p small ROI upscaled", 1280, 720, {{633.3f, 301.9f, 37.5f, 37.5f}}, 384},
  };
}

TEST(GpuTensor, Float32MatchesReference) {
  SKIP_WITHOUT_DEVICE();
  for (const RoiCase& k : roi_cases()) {
    for (int pattern = 0; pattern < 2; ++pattern) {
      HostNv12 host = pattern == 0 ? random_nv12(k.frame_w, k.frame_h, 11) : structured_nv12(k.frame_w, k.frame_h);
      TensorSpec spec;
      spec.out_w = spec.out_h = k.out_px;
      std::string err;
      const double diff = tensor_max_diff<float>(host, k.rois, spec, &err);
      EXPECT_LE(diff, 1e-3) << k.name << (pattern == 0 ? " (noise) " : " (structured) ") << err;
    }
  }
}

TEST(GpuTensor, Float16MatchesReference) {
  SKIP_WITHOUT_DEVICE();
  for (const RoiCase& k : roi_cases()) {
    HostNv12 host = random_nv12(k.frame_w, k.frame_h, 12);
    TensorSpec spec;
    spec.out_w = spec.out_h = k.out_px;
    std::string err;
    EXPECT_LE(tensor_max_diff<__half>(host, k.rois, spec, &err), 2e-2) << k.name << " " << err;
  }
}

TEST(GpuTensor, Bt601FullRangeAndNonSquareOutput) {
  SKIP_WITHOUT_DEVICE();
  HostNv12 host = structured_nv12(1280, 720);
  TensorSpec spec;
  spec.out_w = 640;
  spec.out_h = 360;
  spec.matrix = ColorMatrix::kBt601;
  spec.range = ColorRange::kFull;
  std::string err;
  EXPECT_LE(tensor_max_diff<float>(host, {{0, 0, 1280, 720}, {99.5f, 51.25f, 700, 300}}, spec, &err), 1e-3) << err;
}

// The torch detectors' padding: tiles reaching past the frame get zeros there
// (the mean colour), in fp32 and fp16, exactly where the reference puts them.
TEST(GpuTensor, ZeroOutsideMatchesReference) {
  SKIP_WITHOUT_DEVICE();
  HostNv12 host = random_nv12(1280, 720, 14);
  TensorSpec spec;
  spec.out_w = spec.out_h = 128;
  spec.zero_outside = true;
  const std::vector<RoiF> rois = {{-40.5f, -30.25f, 128, 128}, {1200, 650, 128, 128}, {600, 300, 128, 128}};
  std::string err;
  EXPECT_LE(tensor_max_diff<float>(host, rois, spec, &err), 1e-3) << err;
  EXPECT_LE(tensor_max_diff<__half>(host, rois, spec, &err), 2e-2) << err;
}

// More ROIs than one launch carries: the batch is split and still lands in order.
TEST(GpuTensor, LongBatchIsSplitAcrossLaunches) {
  SKIP_WITHOUT_DEVICE();
  HostNv12 host = random_nv12(1280, 720, 13);
  TensorSpec spec;
  spec.out_w = spec.out_h = 32;
  const std::vector<RoiF> rois = tiles(1280, 720, 10, 7);  // 70 > kMaxRoisPerLaunch
  std::string err;
  EXPECT_LE(tensor_max_diff<float>(host, rois, spec, &err), 1e-3) << err;
}

struct CropCase {
  const char* name;
  int src_w, src_h;
  CropRect crop;
  int out_w, out_h;
};

TEST(GpuCrop, MatchesReferenceWithinOneLevel) {
  SKIP_WITHOUT_DEVICE();
  const CropCase cases[] = {
      {"1080p->720p odd crop", 1920, 1080, {301.37, 177.81, 1333.3, 750.0}, 1280, 720},
      {"1080p full frame downscale", 1920, 1080, {0, 0, 1920, 1080}, 1280, 720},
      {"1080p upscale 4x", 1920, 1080, {1017.5, 511.25, 320.0, 180.0}, 1280, 720},
      {"1080p crop past the edges", 1920, 1080, {-40.25, -20.5, 2000.0, 1125.0}, 1280, 720},
      {"1080p downscale to 360p", 1920, 1080, {0.5, 0.5, 1919.0, 1079.0}, 640, 360},
      {"720p -> 1080p upscale", 1280, 720, {100.1, 50.9, 960.0, 540.0}, 1920, 1080},
      {"720p identity", 1280, 720, {0, 0, 1280, 720}, 1280, 720},
  };
  ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create());
  for (const CropCase& k : cases) {
    for (int pattern = 0; pattern < 2; ++pattern) {
      HostNv12 src = pattern == 0 ? random_nv12(k.src_w, k.src_h, 21) : structured_nv12(k.src_w, k.src_h);
      HostNv12 want(k.out_w, k.out_h), got(k.out_w, k.out_h);
      ref::crop_resize_nv12(src.cview(), k.crop, want.view());
      ASSERT_OK_AND_ASSIGN(DeviceNv12Frame dsrc, DeviceNv12Frame::allocate(k.src_w, k.src_h));
      ASSERT_OK_AND_ASSIGN(DeviceNv12Frame ddst, DeviceNv12Frame::allocate(k.out_w, k.out_h));
      ASSERT_OK(dsrc.upload(src.cview(), stream.get()));
      ASSERT_OK(crop_resize_nv12(as_const(dsrc.view()), k.crop, ddst.view(), stream.get()));
      ASSERT_OK(ddst.download(got.view(), stream.get()));
      ASSERT_OK(stream.synchronize());
      const int diff = max_abs_diff(got, want);
      EXPECT_LE(diff, 1) << k.name;
      if (diff != 0) std::printf("  note: %s differs by %d level(s) from the reference\n", k.name, diff);
    }
  }
}

TEST(GpuRing, MatchesReference) {
  SKIP_WITHOUT_DEVICE();
  RingSpec rings[5];
  rings[0] = {640.3, 360.7, 12.0, 3.0};
  rings[1] = {5.2, 3.9, 40.0, 3.0};       // clipped at the top-left
  rings[2] = {1275.5, 719.5, 80.0, 5.5};  // clipped at the bottom-right
  rings[3] = {100.0, 100.0, 0.0, 3.0};    // a dot
  rings[4] = {-500.0, 100.0, 10.0, 3.0};  // fully outside: nothing drawn
  rings[1].y = 210;
  rings[1].u = 16;
  rings[1].v = 146;
  ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create());
  HostNv12 want = structured_nv12(1280, 720);
  HostNv12 got(1280, 720);
  ASSERT_OK_AND_ASSIGN(DeviceNv12Frame frame, DeviceNv12Frame::allocate(1280, 720));
  ASSERT_OK(frame.upload(want.cview(), stream.get()));
  for (const RingSpec& r : rings) {
    ref::draw_ring_nv12(want.view(), r);
    ASSERT_OK(draw_ring_nv12(frame.view(), r, stream.get()));
  }
  ASSERT_OK(frame.download(got.view(), stream.get()));
  ASSERT_OK(stream.synchronize());
  EXPECT_EQ(max_abs_diff(got, want), 0);
}

TEST(GpuP010, MatchesReference) {
  SKIP_WITHOUT_DEVICE();
  const testing::HostP010 src(1920, 1080);
  HostNv12 want(1920, 1080);
  HostNv12 got(1920, 1080);
  ref::p010_to_nv12(src.view(), want.view());
  ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create());
  ASSERT_OK_AND_ASSIGN(auto dev_src, DeviceBuffer<std::uint8_t>::allocate(src.bytes.size()));
  ASSERT_OK_AND_ASSIGN(DeviceNv12Frame dst, DeviceNv12Frame::allocate(1920, 1080));
  ASSERT_EQ(cudaMemcpy(dev_src.get(), src.bytes.data(), src.bytes.size(), cudaMemcpyHostToDevice), cudaSuccess);
  P010View dv = src.view();
  dv.uv = dev_src.get() + (dv.uv - dv.y);
  dv.y = dev_src.get();
  ASSERT_OK(p010_to_nv12(dv, dst.view(), stream.get()));
  ASSERT_OK(dst.download(got.view(), stream.get()));
  ASSERT_OK(stream.synchronize());
  EXPECT_EQ(max_abs_diff(got, want), 0);
}

TEST(GpuCrosses, MatchesReference) {
  SKIP_WITHOUT_DEVICE();
  std::vector<CrossSpec> crosses;
  for (int i = 0; i < 150; ++i) {  // more than one launch's worth, overlapping, some clipped
    CrossSpec c{(i * 97) % 1300 - 10, (i * 53) % 740 - 10, 2 + i % 9};
    c.y = static_cast<std::uint8_t>(40 + i);
    c.u = static_cast<std::uint8_t>(200 - i);
    c.v = static_cast<std::uint8_t>(i);
    crosses.push_back(c);
  }
  crosses.push_back(CrossSpec{640, 360, 6});
  crosses.push_back(CrossSpec{643, 360, 6, 10, 20, 30});  // meets the previous one: drawn after it
  ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create());
  HostNv12 want = structured_nv12(1280, 720);
  HostNv12 got(1280, 720);
  ASSERT_OK_AND_ASSIGN(DeviceNv12Frame frame, DeviceNv12Frame::allocate(1280, 720));
  ASSERT_OK(frame.upload(want.cview(), stream.get()));
  ref::draw_crosses_nv12(want.view(), crosses);
  ASSERT_OK(draw_crosses_nv12(frame.view(), crosses, stream.get()));
  ASSERT_OK(frame.download(got.view(), stream.get()));
  ASSERT_OK(stream.synchronize());
  EXPECT_EQ(max_abs_diff(got, want), 0);
}

// Argument checks happen before any CUDA call, so these run everywhere.
TEST(GpuKernels, RejectBadArguments) {
  alignas(16) std::uint8_t dummy[16] = {};
  const Nv12View odd{dummy, 8, dummy, 8, 7, 4};
  const Nv12MutView ok_dst{dummy, 8, dummy, 8, 4, 2};
  const RoiF roi{0, 0, 4, 4};
  float out[1];
  EXPECT_FALSE(nv12_to_tensor<float>(odd, {&roi, 1}, TensorSpec{}, out, nullptr).ok());
  EXPECT_FALSE(nv12_to_tensor<float>(as_const(ok_dst), {&roi, 1}, TensorSpec{}, nullptr, nullptr).ok());
  const RoiF empty{0, 0, 0, 4};
  EXPECT_FALSE(nv12_to_tensor<float>(as_const(ok_dst), {&empty, 1}, TensorSpec{}, out, nullptr).ok());
  EXPECT_FALSE(crop_resize_nv12(odd, CropRect{0, 0, 4, 4}, ok_dst, nullptr).ok());
  EXPECT_FALSE(crop_resize_nv12(as_const(ok_dst), CropRect{0, 0, -1, 4}, ok_dst, nullptr).ok());
  EXPECT_FALSE(draw_ring_nv12(ok_dst, RingSpec{NAN, 1, 1, 1}, nullptr).ok());
  const P010View p010{dummy, 16, dummy, 16, 4, 2};
  EXPECT_FALSE(p010_to_nv12(p010, Nv12MutView{dummy, 8, dummy, 8, 6, 2}, nullptr).ok());  // sizes differ
  EXPECT_FALSE(p010_to_nv12(P010View{dummy, 6, dummy, 16, 4, 2}, ok_dst, nullptr).ok());  // pitch < 2 * width
  const CrossSpec bad_arm{1, 1, -1};
  EXPECT_FALSE(draw_crosses_nv12(ok_dst, {&bad_arm, 1}, nullptr).ok());
}

}  // namespace

// ---- performance mode ---------------------------------------------------------

namespace {

struct PerfRow {
  std::string kernel;
  std::string shape;
  double us = 0;
  double mpix_s = 0;     // output pixels per second
  double out_gb_s = 0;   // bytes written per second
};

// Mean microseconds per call over `iters` calls timed with CUDA events.
template <typename Fn>
Result<double> time_us(cudaStream_t stream, int iters, Fn&& call) {
  for (int i = 0; i < 10; ++i) BALLCAM_RETURN_IF_ERROR(call());
  BALLCAM_ASSIGN_OR_RETURN(Event start, Event::create(Event::Timing::kEnabled));
  BALLCAM_ASSIGN_OR_RETURN(Event stop, Event::create(Event::Timing::kEnabled));
  BALLCAM_RETURN_IF_ERROR(start.record(stream));
  for (int i = 0; i < iters; ++i) BALLCAM_RETURN_IF_ERROR(call());
  BALLCAM_RETURN_IF_ERROR(stop.record(stream));
  BALLCAM_RETURN_IF_ERROR(stop.synchronize());
  BALLCAM_ASSIGN_OR_RETURN(float ms, Event::elapsed_ms(start, stop));
  return 1000.0 * ms / iters;
}

Result<std::vector<PerfRow>> measure(int iters) {
  BALLCAM_ASSIGN_OR_RETURN(Stream stream, Stream::create());
  HostNv12 host = structured_nv12(1920, 1080);
  BALLCAM_ASSIGN_OR_RETURN(DeviceNv12Frame src, DeviceNv12Frame::allocate(1920, 1080));
  BALLCAM_ASSIGN_OR_RETURN(DeviceNv12Frame dst, DeviceNv12Frame::allocate(1280, 720));
  BALLCAM_RETURN_IF_ERROR(src.upload(host.cview(), stream.get()));
  const Nv12View in = as_const(src.view());
  std::vector<PerfRow> rows;
  auto add = [&](std::string kernel, std::string shape, double us, double out_px, double out_bytes) {
    rows.push_back({std::move(kernel), std::move(shape), us, out_px / us, out_bytes / us / 1000.0});
  };

  const CropRect crop{301.37, 177.81, 1333.3, 750.0};
  BALLCAM_ASSIGN_OR_RETURN(double us_crop, time_us(stream.get(), iters, [&] {
                             return crop_resize_nv12(in, crop, dst.view(), stream.get());
                           }));
  add("crop_resize_nv12", "1080p -> 1280x720 (sub-pixel crop)", us_crop, 1280.0 * 720, 1280.0 * 720 * 1.5);

  const std::vector<RoiF> four = {{800, 400, 384, 384}, {0, 0, 384, 384}, {1536, 696, 384, 384}, {1000, 100, 384, 384}};
  const std::vector<RoiF> sixteen = tiles(1920, 1080, 4, 4);
  const std::vector<RoiF> whole = {{0, 0, 1920, 1080}};
  TensorSpec spec;
  BALLCAM_ASSIGN_OR_RETURN(auto f32, DeviceBuffer<float>::allocate(16 * 3 * 384 * 384));
  BALLCAM_ASSIGN_OR_RETURN(auto f16, DeviceBuffer<__half>::allocate(16 * 3 * 384 * 384));
  struct TensorCase {
    const char* shape;
    const std::vector<RoiF>* rois;
  };
  const TensorCase tcases[] = {{"1080p -> 1x384^2 (whole frame)", &whole},
                               {"1080p -> 4 ROIs 384^2", &four},
                               {"1080p -> 16 tiles 384^2", &sixteen}};
  for (const TensorCase& t : tcases) {
    const double px = static_cast<double>(t.rois->size()) * 384 * 384;
    BALLCAM_ASSIGN_OR_RETURN(double us32, time_us(stream.get(), iters, [&] {
                               return nv12_to_tensor<float>(in, *t.rois, spec, f32.get(), stream.get());
                             }));
    add("nv12_to_tensor fp32", t.shape, us32, px, px * 3 * 4);
    BALLCAM_ASSIGN_OR_RETURN(double us16, time_us(stream.get(), iters, [&] {
                               return nv12_to_tensor<__half>(in, *t.rois, spec, f16.get(), stream.get());
                             }));
    add("nv12_to_tensor fp16", t.shape, us16, px, px * 3 * 2);
  }

  const RingSpec ring{640.3, 360.7, 80.0, 3.0};
  BALLCAM_ASSIGN_OR_RETURN(double us_ring, time_us(stream.get(), iters, [&] {
                             return draw_ring_nv12(dst.view(), ring, stream.get());
                           }));
  const double box = (2 * 83.0) * (2 * 83.0);
  add("draw_ring_nv12", "720p frame, radius 80 px", us_ring, box, 0);

  std::vector<CrossSpec> crosses;
  for (int i = 0; i < 8; ++i) crosses.push_back(CrossSpec{100 + 140 * i, 300 + 20 * i, 6});
  BALLCAM_ASSIGN_OR_RETURN(double us_cross, time_us(stream.get(), iters, [&] {
                             return draw_crosses_nv12(dst.view(), crosses, stream.get());
                           }));
  add("draw_crosses_nv12", "720p frame, 8 crosses of arm 6", us_cross, 8.0 * 26, 0);

  const testing::HostP010 p010_host(1920, 1080);
  BALLCAM_ASSIGN_OR_RETURN(auto p010_mem, DeviceBuffer<std::uint8_t>::allocate(p010_host.bytes.size()));
  BALLCAM_CUDA_CHECK(cudaMemcpy(p010_mem.get(), p010_host.bytes.data(), p010_host.bytes.size(), cudaMemcpyHostToDevice));
  P010View p010 = p010_host.view();
  p010.uv = p010_mem.get() + (p010.uv - p010.y);
  p010.y = p010_mem.get();
  BALLCAM_ASSIGN_OR_RETURN(DeviceNv12Frame nv12_1080, DeviceNv12Frame::allocate(1920, 1080));
  BALLCAM_ASSIGN_OR_RETURN(double us_p010, time_us(stream.get(), iters, [&] {
                             return p010_to_nv12(p010, nv12_1080.view(), stream.get());
                           }));
  add("p010_to_nv12", "1080p 10-bit -> 8-bit", us_p010, 1920.0 * 1080, 1920.0 * 1080 * 1.5);
  BALLCAM_RETURN_IF_ERROR(stream.synchronize());
  return rows;
}

}  // namespace

// Prints the table; writes it to `out_path` too when given. Returns an exit code.
int run_perf(const char* out_path) {
  if (!have_device()) {
    std::printf("perf: %s; nothing measured\n", no_device_reason().c_str());
    return testing::device_required() ? 1 : 0;
  }
  cudaDeviceProp prop{};
  (void)cudaGetDeviceProperties(&prop, 0);
  constexpr int kIters = 200;
  auto rows = measure(kIters);
  if (!rows.ok()) {
    std::fprintf(stderr, "perf failed: %s\n", rows.status().to_string().c_str());
    return 1;
  }
  std::string md = "# gpu/ kernel timings\n\nDevice: " + std::string(prop.name) + ", " + std::to_string(kIters) +
                   " calls each after 10 warm-up calls, one stream, CUDA events.\n\n"
                   "| kernel | shape | µs / call | Mpix/s (output) | GB/s (written) |\n"
                   "|---|---|---:|---:|---:|\n";
  char line[256];
  for (const PerfRow& r : *rows) {
    std::snprintf(line, sizeof line, "| %s | %s | %.1f | %.0f | %.1f |\n", r.kernel.c_str(), r.shape.c_str(), r.us,
                  r.mpix_s, r.out_gb_s);
    md += line;
  }
  md += "\ndraw_ring_nv12's Mpix/s counts the pixels of the ring's bounding box, draw_crosses_nv12's the crosses' "
        "pixels (launch-bound).\n";
  std::fputs(md.c_str(), stdout);
  if (out_path != nullptr) {
    if (FILE* f = std::fopen(out_path, "w")) {
      std::fputs(md.c_str(), f);
      std::fclose(f);
    } else {
      std::fprintf(stderr, "perf: cannot write %s\n", out_path);
      return 1;
    }
  }
  return 0;
}

}  // namespace ballcam::gpu
