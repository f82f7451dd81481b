// Deterministic generated detection sequences for tracker/camera tests.
// The random numbers come from splitmix64 + Box-Muller written out here, not
// from <random>'s distributions (whose output differs between standard
// libraries), so golden files replay everywhere.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "core/geometry.hpp"

namespace ballcam::testing {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0,1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal(double sigma) {
    const double u1 = 1.0 - uniform();  // (0,1]
    const double u2 = uniform();
    return sigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t state_;
};

inline Detections frame_with(std::int64_t index, std::vector<BallCandidate> balls,
                             std::vector<PlayerDetection> players = {}) {
  Detections d;
  d.frame_index = index;
  d.pts_us = index * 40000;
  d.balls = std::move(balls);
  d.players = std::move(players);
  return d;
}

inline BallCandidate candidate(Point2 p, double score, double radius_px = 6.0) {
  return BallCandidate{p, radius_px, score};
}

// A 1920x1080, 25 fps scene exercising every tracker path: a ball that
// dribbles, is passed, stops, is shot; detector noise, single-frame misses,
// a 15-frame occlusion, a 40-frame disappearance (lost), random false
// positives, a flickering static distractor, and players around the ball.
// Also returns the true ball centre per frame (NaN while it is hidden).
struct Scene {
  std::vector<Detections> frames;
  std::vector<Point2> truth;
  std::vector<bool> ball_detectable;
  std::vector<bool> ball_hidden;  // occluded or gone (not a random detector miss)
};

inline Scene make_scene(std::uint64_t seed, int frame_count) {
  Rng rng(seed);
  Scene scene;
  scene.frames.reserve(static_cast<std::size_t>(frame_count));
  Point2 ball{300.0, 700.0};
  Point2 vel{4.0, -1.0};
  const Point2 spot{960.0, 540.0};  // the centre spot: a static ball-like blob
  double sign_x = 1.0;
  double sign_y = 1.0;
  for (int i = 0; i < frame_count; ++i) {
    // Piecewise motion: every phase is 60 frames.
    switch ((i / 60) % 6) {
      case 0: vel = {4.0, -1.0}; break;              // dribble
      case 1: vel = {18.0, 3.0}; break;              // pass
      case 2: vel = {0.0, 0.0}; break;               // stopped
      case 3: vel = {-9.0, -5.0}; break;             // carried back
      case 4: vel = {25.0, 6.0}; break;              // shot
      default: vel = {-6.0, 2.0}; break;
    }
    // Bounce off the edges of the pitch area so the ball stays well inside the picture.
    vel = {vel.x * sign_x, vel.y * sign_y};
    ball.x += vel.x;
    ball.y += vel.y;
    if (ball.x < 150.0 || ball.x > 1770.0) {
      ball.x = std::clamp(ball.x, 150.0, 1770.0);
      sign_x = -sign_x;
    }
    if (ball.y < 120.0 || ball.y > 960.0) {
      ball.y = std::clamp(ball.y, 120.0, 960.0);
      sign_y = -sign_y;
    }

    const int phase_frame = i % 360;
    const bool occluded = phase_frame >= 100 && phase_frame < 115;
    const bool gone = phase_frame >= 250 && phase_frame < 290;
    const bool miss = rng.uniform() < 0.05;
    const bool detectable = !occluded && !gone && !miss;

    std::vector<BallCandidate> balls;
    if (detectable) {
      balls.push_back(candidate({ball.x + rng.normal(1.2), ball.y + rng.normal(1.2)},
                                0.55 + 0.4 * rng.uniform()));
    }
    if (rng.uniform() < 0.10) {
      balls.push_back(candidate({rng.uniform(0.0, 1920.0), rng.uniform(0.0, 1080.0)},
                                0.3 + 0.6 * rng.uniform()));
    }
    if (rng.uniform() < 0.5) balls.push_back(candidate({spot.x + rng.normal(0.5), spot.y + rng.normal(0.5)}, 0.5));
    std::sort(balls.begin(), balls.end(),
              [](const BallCandidate& a, const BallCandidate& b) { return a.score > b.score; });

    std::vector<PlayerDetection> players;
    for (int k = 0; k < 10; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / 10.0 + 0.01 * i;
      const double r = 120.0 + 15.0 * k;
      players.push_back({{ball.x + r * std::cos(angle) - 15.0, ball.y + 0.5 * r * std::sin(angle) - 40.0, 30.0, 80.0},
                         0.8});
    }
    scene.frames.push_back(frame_with(i, std::move(balls), std::move(players)));
    scene.truth.push_back(ball);
    scene.ball_detectable.push_back(detectable);
    scene.ball_hidden.push_back(occluded || gone);
  }
  return scene;
}

}  // namespace ballcam::testing
