// Per-frame cost of the tracker + virtual camera (budget: 50 us per frame
// together). Replays a generated 1080p scene (noise, dropouts, false
// positives, a static distractor, ten players) through both.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "../tests/unit/track/sequence_gen.hpp"
#include "camera/virtual_camera.hpp"
#include "track/ball_tracker.hpp"
#include "track/hindsight.hpp"

namespace {

using namespace ballcam;

const testing::Scene& scene() {
  static const testing::Scene s = testing::make_scene(42, 3600);
  return s;
}

void BM_TrackerAndCamera(benchmark::State& state) {
  const auto& frames = scene().frames;
  BallTracker tracker({}, 1920, 1080, 25.0);
  VirtualCamera camera({}, 1920, 1080, 25.0);
  std::size_t i = 0;
  for (auto _ : state) {
    const TrackState s = tracker.update(frames[i]);
    const CropRect c = camera.update(s);
    benchmark::DoNotOptimize(c);
    if (++i == frames.size()) {
      i = 0;
      tracker.reset();
      camera.reset();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrackerAndCamera);

// What the pipeline runs per frame: tracker, hindsight (18 frames), camera.
void BM_TrackerHindsightAndCamera(benchmark::State& state) {
  const auto& frames = scene().frames;
  BallTracker tracker({}, 1920, 1080, 25.0);
  auto hindsight = std::make_unique<track::Hindsight>(18, tracker.config().max_speed_px_per_frame);
  VirtualCamera camera({}, 1920, 1080, 25.0);
  std::vector<BallTracker::HypothesisView> views;
  std::size_t i = 0;
  for (auto _ : state) {
    const TrackState s = tracker.update(frames[i]);
    tracker.hypotheses(views);
    if (auto final_state = hindsight->push(s, tracker.primary_id(), views)) {
      const CropRect c = camera.update(*final_state);
      benchmark::DoNotOptimize(c);
    }
    if (++i == frames.size()) {
      i = 0;
      tracker.reset();
      camera.reset();
      hindsight = std::make_unique<track::Hindsight>(18, tracker.config().max_speed_px_per_frame);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrackerHindsightAndCamera);

void BM_TrackerOnly(benchmark::State& state) {
  const auto& frames = scene().frames;
  BallTracker tracker({}, 1920, 1080, 25.0);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tracker.update(frames[i]));
    if (++i == frames.size()) {
      i = 0;
      tracker.reset();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrackerOnly);

void BM_CameraOnly(benchmark::State& state) {
  const auto& frames = scene().frames;
  std::vector<TrackState> states;
  BallTracker tracker({}, 1920, 1080, 25.0);
  for (const auto& f : frames) states.push_back(tracker.update(f));
  VirtualCamera camera({}, 1920, 1080, 25.0);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(camera.update(states[i]));
    if (++i == states.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CameraOnly);

}  // namespace

BENCHMARK_MAIN();
