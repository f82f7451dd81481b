// MatchRenderer: a tiny football simulation drawn straight into yuv420p.
//
// Geometry: pitch coordinates in metres, X along the touchline (0..105, left
// to right), Y across (0 = far touchline, 68 = near touchline). The camera is
// a pinhole looking down at the pitch from behind the near touchline, so a
// ground point at depth z (1 at the near touchline, 1 + kDepthSpread at the
// far one) lands at x = cx + A (X - 52.5) / z, y = y_horizon + B / z.
//
// Speed: the static background (grass stripes, markings, boards, stands) is
// built once; each frame copies it with a little sensor noise, then draws
// shadows and sprites (anti-aliased ellipses) in depth order.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>
#include <utility>
#include <vector>

#include "synth/synth.hpp"

namespace ballcam::synth {
namespace {

constexpr double kPitchLengthM = 105.0;
constexpr double kPitchWidthM = 68.0;
constexpr double kDepthSpread = 0.35;
constexpr double kGravity = 9.81;
constexpr double kBodyExaggeration = 1.15;  // players drawn a bit larger than life: easier to see at 1080p

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int int_in(int lo, int hi) { return lo + static_cast<int>(uniform() * (hi - lo + 1)) % (hi - lo + 1); }
  bool chance(double p) { return uniform() < p; }

 private:
  std::uint64_t s_;
};

std::uint32_t hash32(std::uint32_t x, std::uint32_t y, std::uint32_t seed) {
  std::uint32_t h = x * 374761393u + y * 668265263u + seed * 2246822519u;
  h = (h ^ (h >> 13)) * 1274126177u;
  return h ^ (h >> 16);
}

struct Yuv {
  std::uint8_t y, u, v;
};

Yuv rgb(double r, double g, double b) {
  auto c = [](double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0l, 255l)); };
  return {c(0.257 * r + 0.504 * g + 0.098 * b + 16), c(-0.148 * r - 0.291 * g + 0.439 * b + 128),
          c(0.439 * r - 0.368 * g - 0.071 * b + 128)};
}

struct Camera {
  double cx = 0, a = 0, b = 0, y_horizon = 0;
  Camera(int w, int h) {
    cx = w * 0.5;
    a = 0.94 * w / kPitchLengthM;
    const double y_near = 0.93 * h, y_far = 0.22 * h;
    b = (y_near - y_far) * (1 + kDepthSpread) / kDepthSpread;
    y_horizon = y_near - b;
  }
  static double depth(double y_m) { return 1.0 + kDepthSpread * (1.0 - y_m / kPitchWidthM); }
  Point2 project(double x_m, double y_m) const {
    const double z = depth(y_m);
    return {cx + a * (x_m - kPitchLengthM * 0.5) / z, y_horizon + b / z};
  }
  double sx(double y_m) const { return a / depth(y_m); }  // px per metre along X
  double sy(double y_m) const {                           // px per metre along Y
    const double z = depth(y_m);
    return b * kDepthSpread / (kPitchWidthM * z * z);
  }
  void unproject(double x, double y, double& x_m, double& y_m) const {
    const double z = b / std::max(y - y_horizon, 1e-6);
    y_m = kPitchWidthM * (1.0 - (z - 1.0) / kDepthSpread);
    x_m = kPitchLengthM * 0.5 + (x - cx) * z / a;
  }
};

// ---------------------------------------------------------------- drawing

struct Ellipse {
  double cx, cy, a, b;
  Yuv col;
};

struct Planes {
  std::uint8_t* y;
  std::uint8_t* u;
  std::uint8_t* v;
  int sy, su, sv, w, h;
};

inline void blend(std::uint8_t& dst, int value, double alpha) {
  dst = static_cast<std::uint8_t>(std::lround(dst + (value - dst) * alpha));
}

// Coverage of an axis-aligned ellipse at (px, py); aa_px = width of the soft edge.
inline double ellipse_cover(const Ellipse& e, double px, double py, double aa_px) {
  const double dx = (px - e.cx) / e.a, dy = (py - e.cy) / e.b;
  const double q = std::sqrt(dx * dx + dy * dy);
  return std::clamp((1.0 - q) * std::min(e.a, e.b) / aa_px + 0.5, 0.0, 1.0);
}

void draw_ellipse(const Planes& p, const Ellipse& e, double alpha = 1.0) {
  const int x0 = std::max(0, static_cast<int>(std::floor(e.cx - e.a - 1)));
  const int x1 = std::min(p.w - 1, static_cast<int>(std::ceil(e.cx + e.a + 1)));
  const int y0 = std::max(0, static_cast<int>(std::floor(e.cy - e.b - 1)));
  const int y1 = std::min(p.h - 1, static_cast<int>(std::ceil(e.cy + e.b + 1)));
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const double c = ellipse_cover(e, x + 0.5, y + 0.5, 1.0) * alpha;
      if (c > 0) blend(p.y[y * p.sy + x], e.col.y, c);
    }
  for (int y = y0 / 2; y <= y1 / 2 && y < p.h / 2; ++y)
    for (int x = x0 / 2; x <= x1 / 2 && x < p.w / 2; ++x) {
      const double c = ellipse_cover(e, 2 * x + 1.0, 2 * y + 1.0, 2.0) * alpha;
      if (c > 0) {
        blend(p.u[y * p.su + x], e.col.u, c);
        blend(p.v[y * p.sv + x], e.col.v, c);
      }
    }
}

// Darkens the ground under an ellipse (shadows keep the grass colour, only darker).
void draw_shadow(const Planes& p, const Ellipse& e, double strength) {
  const int x0 = std::max(0, static_cast<int>(std::floor(e.cx - e.a - 1)));
  const int x1 = std::min(p.w - 1, static_cast<int>(std::ceil(e.cx + e.a + 1)));
  const int y0 = std::max(0, static_cast<int>(std::floor(e.cy - e.b - 1)));
  const int y1 = std::min(p.h - 1, static_cast<int>(std::ceil(e.cy + e.b + 1)));
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const double c = ellipse_cover(e, x + 0.5, y + 0.5, 1.0) * strength;
      if (c > 0) {
        std::uint8_t& d = p.y[y * p.sy + x];
        d = static_cast<std::uint8_t>(std::lround(d * (1.0 - 0.45 * c)));
      }
    }
}

