// Golden-file regression for tracker + camera: a generated detection
// sequence replayed frame by frame; states and crops must match the
// committed file within 1e-6 (absolute or relative).
// Regenerate after an intended behaviour change with
//   BALLCAM_UPDATE_GOLDEN=1 ./test_track --gtest_filter='Golden*'
// and review the diff like code.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "camera/virtual_camera.hpp"
#include "sequence_gen.hpp"
#include "track/ball_tracker.hpp"

namespace ballcam {
namespace {

using nlohmann::json;

const std::string kGoldenPath = std::string(BALLCAM_SOURCE_DIR) + "/tests/data/golden/track_camera.jsonl";

std::vector<json> run_scene() {
  const testing::Scene scene = testing::make_scene(2024, 360);
  BallTracker tracker({}, 1920, 1080, 25.0);
  VirtualCamera camera({}, 1920, 1080, 25.0);
  std::vector<json> lines;
  for (const Detections& d : scene.frames) {
    const TrackState s = tracker.update(d);
    const CropRect c = camera.update(s);
    json j = {{"frame", s.frame_index},
              {"mode", to_string(s.mode)},
              {"has_estimate", s.has_estimate},
              {"x", s.position.x},
              {"y", s.position.y},
              {"vx", s.velocity_px_per_frame.x},
              {"vy", s.velocity_px_per_frame.y},
              {"sigma", s.uncertainty_px},
              {"crop", {c.x, c.y, c.w, c.h}}};
    lines.push_back(std::move(j));
  }
  return lines;
}

// Written values are rounded to 1e-7 px: the file stays small and the
// rounding is well inside the 1e-6 comparison tolerance.
json rounded(const json& j) {
  if (j.is_number_float()) return std::round(j.get<double>() * 1e7) / 1e7;
  if (j.is_array() || j.is_object()) {
    json out = j;
    for (auto it = out.begin(); it != out.end(); ++it) *it = rounded(*it);
    return out;
  }
  return j;
}

bool near(double a, double b) {
  const double diff = std::abs(a - b);
  return diff <= 1e-6 || diff <= 1e-6 * std::max(std::abs(a), std::abs(b));
}

// Compares two JSON values, numbers with tolerance; returns a path to the first difference.
std::string compare(const json& got, const json& want, const std::string& path) {
  if (got.is_number() && want.is_number()) {
    return near(got.get<double>(), want.get<double>()) ? "" : path + ": " + got.dump() + " vs " + want.dump();
  }
  if (got.type() != want.type()) return path + ": type differs";
  if (got.is_object()) {
    if (got.size() != want.size()) return path + ": key count differs";
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.contains(it.key())) return path + "." + it.key() + ": missing";
      auto d = compare(got.at(it.key()), it.value(), path + "." + it.key());
      if (!d.empty()) return d;
    }
    return "";
  }
  if (got.is_array()) {
    if (got.size() != want.size()) return path + ": length differs";
    for (std::size_t i = 0; i < want.size(); ++i) {
      auto d = compare(got[i], want[i], path + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  return got == want ? "" : path + ": " + got.dump() + " vs " + want.dump();
}

TEST(Golden, TrackerAndCameraReplay) {
  const std::vector<json> got = run_scene();
  const char* update = std::getenv("BALLCAM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(kGoldenPath, std::ios::trunc);
    ASSERT_TRUE(out) << "cannot write " << kGoldenPath;
    for (const auto& j : got) out << rounded(j).dump() << "\n";
    GTEST_SKIP() << "golden file rewritten: " << kGoldenPath;
  }
  std::ifstream in(kGoldenPath);
  ASSERT_TRUE(in) << "missing " << kGoldenPath << " (run with BALLCAM_UPDATE_GOLDEN=1 to create it)";
  std::vector<json> want;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) want.push_back(json::parse(line));
  }
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const std::string diff = compare(got[i], want[i], "frame " + std::to_string(i));
    ASSERT_TRUE(diff.empty()) << diff;
  }
}

// The scene itself is sane: the tracker follows the ball through it.
TEST(Golden, SceneIsTrackedWell) {
  const testing::Scene scene = testing::make_scene(2024, 720);
  BallTracker tracker({}, 1920, 1080, 25.0);
  VirtualCamera camera({}, 1920, 1080, 25.0);
  int tracking = 0, close = 0, in_view = 0, frames = 0;
  for (std::size_t i = 0; i < scene.frames.size(); ++i) {
    const TrackState s = tracker.update(scene.frames[i]);
    const CropRect c = camera.update(s);
    ++frames;
    if (c.contains(scene.truth[i])) ++in_view;
    if (s.mode == TrackMode::kTracking) {
      ++tracking;
      if (std::hypot(s.position.x - scene.truth[i].x, s.position.y - scene.truth[i].y) < 10.0) ++close;
    }
  }
  EXPECT_GT(close, 0.99 * tracking) << close << "/" << tracking;
  EXPECT_GT(in_view, 0.97 * frames) << in_view << "/" << frames;
}

}  // namespace
}  // namespace ballcam
