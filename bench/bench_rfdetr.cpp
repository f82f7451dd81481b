// RF-DETR on the CPU: one forward call at the model's native input size with
// 1 and 2 intra-op threads, a batch of planner tiles, and the preprocessing
// of a 720p / 1080p frame. Latency does not depend on the weights, so the
// random-weight Nano export of the tests serves:
//   BALLCAM_RFDETR_MODEL=build/rfdetr-test/rfdetr-nano-random.pt build/bench/bench_rfdetr
// (tools/export_rfdetr.py --random --size nano --out ... makes one anywhere).
#include <benchmark/benchmark.h>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "detect/rfdetr.hpp"
#include "detect/torch_common.hpp"

namespace {

using namespace ballcam;
using namespace ballcam::detect;

RfDetrModel* model() {
  static std::optional<RfDetrModel> m = []() -> std::optional<RfDetrModel> {
    const char* path = std::getenv("BALLCAM_RFDETR_MODEL");
    if (!path) return std::nullopt;
    auto r = RfDetrModel::load(path);
    if (!r.ok()) return std::nullopt;
    return std::move(*r);
  }();
  return m ? &*m : nullptr;
}

// Args: intra-op threads, batch size.
void BM_RfDetrForward(benchmark::State& state) {
  RfDetrModel* m = model();
  if (!m) {
    state.SkipWithError("set BALLCAM_RFDETR_MODEL to an export of tools/export_rfdetr.py");
    return;
  }
  at::set_num_threads(static_cast<int>(state.range(0)));
  const auto& s = m->sidecar();
  const torch::Tensor input = torch::rand({state.range(1), 3, s.height_px, s.width_px});
  for (int i = 0; i < 2; ++i) (void)m->forward(input);  // graph executor warm-up
  for (auto _ : state) {
    auto out = m->forward(input);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RfDetrForward)
    ->ArgNames({"threads", "batch"})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({2, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3.0);

// Args: source width, height. Whole frame -> 384x384 normalised tensor.
void BM_RfDetrPreprocess(benchmark::State& state) {
  const int w = static_cast<int>(state.range(0)), h = static_cast<int>(state.range(1));
  Frame f = Frame::allocate(PixelFormat::kYuv420p, w, h);
  for (int p = 0; p < 3; ++p) {
    const int pw = p ? w / 2 : w, ph = p ? h / 2 : h;
    for (int y = 0; y < ph; ++y)
      for (int x = 0; x < pw; ++x) f.planes[p][y * f.strides[p] + x] = static_cast<std::uint8_t>((x * 7 + y * 3) ^ p);
  }
  InputNormalisation norm;
  for (auto _ : state) {
    torch::Tensor t = frame_to_tensor(f, 384, 384, norm);
    benchmark::DoNotOptimize(t.data_ptr<float>());
  }
}
BENCHMARK(BM_RfDetrPreprocess)->ArgNames({"w", "h"})->Args({1280, 720})->Args({1920, 1080})->Unit(
    benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