// The ball: shaded sphere, or a streak (capsule) when it moves fast.
void draw_ball(const Planes& p, Point2 c, double r, Point2 streak) {
  const double len = std::hypot(streak.x, streak.y);
  const double alpha = len > 0 ? 2 * r / (2 * r + len) : 1.0;
  const double hx = streak.x * 0.5, hy = streak.y * 0.5;
  auto dist = [&](double px, double py, double& along_dx, double& along_dy) {
    double t = 0;
    if (len > 0) t = std::clamp(((px - c.x) * hx + (py - c.y) * hy) / (hx * hx + hy * hy), -1.0, 1.0);
    along_dx = px - (c.x + t * hx);
    along_dy = py - (c.y + t * hy);
    return std::hypot(along_dx, along_dy);
  };
  const double ext = r + std::max(std::abs(hx), std::abs(hy)) + 1.5;
  const int x0 = std::max(0, static_cast<int>(std::floor(c.x - ext)));
  const int x1 = std::min(p.w - 1, static_cast<int>(std::ceil(c.x + ext)));
  const int y0 = std::max(0, static_cast<int>(std::floor(c.y - ext)));
  const int y1 = std::min(p.h - 1, static_cast<int>(std::ceil(c.y + ext)));
  constexpr double lx = -0.45, ly = -0.55, lz = 0.70;
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      double dx = 0, dy = 0;
      const double d = dist(x + 0.5, y + 0.5, dx, dy);
      const double cov = std::clamp(r + 0.5 - d, 0.0, 1.0) * alpha;
      if (cov <= 0) continue;
      const double nx = dx / r, ny = dy / r;
      const double nz = std::sqrt(std::max(0.0, 1.0 - nx * nx - ny * ny));
      const double lambert = std::max(0.0, nx * lx + ny * ly + nz * lz);
      const int luma = len > 0 ? 215 : static_cast<int>(110 + 130 * lambert);
      blend(p.y[y * p.sy + x], std::min(luma, 240), cov);
    }
  for (int y = y0 / 2; y <= y1 / 2 && y < p.h / 2; ++y)
    for (int x = x0 / 2; x <= x1 / 2 && x < p.w / 2; ++x) {
      double dx = 0, dy = 0;
      const double d = dist(2 * x + 1.0, 2 * y + 1.0, dx, dy);
      const double cov = std::clamp((r + 1.0 - d) / 2.0, 0.0, 1.0) * alpha;
      if (cov <= 0) continue;
      blend(p.u[y * p.su + x], 128, cov);
      blend(p.v[y * p.sv + x], 128, cov);
    }
}

// ---------------------------------------------------------------- simulation

struct Kit {
  Yuv shirt, shorts, socks, boots;
};

enum class Role : std::uint8_t { kOutfield, kKeeper, kReferee };

struct Player {
  int team = 0;  // 0, 1, 2 = referee
  Role role = Role::kOutfield;
  double x = 0, y = 0, vx = 0, vy = 0;
  double home_x = 0, home_y = 0;
  double wander_phase = 0, stride_phase = 0;
  Kit kit;
  Yuv skin{}, hair{};
};

enum class BallState : std::uint8_t { kOwned, kFree, kDead };
enum class KickKind : std::uint8_t { kPass, kLofted, kShot, kOut };

struct ScenarioMix {
  double pass = 0.6, lofted = 0.15, shot = 0.12, out = 0.13;
  double hold_min_s = 0.5, hold_max_s = 1.8;
  int chasers = 1;        // per team
  double compactness = 0.5;  // how much teams shift towards the ball
  bool white_team = false;
  bool has_ball = true, has_players = true;
  double shot_speed_min = 24, shot_speed_max = 32;  // m/s
  double shot_range_m = 40;                          // shots only from this close to goal
  bool hide_episodes = false;  // a defender screens the ball from the camera for 1-2 s
  bool second_ball = false;    // a spare ball lies/rolls beside the pitch (not in ground truth)
  bool lighting = false;       // global brightness/contrast drift + a cloud shadow sweeping over
};

ScenarioMix mix_for(const std::string& name) {
  ScenarioMix m;
  if (name == "passes") {
    m.pass = 1; m.lofted = 0; m.shot = 0; m.out = 0;
  } else if (name == "lofted") {
    m.pass = 0.2; m.lofted = 0.8; m.shot = 0; m.out = 0;
  } else if (name == "shots") {
    m.pass = 0.45; m.lofted = 0; m.shot = 0.55; m.out = 0; m.hold_min_s = 0.3; m.hold_max_s = 0.8;
    // About three times a real shot: this fixed view shows the whole pitch (~15 px/m at
    // 1080p); a broadcast camera framing ~35 m shows a real 30 m/s shot at the same
    // 40-55 px/frame at 1080p25 (drawn as a motion-blur streak).
    m.shot_speed_min = 80; m.shot_speed_max = 95; m.shot_range_m = 60;
  } else if (name == "occlusion") {
    m.pass = 0.9; m.lofted = 0; m.shot = 0; m.out = 0.1; m.chasers = 3; m.compactness = 0.85;
    m.hold_min_s = 1.2; m.hold_max_s = 2.5;
  } else if (name == "out_of_play") {
    m.pass = 0.4; m.lofted = 0.1; m.shot = 0.1; m.out = 0.4;
  } else if (name == "hidden") {
    m.pass = 0.9; m.lofted = 0.1; m.shot = 0; m.out = 0; m.hide_episodes = true;
  } else if (name == "distractors") {
    m.white_team = true;
    m.second_ball = true;
  } else if (name == "second_ball") {
    m.second_ball = true;
  } else if (name == "lighting") {
    m.lighting = true;
  } else if (name == "empty") {
    m.has_ball = false; m.has_players = false;
  }
  return m;
}

// 4-4-2 home positions for a team attacking towards +X, in pitch metres.
constexpr std::array<std::array<double, 2>, 11> kFormation = {{
    {4, 34}, {22, 10}, {20, 26}, {20, 42}, {22, 58},
    {38, 12}, {36, 28}, {36, 40}, {38, 56}, {48, 26}, {47, 43},
}};

}  // namespace

struct MatchRenderer::Impl {
  SynthOptions opt;
  ScenarioMix mix;
  Camera cam;
  Rng rng;
  double dt;
  double rs;  // resolution scale relative to 1080p
  // Horizontal px per metre at depth 1 for sprites (players, goals, ball height). Equal to
  // cam.a up to 16:9; wider frames (a 3840x1080 two-camera panorama) stretch the pitch but
  // keep the people and the ball at their 16:9 size.
  double sprite_a;
  int frame_total;
  int rendered = 0;
  SimEvents events;

  // static background, full-res luma + half-res chroma, tightly packed
  std::vector<std::uint8_t> bg_y, bg_u, bg_v;
  std::vector<std::int8_t> noise;  // temporal sensor noise, read at a per-frame offset

  std::vector<Player> players;
  // ball
  BallState state = BallState::kOwned;
  int owner = 9;
  int last_kicker = -1;
  double kicker_block_s = 0;
  int last_touch_team = 0;
  double bx = 52.5, by = 34, bh = 0, bvx = 0, bvy = 0, bvh = 0;
  double hold_left_s = 1.0;
  double dead_left_s = 0;
  bool in_play = true;
  bool restart_placed = false;
  double restart_x = 0, restart_y = 0;
  int restart_team = 0;
  bool was_shot = false;
  Point2 prev_ball_img{-1, -1};
  double t_s = 0;
  // "hidden": an opponent steps between the ball and the camera while the owner shields it.
  int shield = -1;
  bool shield_set = false;
  double shield_x = 0, shield_y = 0, hide_left_s = 0, approach_left_s = 0, hide_cooldown_s = 0.5;
  // "second_ball"/"distractors": a spare ball beside the pitch, own random stream.
  Rng rng2;
  double b2x = 0, b2y = 0, b2v = 0, b2_pause_s = 0;
  // "lighting": phases of the brightness drift and the cloud shadow.
  std::array<double, 3> light_phase{};

