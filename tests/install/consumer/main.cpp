// Uses an installed ballcam through find_package(ballcam): core types, the
// bounded queue, frames, JSONL records, the evaluator and the metrics text.
#include <cstdio>
#include <thread>
#include <vector>

#include "core/bounded_queue.hpp"
#include "core/frame.hpp"
#include "core/records.hpp"
#include "eval/evaluate.hpp"
#include "metrics/metrics.hpp"

int main() {
  using namespace ballcam;

  metrics::Registry registry;
  BoundedQueue<Frame> queue(2);
  std::thread producer([&] {
    for (int i = 0; i < 5; ++i) {
      Frame f = Frame::allocate(PixelFormat::kYuv420p, 64, 36);
      f.index = i;
      queue.push(std::move(f));
    }
    queue.close();
  });
  int frames = 0;
  while (auto f = queue.pop()) {
    metrics::ScopedTimer timer(registry.stage("consume"));
    registry.counter("frames").add();
    if (f->width_px != 64 || f->height_px != 36 || f->empty()) return 1;
    ++frames;
  }
  producer.join();

  // Ground truth and a track that follows it exactly, through the JSONL API.
  std::vector<GroundTruthFrame> truth;
  std::vector<TrackRecord> track;
  for (int i = 0; i < 10; ++i) {
    GroundTruthFrame g;
    g.frame_index = i;
    g.ball = GroundTruthBall{};
    g.ball->center = Point2{100.0 + i, 50.0};
    g.ball->radius_px = 4.0;
    truth.push_back(g);
    TrackRecord r;
    r.frame_index = i;
    r.detections.push_back(BallCandidate{});
    r.detections.back().center = g.ball->center;
    r.track.frame_index = i;
    r.track.has_estimate = true;
    r.track.position = g.ball->center;
    r.crop = CropRect{0.0, 0.0, 320.0, 180.0};
    auto parsed = parse_track_line(to_json_line(r));
    if (!parsed) return 2;
    track.push_back(*parsed);
  }
  auto report = evaluate(truth, track, EvalOptions{});
  if (!report) {
    std::fprintf(stderr, "evaluate: %s\n", report.status().message().c_str());
    return 3;
  }
  std::printf("ballcam consumer: %d frames through BoundedQueue; eval frames=%d recall=%.2f ball_in_view=%.2f\n",
              frames, report->frames, report->detection_recall, report->ball_in_view);
  std::printf("%s", to_text(*report).c_str());
  metrics::RunSummary summary;
  summary.wall_s = 1.0;
  summary.fps = frames;
  summary.stages = registry.stage_summaries();
  summary.counters = registry.counter_values();
  std::printf("%s", metrics::to_text(summary).c_str());
  return frames == 5 && report->frames == 10 ? 0 : 4;
}
