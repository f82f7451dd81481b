// FootAndBall on this CPU: forward latency per input size and thread count,
// batched tiles, and the frame -> normalised tensor conversion.
//   build/bench/bench_footandball [--benchmark_filter=...]
// Needs ../shared/models/footandball_20201019.pth (or BALLCAM_FOOTANDBALL).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "detect/footandball.hpp"
#include "detect/torch_common.hpp"
#include "synth/synth.hpp"

namespace {

using namespace ballcam;
using namespace ballcam::detect;

std::string weights() {
  if (const char* p = std::getenv("BALLCAM_FOOTANDBALL")) return p;
  return std::string(BALLCAM_SOURCE_DIR) + "/../shared/models/footandball_20201019.pth";
}

FootAndBallModel* model() {
  static std::unique_ptr<FootAndBallModel> m = [] {
    auto r = load_footandball(weights());
    return r.ok() ? std::move(r).value() : nullptr;
  }();
  return m.get();
}

// args: width, height, threads
void BM_Forward(benchmark::State& state) {
  if (!model()) {
    state.SkipWithError("no FootAndBall weights");
    return;
  }
  at::set_num_threads(static_cast<int>(state.range(2)));
  const auto x = torch::randn({1, 3, state.range(1), state.range(0)});
  model()->forward(x);  // warm-up (oneDNN primitive creation)
  for (auto _ : state) benchmark::DoNotOptimize(model()->forward(x).ball_prob.data_ptr<float>());
  state.counters["threads"] = static_cast<double>(state.range(2));
}
BENCHMARK(BM_Forward)
    ->ArgNames({"w", "h", "threads"})
    ->Args({1280, 720, 1})->Args({1280, 720, 2})
    ->Args({1920, 1080, 1})->Args({1920, 1080, 2})
    ->Args({2560, 1440, 2})
    ->Unit(benchmark::kMillisecond)->MinTime(2.0);

// args: tiles, tile_px, threads — one batched call
void BM_Tiles(benchmark::State& state) {
  if (!model()) {
    state.SkipWithError("no FootAndBall weights");
    return;
  }
  at::set_num_threads(static_cast<int>(state.range(2)));
  const auto x = torch::randn({state.range(0), 3, state.range(1), state.range(1)});
  model()->forward(x);
  for (auto _ : state) benchmark::DoNotOptimize(model()->forward(x).ball_prob.data_ptr<float>());
  state.counters["ms_per_tile"] = benchmark::Counter(static_cast<double>(state.range(0)) * 1e-3,
                                                     benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
}
BENCHMARK(BM_Tiles)
    ->ArgNames({"tiles", "px", "threads"})
    ->Args({1, 128, 1})->Args({1, 128, 2})->Args({3, 128, 2})
    ->Args({1, 256, 2})->Args({4, 256, 2})->Args({1, 512, 2})
    ->Unit(benchmark::kMillisecond)->MinTime(2.0);

// args: width, height, scale x100 — yuv420p frame -> [1,3,H*s,W*s] normalised
void BM_FrameToTensor(benchmark::State& state) {
  synth::SynthOptions o;
  o.width_px = static_cast<int>(state.range(0));
  o.height_px = static_cast<int>(state.range(1));
  o.duration_s = 1.0;
  synth::MatchRenderer r(o);
  const Frame f = r.render_next(nullptr);
  const double s = state.range(2) / 100.0;
  for (auto _ : state) {
    auto t = frame_to_tensor(f, static_cast<int>(o.width_px * s), static_cast<int>(o.height_px * s),
                             InputNormalisation{});
    benchmark::DoNotOptimize(t.data_ptr<float>());
  }
}
BENCHMARK(BM_FrameToTensor)
    ->ArgNames({"w", "h", "scale100"})
    ->Args({1280, 720, 100})->Args({1280, 720, 200})->Args({1920, 1080, 100})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