  explicit Impl(const SynthOptions& o)
      : opt(o), mix(mix_for(o.scenario)), cam(o.width_px, o.height_px), rng(o.seed),
        dt(1.0 / o.fps), rs(o.height_px / 1080.0),
        sprite_a(o.width_px * 9 > o.height_px * 16 ? 0.94 * (o.height_px * 16.0 / 9.0) / kPitchLengthM : cam.a),
        frame_total(static_cast<int>(std::lround(o.duration_s * o.fps))), rng2(o.seed ^ 0x5EC0BA11ull) {
    build_background();
    build_players();
    if (mix.second_ball) {
      b2y = rng2.chance(0.5) ? kPitchWidthM + rng2.uniform(1.0, 2.2) : -rng2.uniform(1.0, 2.5);
      b2x = rng2.uniform(12, kPitchLengthM - 12);
      b2_pause_s = rng2.uniform(0.3, 1.5);
    }
    if (mix.lighting) {
      Rng lr(o.seed ^ 0x11647ull);
      light_phase = {lr.uniform(0, 2 * std::numbers::pi), lr.uniform(0, 2 * std::numbers::pi), lr.uniform(0.0, 0.25)};
    }
  }

  // Where the screening player stands: straight in front of the ball (towards the camera),
  // at the depth that puts the ball behind his shorts/shirt in the picture.
  void shield_spot(double& x_m, double& y_m) const {
    const Point2 ball = cam.project(bx, by);
    double best = 1e18, best_y = by + 1.5;
    for (double yp = by + 0.3; yp < by + 4.0; yp += 0.05) {
      const double target = cam.project(bx, yp).y - 1.15 * ss(yp) * kBodyExaggeration;
      if (std::abs(target - ball.y) < best) { best = std::abs(target - ball.y); best_y = yp; }
    }
    y_m = best_y;
    x_m = kPitchLengthM * 0.5 + (ball.x - cam.cx) * Camera::depth(y_m) / cam.a;
  }

  void step_second_ball() {
    if (!mix.second_ball) return;
    if (b2_pause_s > 0) {
      b2_pause_s -= dt;
      if (b2_pause_s <= 0) b2v = (rng2.chance(0.5) ? 1 : -1) * rng2.uniform(1.5, 5.0);
      return;
    }
    b2x += b2v * dt;
    if (b2x < 3 || b2x > kPitchLengthM - 3) b2v = -b2v;
    const double ns = std::max(0.0, std::abs(b2v) - 1.5 * dt);
    b2v = b2v < 0 ? -ns : ns;
    if (ns == 0) b2_pause_s = rng2.uniform(0.8, 3.0);
  }

  // Global brightness/contrast drift and a soft-edged cloud shadow band sweeping left to
  // right (every 10 s), applied to the finished picture.
  void apply_lighting(const Planes& p) const {
    const double gain = 1.0 + 0.2 * std::sin(2 * std::numbers::pi * t_s / 9.0 + light_phase[0]);
    const double offset = 14.0 * std::sin(2 * std::numbers::pi * t_s / 13.0 + light_phase[1]);
    constexpr double kShadow = 0.6, kDesat = 0.75;
    std::array<std::uint8_t, 256> lit{}, dark{};
    for (int v = 0; v < 256; ++v) {
      lit[v] = static_cast<std::uint8_t>(std::clamp(std::lround(16 + (v - 16) * gain + offset), 0l, 255l));
      dark[v] = static_cast<std::uint8_t>(std::clamp(std::lround(16 + (v - 16) * gain * kShadow + offset), 0l, 255l));
    }
    const double band = 0.45 * p.w, soft = 0.08 * p.w;
    const double u = std::fmod(t_s / 10.0 + light_phase[2], 1.0);
    const double lead0 = -0.2 * p.w + u * (1.6 * p.w + band);
    auto shade = [&](double x, double lead) {  // 0 = lit, 1 = full shadow
      return std::clamp((lead - x) / soft, 0.0, 1.0) * std::clamp((x - (lead - band)) / soft, 0.0, 1.0);
    };
    for (int y = 0; y < p.h; ++y) {
      const double lead = lead0 + 0.35 * (y - p.h * 0.5);
      const int x0 = std::clamp(static_cast<int>(std::floor(lead - band)), 0, p.w);
      const int x1 = std::clamp(static_cast<int>(std::ceil(lead)) + 1, x0, p.w);
      std::uint8_t* row = p.y + static_cast<size_t>(y) * p.sy;
      for (int x = 0; x < x0; ++x) row[x] = lit[row[x]];
      for (int x = x0; x < x1; ++x) {
        const double m = shade(x + 0.5, lead);
        row[x] = static_cast<std::uint8_t>(std::lround(lit[row[x]] + (dark[row[x]] - lit[row[x]]) * m));
      }
      for (int x = x1; x < p.w; ++x) row[x] = lit[row[x]];
    }
    for (int y = 0; y < p.h / 2; ++y) {
      const double lead = lead0 + 0.35 * (2 * y + 1 - p.h * 0.5);
      const int x0 = std::clamp(static_cast<int>(std::floor((lead - band) / 2)), 0, p.w / 2);
      const int x1 = std::clamp(static_cast<int>(std::ceil(lead / 2)) + 1, x0, p.w / 2);
      for (std::uint8_t* plane : {p.u + static_cast<size_t>(y) * p.su, p.v + static_cast<size_t>(y) * p.sv})
        for (int x = x0; x < x1; ++x) {
          const double k = 1.0 - (1.0 - kDesat) * shade(2 * x + 1.0, lead);
          plane[x] = static_cast<std::uint8_t>(std::lround(128 + (plane[x] - 128) * k));
        }
    }
  }

  double ss(double y_m) const { return sprite_a / Camera::depth(y_m); }

  // ------------------------------------------------------------ background
  void build_background() {
    const int w = opt.width_px, h = opt.height_px;
    std::vector<float> fy(static_cast<size_t>(w) * h), fu(fy.size()), fv(fy.size());
    const auto seed32 = static_cast<std::uint32_t>(opt.seed);
    const Yuv line_col = rgb(228, 232, 228);
    auto value_noise = [&](double x, double y, double cell, std::uint32_t salt) {
      const double gx = x / cell, gy = y / cell;
      const int ix = static_cast<int>(std::floor(gx)), iy = static_cast<int>(std::floor(gy));
      const double tx = gx - ix, ty = gy - iy;
      auto n = [&](int a, int b) {
        return (hash32(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b), seed32 + salt) & 0xffff) /
                   32767.5 - 1.0;
      };
      const double sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty);
      return (n(ix, iy) * (1 - sx) + n(ix + 1, iy) * sx) * (1 - sy) +
             (n(ix, iy + 1) * (1 - sx) + n(ix + 1, iy + 1) * sx) * sy;
    };
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        double xm = 0, ym = 0;
        cam.unproject(x + 0.5, y + 0.5, xm, ym);
        const size_t i = static_cast<size_t>(y) * w + x;
        const std::uint32_t hsh = hash32(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), seed32);
        double r, g, b;
        if (ym < -7.0) {  // stands: a blocky crowd
          const auto cell = hash32(static_cast<std::uint32_t>(x / std::max(2, static_cast<int>(3 * rs))),
                                   static_cast<std::uint32_t>(y / std::max(2, static_cast<int>(4 * rs))), seed32 + 7);
          static constexpr std::array<std::array<int, 3>, 6> kCrowd = {
              {{60, 60, 70}, {120, 40, 40}, {40, 60, 120}, {150, 140, 120}, {30, 30, 35}, {90, 90, 95}}};
          const auto& c = kCrowd[cell % kCrowd.size()];
          const double shade = 0.55 + 0.3 * ((cell >> 8) & 0xff) / 255.0;
          r = c[0] * shade; g = c[1] * shade; b = c[2] * shade;
        } else if (ym < -4.5) {  // advertising boards
          const int panel = static_cast<int>(std::floor((xm + 200) / 14.0));
          const bool letter = ((hash32(static_cast<std::uint32_t>(xm * 1.5 + 300), static_cast<std::uint32_t>(ym * 3 + 40),
                                       static_cast<std::uint32_t>(panel)) & 7) == 0) && ym > -6.6 && ym < -5.0;
          if (letter) { r = 210; g = 210; b = 200; }
          else if (panel % 2) { r = 20; g = 50; b = 140; }
          else { r = 170; g = 30; b = 30; }
        } else {  // grass with mown stripes
          const int stripe = static_cast<int>(std::floor((xm + 105.0) / 5.25));
          const double base = (stripe % 2) ? 1.0 : 0.88;
          const double mottle = 1.0 + 0.06 * value_noise(x, y, 40 * rs, 1) + 0.03 * value_noise(x, y, 9 * rs, 2);
          const double grain = 1.0 + ((hsh & 0xff) / 255.0 - 0.5) * 0.12;
          const double haze = 0.92 + 0.08 * std::clamp(ym / kPitchWidthM, 0.0, 1.0);
          const double k = base * mottle * grain * haze;
          r = 58 * k; g = 128 * k; b = 48 * k;
        }
        Yuv c = rgb(r, g, b);
        double Y = c.y, U = c.u, V = c.v;
        if (ym >= -4.5) {
          const double cov = marking_cover(xm, ym);
          if (cov > 0) {
            Y += (line_col.y - Y) * cov * 0.9;
            U += (line_col.u - U) * cov * 0.9;
            V += (line_col.v - V) * cov * 0.9;
          }
        }
        fy[i] = static_cast<float>(Y);
        fu[i] = static_cast<float>(U);
        fv[i] = static_cast<float>(V);
      }
    }
    draw_goals(fy, fu, fv);
    bg_y.resize(fy.size());
    for (size_t i = 0; i < fy.size(); ++i) bg_y[i] = static_cast<std::uint8_t>(std::clamp(std::lround(fy[i]), 0l, 255l));
    const int cw = w / 2, ch = h / 2;
    bg_u.resize(static_cast<size_t>(cw) * ch);
    bg_v.resize(bg_u.size());
    for (int y = 0; y < ch; ++y)
      for (int x = 0; x < cw; ++x) {
        const size_t a = static_cast<size_t>(2 * y) * w + 2 * x, b2 = a + w;
        bg_u[static_cast<size_t>(y) * cw + x] =
            static_cast<std::uint8_t>(std::lround((fu[a] + fu[a + 1] + fu[b2] + fu[b2 + 1]) * 0.25));
        bg_v[static_cast<size_t>(y) * cw + x] =
            static_cast<std::uint8_t>(std::lround((fv[a] + fv[a + 1] + fv[b2] + fv[b2 + 1]) * 0.25));
      }
    noise.resize(fy.size() + 65536);
    Rng nr(opt.seed ^ 0xA5A5A5A5ull);
    for (auto& n : noise) n = static_cast<std::int8_t>(static_cast<int>(nr.next() % 5) - 2);
  }

  // Coverage of the white pitch markings at a ground point.
  double marking_cover(double xm, double ym) const {
    const double sxp = cam.sx(ym), syp = cam.sy(ym);
    const double half_w_px = 0.8 * rs * sxp / cam.a;
    double best = 1e9;
    auto to_px = [&](double dx, double dy) { return std::hypot(dx * sxp, dy * syp); };
    auto seg = [&](double x0, double y0, double x1, double y1) {
      const double ex = x1 - x0, ey = y1 - y0;
      const double t = std::clamp(((xm - x0) * ex + (ym - y0) * ey) / (ex * ex + ey * ey), 0.0, 1.0);
      best = std::min(best, to_px(xm - (x0 + t * ex), ym - (y0 + t * ey)));
    };
    auto circle = [&](double cx, double cy, double r, int side) {  // side: 0 all, -1 x<cx-?, handled by caller
      const double dx = xm - cx, dy = ym - cy, d = std::hypot(dx, dy);
      if (d < 1e-9) return;
      if (side < 0 && xm < 16.5) return;
      if (side > 0 && xm > kPitchLengthM - 16.5) return;
      const double k = (d - r) / d;
      best = std::min(best, to_px(dx * k, dy * k));
    };
    auto spot = [&](double cx, double cy) {
      const double d = std::hypot(xm - cx, ym - cy);
      const double k = d > 0.22 ? (d - 0.22) / d : 0.0;
      best = std::min(best, to_px((xm - cx) * k, (ym - cy) * k) - half_w_px * 0.5);
    };
    const double L = kPitchLengthM, W = kPitchWidthM;
    seg(0, 0, L, 0); seg(0, W, L, W); seg(0, 0, 0, W); seg(L, 0, L, W); seg(L / 2, 0, L / 2, W);
    for (int side = 0; side < 2; ++side) {
      const double gx = side ? L : 0, dir = side ? -1 : 1;
      seg(gx, 13.84, gx + dir * 16.5, 13.84); seg(gx, 54.16, gx + dir * 16.5, 54.16);
      seg(gx + dir * 16.5, 13.84, gx + dir * 16.5, 54.16);
      seg(gx, 24.84, gx + dir * 5.5, 24.84); seg(gx, 43.16, gx + dir * 5.5, 43.16);
      seg(gx + dir * 5.5, 24.84, gx + dir * 5.5, 43.16);
      spot(gx + dir * 11, 34);
      circle(gx + dir * 11, 34, 9.15, side ? 1 : -1);
    }
    circle(L / 2, W / 2, 9.15, 0);
    spot(L / 2, W / 2);
    return std::clamp(half_w_px + 0.5 - best, 0.0, 1.0);
  }

  void draw_goals(std::vector<float>& fy, std::vector<float>& fu, std::vector<float>& fv) const {
    const int w = opt.width_px, h = opt.height_px;
    auto plot = [&](double x, double y, double cov) {
      const int xi = static_cast<int>(x), yi = static_cast<int>(y);
      if (xi < 0 || yi < 0 || xi >= w || yi >= h) return;
      const size_t i = static_cast<size_t>(yi) * w + xi;
      fy[i] += (225 - fy[i]) * cov; fu[i] += (128 - fu[i]) * cov; fv[i] += (128 - fv[i]) * cov;
    };
    for (double gx : {0.0, kPitchLengthM}) {
      for (double gy : {30.34, 37.66}) {
        const Point2 base = cam.project(gx, gy);
        const double hpx = 2.44 * ss(gy) * 0.9;
        for (double t = 0; t <= hpx; t += 0.5) plot(base.x, base.y - t, 1.0);
      }
      const Point2 a = cam.project(gx, 30.34), b = cam.project(gx, 37.66);
      const double ha = 2.44 * ss(30.34) * 0.9, hb = 2.44 * ss(37.66) * 0.9;
      for (double t = 0; t <= 1.0; t += 0.005) plot(a.x + (b.x - a.x) * t, a.y - ha + (b.y - hb - a.y + ha) * t, 1.0);
    }
  }

  // ------------------------------------------------------------ players
  void build_players() {
    if (!mix.has_players) return;
    const Kit kits[2] = {
        {rgb(200, 30, 40), rgb(235, 235, 235), rgb(200, 30, 40), rgb(25, 25, 25)},
        mix.white_team ? Kit{rgb(236, 236, 236), rgb(236, 236, 236), rgb(240, 240, 240), rgb(240, 240, 240)}
                       : Kit{rgb(40, 90, 210), rgb(20, 30, 70), rgb(238, 238, 238), rgb(240, 240, 240)},
    };
    const Kit keeper_kits[2] = {{rgb(230, 220, 40), rgb(30, 30, 30), rgb(230, 220, 40), rgb(25, 25, 25)},
                                {rgb(245, 140, 30), rgb(30, 30, 30), rgb(245, 140, 30), rgb(25, 25, 25)}};
    const Yuv skins[4] = {rgb(230, 190, 160), rgb(190, 140, 100), rgb(120, 80, 55), rgb(80, 55, 40)};
    const Yuv hairs[3] = {rgb(30, 25, 20), rgb(90, 60, 30), rgb(200, 170, 110)};
    for (int team = 0; team < 2; ++team)
      for (int k = 0; k < 11; ++k) {
        Player p;
        p.team = team;
        p.role = k == 0 ? Role::kKeeper : Role::kOutfield;
        p.home_x = team == 0 ? kFormation[k][0] : kPitchLengthM - kFormation[k][0];
        p.home_y = team == 0 ? kFormation[k][1] : kPitchWidthM - kFormation[k][1];
        p.x = p.home_x + rng.uniform(-3, 3);
        p.y = p.home_y + rng.uniform(-3, 3);
        p.wander_phase = rng.uniform(0, 2 * std::numbers::pi);
        p.stride_phase = rng.uniform(0, 2 * std::numbers::pi);
        p.kit = k == 0 ? keeper_kits[team] : kits[team];
        // Some players wear dark socks / boots: not every white blob at the feet is the same.
        if (k != 0 && !mix.white_team && rng.chance(0.3)) p.kit.boots = rgb(30, 30, 30);
        p.skin = skins[rng.int_in(0, 3)];
        p.hair = hairs[rng.int_in(0, 2)];
        players.push_back(p);
      }
    Player ref;
    ref.team = 2;
    ref.role = Role::kReferee;
    ref.x = 45; ref.y = 40;
    ref.kit = {rgb(20, 20, 20), rgb(20, 20, 20), rgb(20, 20, 20), rgb(20, 20, 20)};
    ref.skin = skins[1];
    ref.hair = hairs[0];
    players.push_back(ref);
    // Kick-off: a team-0 forward has the ball at the centre spot.
    owner = 9;
    players[owner].x = 52.0;
    players[owner].y = 34.0;
    last_touch_team = 0;
    hold_left_s = rng.uniform(mix.hold_min_s, mix.hold_max_s);
  }

  // Ellipses that make up a player, feet at the ground point; back to front.
  int player_shapes(const Player& p, std::array<Ellipse, 12>& out, Box* box) const {
    const Point2 f = cam.project(p.x, p.y);
    const double L = ss(p.y) * kBodyExaggeration;
    const double speed = std::hypot(p.vx, p.vy);
    const double swing = 0.14 * L * std::sin(p.stride_phase) * std::min(1.0, speed / 4.0);
    int n = 0;
    for (int side = -1; side <= 1; side += 2) {
      const double lx = f.x + side * (0.09 * L + swing);
      out[n++] = {lx, f.y - 0.5 * L, 0.065 * L, 0.36 * L, p.skin};           // leg
      out[n++] = {lx, f.y - 0.2 * L, 0.075 * L, 0.17 * L, p.kit.socks};      // sock
      out[n++] = {lx + 0.05 * L, f.y - 0.04 * L, 0.09 * L, 0.05 * L, p.kit.boots};  // boot
    }
    const double arm = 0.08 * L * std::sin(p.stride_phase + 1.0) * std::min(1.0, speed / 4.0);
    out[n++] = {f.x - 0.24 * L, f.y - 1.25 * L + arm, 0.06 * L, 0.24 * L, p.kit.shirt};
    out[n++] = {f.x + 0.24 * L, f.y - 1.25 * L - arm, 0.06 * L, 0.24 * L, p.kit.shirt};
    out[n++] = {f.x, f.y - 0.92 * L, 0.2 * L, 0.16 * L, p.kit.shorts};
    out[n++] = {f.x, f.y - 1.3 * L, 0.22 * L, 0.3 * L, p.kit.shirt};
    out[n++] = {f.x, f.y - 1.72 * L, 0.12 * L, 0.13 * L, p.skin};
    out[n++] = {f.x, f.y - 1.8 * L, 0.12 * L, 0.07 * L, p.hair};
    if (box) *box = Box{f.x - 0.32 * L, f.y - 1.87 * L, 0.64 * L, 1.87 * L};
    return n;
  }

  // ------------------------------------------------------------ simulation step
  int nearest_player(double x, double y, int team, int exclude, bool include_keepers) const {
    int best = -1;
    double bd = 1e18;
    for (int i = 0; i < static_cast<int>(players.size()); ++i) {
      const Player& p = players[i];
      if (i == exclude || p.role == Role::kReferee) continue;
      if (team >= 0 && p.team != team) continue;
      if (!include_keepers && p.role == Role::kKeeper) continue;
      const double d = std::hypot(p.x - x, p.y - y);
      if (d < bd) { bd = d; best = i; }
    }
    return best;
  }

  void kick() {
    const Player& k = players[owner];
    const int team = k.team;
    const double goal_x = team == 0 ? kPitchLengthM : 0.0;
    const double attack = team == 0 ? 1.0 : -1.0;
    double total = mix.pass + mix.lofted + mix.shot + mix.out;
    double r = rng.uniform() * total;
    KickKind kind = KickKind::kPass;
    if ((r -= mix.pass) < 0) kind = KickKind::kPass;
    else if ((r -= mix.lofted) < 0) kind = KickKind::kLofted;
    else if ((r -= mix.shot) < 0) kind = KickKind::kShot;
    else kind = KickKind::kOut;
    // Shots only from the attacking half; keepers always clear long.
    if (kind == KickKind::kShot && std::abs(goal_x - bx) > mix.shot_range_m) kind = KickKind::kLofted;
    if (k.role == Role::kKeeper) kind = KickKind::kLofted;
    if (mix.lofted == 0 && kind == KickKind::kLofted) kind = KickKind::kPass;
    events.kick = true;
    was_shot = false;
    double tx = 0, ty = 0, speed = 0, vh = 0;
    if (kind == KickKind::kShot) {
      tx = goal_x + attack * 2.0;
      ty = 34 + rng.uniform(-5.5, 5.5);
      speed = rng.uniform(mix.shot_speed_min, mix.shot_speed_max);
      vh = rng.uniform(0, 3);
      events.shot = true;
      was_shot = true;
    } else if (kind == KickKind::kOut) {
      tx = bx + attack * rng.uniform(5, 25);
      ty = by < 34 ? -6.0 : kPitchWidthM + 6.0;
      speed = rng.uniform(16, 24);
      vh = rng.uniform(0, 7);
    } else {
      // A teammate: lofted goes long, passes prefer the nearer ones.
      std::vector<std::pair<double, int>> mates;
      for (int i = 0; i < static_cast<int>(players.size()); ++i) {
        const Player& p = players[i];
        if (i == owner || p.team != team || p.role != Role::kOutfield) continue;
        mates.emplace_back(std::hypot(p.x - bx, p.y - by), i);
      }
      std::sort(mates.begin(), mates.end());
      int pick;
      if (kind == KickKind::kLofted) {
        const int lo = std::min<int>(4, static_cast<int>(mates.size()) - 1);
        pick = mates[rng.int_in(lo, static_cast<int>(mates.size()) - 1)].second;
      } else {
        pick = mates[rng.int_in(0, std::min<int>(3, static_cast<int>(mates.size()) - 1))].second;
      }
      const Player& m = players[pick];
      tx = m.x + m.vx * 0.8;
      ty = m.y + m.vy * 0.8;
      tx = std::clamp(tx, 2.0, kPitchLengthM - 2);
      ty = std::clamp(ty, 2.0, kPitchWidthM - 2);
      const double d = std::hypot(tx - bx, ty - by);
      if (kind == KickKind::kLofted) {
        vh = rng.uniform(7, 12);
        const double flight = 2 * vh / kGravity;
        speed = std::clamp(d / flight, 6.0, 26.0);
      } else {
        speed = std::clamp(std::sqrt(2 * 2.2 * d) + 2.5, 7.0, 22.0);
      }
    }
    const double d = std::max(std::hypot(tx - bx, ty - by), 1e-3);
    bvx = (tx - bx) / d * speed;
    bvy = (ty - by) / d * speed;
    bvh = vh;
    state = BallState::kFree;
    last_kicker = owner;
    last_touch_team = team;
    kicker_block_s = 0.4;
    owner = -1;
  }

  void step_ball() {
    if (!mix.has_ball) return;
    kicker_block_s -= dt;
    if (state == BallState::kOwned) {
      Player& p = players[owner];
      if (mix.hide_episodes) {
        hide_cooldown_s -= dt;
        if (shield < 0 && hide_cooldown_s <= 0 && in_play && p.role == Role::kOutfield) {
          shield = nearest_player(bx, by, 1 - p.team, -1, false);
          shield_set = false;
          approach_left_s = 3.0;
          shield_spot(shield_x, shield_y);
        }
      }
      const double sp = std::hypot(p.vx, p.vy);
      const double dirx = sp > 0.3 ? p.vx / sp : (p.team == 0 ? 1 : -1), diry = sp > 0.3 ? p.vy / sp : 0;
      const double ahead = shield >= 0 ? 0.6 : 0.55 + 0.35 * std::abs(std::sin(t_s * 4.0));
      bx = p.x + dirx * ahead;
      by = p.y + diry * ahead + 0.05;
      bh = 0;
      bvx = p.vx; bvy = p.vy; bvh = 0;
      if (shield >= 0) {  // the owner shields the ball; the opponent screens it from the camera
        shield_spot(shield_x, shield_y);
        if (!shield_set) {
          approach_left_s -= dt;
          if (std::hypot(players[shield].x - shield_x, players[shield].y - shield_y) < 0.2 || approach_left_s <= 0) {
            shield_set = true;
            hide_left_s = rng.uniform(0.5, 1.1);
          }
        } else if ((hide_left_s -= dt) <= 0) {
          shield = -1;
          hide_cooldown_s = rng.uniform(2.0, 3.5);
          hold_left_s = 0.2;
        }
        return;
      }
      hold_left_s -= dt;
      if (hold_left_s <= 0) {
        if (!in_play) { in_play = true; events.whistle = true; }
        kick();
      }
      return;
    }
    if (state == BallState::kDead) {
      dead_left_s -= dt;
      if (!restart_placed && dead_left_s <= 0) {
        bx = restart_x; by = restart_y; bh = 0; bvx = bvy = bvh = 0;
        restart_placed = true;
      }
      if (restart_placed) {
        const int taker = nearest_player(bx, by, restart_team, -1, true);
        if (taker >= 0 && std::hypot(players[taker].x - bx, players[taker].y - by) < 1.2) {
          owner = taker;
          state = BallState::kOwned;
          hold_left_s = 0.6;
          players[taker].vx = players[taker].vy = 0;
        }
      } else {  // the ball rolls on beyond the line and stops
        bx += bvx * dt; by += bvy * dt;
        bh = std::max(0.0, bh + bvh * dt); bvh -= kGravity * dt;
        if (bh == 0) { const double s = std::hypot(bvx, bvy); const double ns = std::max(0.0, s - 8 * dt);
          if (s > 0) { bvx *= ns / s; bvy *= ns / s; } }
      }
      return;
    }
    // Free ball: projectile in the air, rolling friction on the ground.
    bx += bvx * dt;
    by += bvy * dt;
    if (bh > 0 || bvh > 0) {
      bvh -= kGravity * dt;
      bh += bvh * dt;
      if (bh <= 0) {
        bh = 0;
        if (bvh < -2.5) { bvh = -bvh * 0.45; bvx *= 0.8; bvy *= 0.8; }
        else bvh = 0;
      }
      const double s = std::hypot(bvx, bvy);  // air drag
      if (s > 0) { const double ns = std::max(0.0, s - 0.4 * dt); bvx *= ns / s; bvy *= ns / s; }
    } else {
      const double s = std::hypot(bvx, bvy);
      const double ns = std::max(0.0, s - 2.2 * dt);
      if (s > 0) { bvx *= ns / s; bvy *= ns / s; }
    }
    // Out of play?
    if (bx < -0.1 || bx > kPitchLengthM + 0.1 || by < -0.1 || by > kPitchWidthM + 0.1) {
      in_play = false;
      events.whistle = true;
      state = BallState::kDead;
      dead_left_s = rng.uniform(1.2, 2.2);
      restart_placed = false;
      restart_team = 1 - last_touch_team;
      if (by < -0.1 || by > kPitchWidthM + 0.1) {  // throw-in on the touchline
        restart_x = std::clamp(bx, 3.0, kPitchLengthM - 3.0);
        restart_y = by < 0 ? 0.3 : kPitchWidthM - 0.3;
      } else {  // goal kick
        restart_x = bx < 0 ? 5.5 : kPitchLengthM - 5.5;
        restart_y = 34 + rng.uniform(-8, 8);
        restart_team = bx < 0 ? 0 : 1;
      }
      return;
    }
    // Control: a player close to a low, not too fast ball takes it.
    if (bh < 1.0) {
      const double speed = std::hypot(bvx, bvy);
      for (int i = 0; i < static_cast<int>(players.size()); ++i) {
        const Player& p = players[i];
        if (p.role == Role::kReferee) continue;
        if (i == last_kicker && kicker_block_s > 0) continue;
        if (was_shot && p.role != Role::kKeeper) continue;
        const double d = std::hypot(p.x - bx, p.y - by);
        if (d < 0.9 && (speed < 16 || (p.role == Role::kKeeper && rng.chance(0.5)))) {
          owner = i;
          state = BallState::kOwned;
          last_touch_team = p.team;
          hold_left_s = rng.uniform(mix.hold_min_s, mix.hold_max_s);
          was_shot = false;
          break;
        }
      }
    }
  }

  void step_players() {
    if (players.empty()) return;
    // Where the play is: the ball (or its restart spot).
    const double px = (state == BallState::kDead) ? restart_x : bx;
    const double py = (state == BallState::kDead) ? restart_y : by;
    std::array<std::vector<int>, 2> chasers;
    for (int team = 0; team < 2; ++team) {
      std::vector<std::pair<double, int>> d;
      for (int i = 0; i < static_cast<int>(players.size()); ++i)
        if (players[i].team == team && players[i].role == Role::kOutfield)
          d.emplace_back(std::hypot(players[i].x - px, players[i].y - py), i);
      std::sort(d.begin(), d.end());
      for (int k = 0; k < mix.chasers && k < static_cast<int>(d.size()); ++k) chasers[team].push_back(d[k].second);
    }
    int restart_taker = -1;
    if (state == BallState::kDead) restart_taker = nearest_player(restart_x, restart_y, restart_team, -1, true);
    for (int i = 0; i < static_cast<int>(players.size()); ++i) {
      Player& p = players[i];
      double tx, ty, vmax = 5.0;
      if (p.role == Role::kReferee) {
        tx = px - 12; ty = py + (py < 34 ? 10 : -10);
        vmax = 6.0;
      } else if (i == shield) {
        tx = shield_x; ty = shield_y; vmax = 8.0;
      } else if (state == BallState::kOwned && i == owner && shield >= 0) {
        tx = p.x; ty = p.y; vmax = 0.0;
      } else if (state == BallState::kOwned && i == owner) {
        const double goal_x = p.team == 0 ? kPitchLengthM - 14 : 14;
        tx = goal_x; ty = 34 + 14 * std::sin(t_s * 0.3 + p.wander_phase);
        vmax = 4.5;
      } else if (i == restart_taker) {
        tx = restart_x; ty = restart_y; vmax = 7.0;
      } else if (p.role == Role::kKeeper) {
        tx = p.team == 0 ? 2.5 : kPitchLengthM - 2.5;
        ty = std::clamp(py, 29.0, 39.0);
        vmax = 4.0;
        if (std::abs(bx - tx) < 8 && state == BallState::kFree) { tx = bx; ty = by; vmax = 7.0; }
      } else if (std::find(chasers[p.team].begin(), chasers[p.team].end(), i) != chasers[p.team].end() &&
                 !(state == BallState::kOwned && players[owner].team == p.team)) {
        tx = bx + bvx * 0.3; ty = by + bvy * 0.3;
        vmax = 7.5;
      } else {
        const double shift = mix.compactness;
        tx = p.home_x + (px - 52.5) * shift + 3 * std::sin(t_s * 0.4 + p.wander_phase);
        ty = p.home_y + (py - 34) * shift * 0.6 + 3 * std::cos(t_s * 0.33 + p.wander_phase);
        if (mix.compactness > 0.7) { tx = tx * 0.5 + px * 0.5; ty = ty * 0.5 + py * 0.5; }
        tx = std::clamp(tx, 1.0, kPitchLengthM - 1);
        ty = std::clamp(ty, 1.0, kPitchWidthM - 1);
      }
      const double dx = tx - p.x, dy = ty - p.y, d = std::hypot(dx, dy);
      const double want = std::min(vmax, d * 1.2);
      const double wx = d > 1e-6 ? dx / d * want : 0, wy = d > 1e-6 ? dy / d * want : 0;
      const double ax = wx - p.vx, ay = wy - p.vy, a = std::hypot(ax, ay), amax = 6.0 * dt;
      const double k = a > amax ? amax / a : 1.0;
      p.vx += ax * k; p.vy += ay * k;
      p.x += p.vx * dt; p.y += p.vy * dt;
      p.stride_phase += std::hypot(p.vx, p.vy) * dt * 2.4;
      if (i == shield && shield_set) { p.x = shield_x; p.y = shield_y; p.vx = p.vy = 0; }
    }
  }

  // ------------------------------------------------------------ rendering
  void render(Frame& frame, GroundTruthFrame* truth) {
    events = {};
    step_players();
    step_ball();
    step_second_ball();
    t_s += dt;
    const int w = opt.width_px, h = opt.height_px;
    const int cw = w / 2, ch = h / 2;
    // Background + temporal noise (luma), plain copy for chroma.
    const std::size_t off = (static_cast<std::size_t>(rendered) * 7919u) % 65536u;
    for (int y = 0; y < h; ++y) {
      const std::uint8_t* src = bg_y.data() + static_cast<size_t>(y) * w;
      const std::int8_t* nz = noise.data() + off + static_cast<size_t>(y) * w;
      std::uint8_t* dst = frame.planes[0] + static_cast<size_t>(y) * frame.strides[0];
      for (int x = 0; x < w; ++x) {
        const int v = src[x] + nz[x];
        dst[x] = static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
      }
    }
    for (int y = 0; y < ch; ++y) {
      std::memcpy(frame.planes[1] + static_cast<size_t>(y) * frame.strides[1], bg_u.data() + static_cast<size_t>(y) * cw, cw);
      std::memcpy(frame.planes[2] + static_cast<size_t>(y) * frame.strides[2], bg_v.data() + static_cast<size_t>(y) * cw, cw);
    }
    const Planes pl{frame.planes[0], frame.planes[1], frame.planes[2], frame.strides[0], frame.strides[1],
                    frame.strides[2], w, h};

    // Shadows first (they lie on the ground, under everything).
    for (const Player& p : players) {
      const Point2 f = cam.project(p.x, p.y);
      const double L = ss(p.y) * kBodyExaggeration;
      draw_shadow(pl, {f.x + 0.25 * L, f.y, 0.45 * L, 0.11 * L, {}}, 0.8);
    }
    const Point2 ground = cam.project(bx, by);
    const double s_here = cam.sx(by);
    const double r_ground = 3.6 * rs * s_here / cam.a;
    const double r = std::min(r_ground * (1.0 + 0.1 * bh), 7.2 * rs);
    const double h_px = bh * ss(by) * 0.9;
    const Point2 ball_img{ground.x, ground.y - h_px};
    if (mix.has_ball) {
      const double fade = 1.0 / (1.0 + 0.25 * bh);
      draw_shadow(pl, {ground.x + 0.4 * h_px * 0.3, ground.y + r_ground * 0.3, r_ground * 1.1, r_ground * 0.55, {}},
                  0.9 * fade);
    }
    const Point2 ball2 = cam.project(b2x, b2y);
    const double r2 = 3.6 * rs / Camera::depth(b2y);
    if (mix.second_ball) draw_shadow(pl, {ball2.x, ball2.y + r2 * 0.3, r2 * 1.1, r2 * 0.55, {}}, 0.9);
    // Sprites back to front; the ball sorts by its ground point.
    std::vector<std::pair<double, int>> order;
    order.reserve(players.size() + 2);
    for (int i = 0; i < static_cast<int>(players.size()); ++i) order.emplace_back(players[i].y, i);
    if (mix.has_ball) order.emplace_back(by + 0.01, -1);
    if (mix.second_ball) order.emplace_back(b2y, -2);
    std::sort(order.begin(), order.end());
    Point2 streak{0, 0};
    if (prev_ball_img.x >= 0) {
      const double vx = ball_img.x - prev_ball_img.x, vy = ball_img.y - prev_ball_img.y;
      if (std::hypot(vx, vy) > 15.0 * rs && !(restart_placed && state != BallState::kFree)) streak = {vx * 0.5, vy * 0.5};
    }
    std::array<Ellipse, 12> shapes{};
    bool ball_drawn = false;
    std::vector<int> in_front;
    for (const auto& [key, idx] : order) {
      if (idx == -2) {
        draw_ball(pl, ball2, r2, {0, 0});
        continue;
      }
      if (idx < 0) {
        draw_ball(pl, ball_img, r, streak);
        ball_drawn = true;
        continue;
      }
      const int n = player_shapes(players[idx], shapes, nullptr);
      for (int k = 0; k < n; ++k) draw_ellipse(pl, shapes[k]);
      if (ball_drawn) in_front.push_back(idx);
    }
    prev_ball_img = ball_img;
    if (mix.lighting) apply_lighting(pl);

    frame.index = rendered;
    frame.pts_us = static_cast<std::int64_t>(std::llround(rendered * 1e6 / opt.fps));
    ++rendered;
    if (!truth) return;
    truth->frame_index = frame.index;
    truth->pts_us = frame.pts_us;
    truth->players.clear();
    truth->ball.reset();
    for (const Player& p : players) {
      Box box;
      player_shapes(p, shapes, &box);
      if (box.x + box.w < 0 || box.y + box.h < 0 || box.x > w || box.y > h) continue;
      truth->players.push_back({box, p.team});
    }
    if (!mix.has_ball) return;
    if (ball_img.x < -r || ball_img.y < -r || ball_img.x > w + r || ball_img.y > h + r) return;
    // Occlusion: sample the ball's disc against the players drawn over it, and the frame edges.
    int total = 0, hidden = 0;
    for (int j = -4; j <= 4; ++j)
      for (int i = -4; i <= 4; ++i) {
        if (i * i + j * j > 16) continue;
        const double sx = ball_img.x + i * r / 4.0, sy = ball_img.y + j * r / 4.0;
        ++total;
        bool cov = sx < 0 || sy < 0 || sx >= w || sy >= h;
        for (int idx : in_front) {
          if (cov) break;
          const int n = player_shapes(players[idx], shapes, nullptr);
          for (int k = 0; k < n && !cov; ++k) cov = ellipse_cover(shapes[k], sx, sy, 1.0) > 0.5;
        }
        hidden += cov ? 1 : 0;
      }
    GroundTruthBall gb;
    gb.center = ball_img;
    gb.radius_px = r;
    gb.occluded_fraction = static_cast<double>(hidden) / total;
    gb.visible = gb.occluded_fraction <= 0.5;
    gb.in_play = in_play;
    gb.height_px = h_px;
    truth->ball = gb;
  }
};

std::vector<std::string> scenario_names() {
  return {"match",       "passes",      "lofted", "shots",       "occlusion", "hidden",
          "out_of_play", "distractors", "second_ball", "lighting", "empty"};
}

Status validate(const SynthOptions& o) {
  const auto names = scenario_names();
  if (std::find(names.begin(), names.end(), o.scenario) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return error(ErrorCode::kInvalidArgument, "unknown synth scenario '" + o.scenario + "' (known: " + list + ")");
  }
  if (o.width_px < 160 || o.height_px < 90 || o.width_px % 2 || o.height_px % 2)
    return error(ErrorCode::kInvalidArgument, "synth size must be even and at least 160x90");
  if (o.fps <= 0 || o.fps > 240) return error(ErrorCode::kInvalidArgument, "synth fps must be in 1..240");
  if (!(o.duration_s > 0)) return error(ErrorCode::kInvalidArgument, "synth duration must be positive");
  return Status::Ok();
}

MatchRenderer::MatchRenderer(const SynthOptions& options) : impl_(std::make_unique<Impl>(options)) {}
MatchRenderer::~MatchRenderer() = default;
MatchRenderer::MatchRenderer(MatchRenderer&&) noexcept = default;
MatchRenderer& MatchRenderer::operator=(MatchRenderer&&) noexcept = default;

Frame MatchRenderer::render_next(GroundTruthFrame* truth) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, impl_->opt.width_px, impl_->opt.height_px);
  impl_->render(f, truth);
  return f;
}
void MatchRenderer::render_next_into(Frame& frame, GroundTruthFrame* truth) { impl_->render(frame, truth); }
int MatchRenderer::frame_count() const { return impl_->frame_total; }
int MatchRenderer::frames_rendered() const { return impl_->rendered; }
const SimEvents& MatchRenderer::last_events() const { return impl_->events; }
const SynthOptions& MatchRenderer::options() const { return impl_->opt; }

}  // namespace ballcam::synth
