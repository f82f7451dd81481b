// Classical ball/player detector; see classical.hpp for the approach.
#include "detect/classical.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace ballcam::detect {
namespace {

constexpr int kFix = 7;  // background fixed point: value << 7 fits int16 for 8-bit input
// How long a ball last seen standing still is looked for at that spot.
constexpr std::int64_t kStillBallFrames = 75;
// How long an unbroken chain of consistent detections keeps the relaxed
// context cues after the last strong (isolated) sighting of the ball.
constexpr std::int64_t kMaxHeldFrames = 150;
// Score of a still ball held at its spot while half hidden (hold_still_ball):
// any candidate scoring this much elsewhere wins over it.
constexpr double kHeldBallScore = 0.4;

// One connected component of a half-resolution mask.
struct Blob {
  int area = 0;
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // inclusive bbox, half-res
  double sum_w = 0, sum_wx = 0, sum_wy = 0;
  int peak = 0, peak_x = 0, peak_y = 0;
  bool too_big = false;
};

struct Candidate {
  BallCandidate ball;
  double appearance = 0;  // own look times context
  double look = 0;        // size, shape, contrast, colour only
  double below = 1;       // the "no body below" factor (heads, shirts, shorts fail it)
  double grounded = 0;    // appearance with the legs above discounted (grass below only)
  double contrast = 0;    // how far its peak rises over the background, 0..1
  int static_frames = 0;
};

// One half-res row of segment_and_update(): masks from the difference to the
// background, then the selective update. A free function so the restrict
// qualifiers hold and the loop vectorises without alias checks.
void segment_row(const std::uint8_t* __restrict cy, const std::uint8_t* __restrict u,
                 const std::uint8_t* __restrict v, std::int16_t* __restrict by, std::int16_t* __restrict bu,
                 std::int16_t* __restrict bv, std::uint8_t* __restrict mb, std::uint8_t* __restrict mf, int w,
                 int tb, int tf, int fast, int slow) {
  for (int x = 0; x < w; ++x) {
    // All in int16: (value << 7) and the differences fit, and 16-bit
    // lanes give the vectoriser 8 or 16 pixels per instruction.
    const std::int16_t ey = static_cast<std::int16_t>((cy[x] << kFix) - by[x]);
    const std::int16_t eu = static_cast<std::int16_t>((u[x] << kFix) - bu[x]);
    const std::int16_t ev = static_cast<std::int16_t>((v[x] << kFix) - bv[x]);
    const std::int16_t dy = static_cast<std::int16_t>(ey >> kFix);
    const std::int16_t du = static_cast<std::int16_t>(eu >> kFix);
    const std::int16_t dv = static_cast<std::int16_t>(ev >> kFix);
    const std::int16_t adu = static_cast<std::int16_t>(std::abs(du));
    const std::int16_t adv = static_cast<std::int16_t>(std::abs(dv));
    const std::int16_t fgv = static_cast<std::int16_t>(2 * (adu + adv) + std::max<std::int16_t>(dy, 0));
    // Branch-free on purpose (bitwise |, masks): keeps the loop vectorisable.
    const int bright = dy > tb;
    const int fg = fgv > tf;
    const int moving = bright | fg | (dy < -tb);
    mb[x] = static_cast<std::uint8_t>(bright);
    mf[x] = static_cast<std::uint8_t>(fg);
    const std::int16_t m = static_cast<std::int16_t>(-moving);  // 0 or all ones
    by[x] = static_cast<std::int16_t>(by[x] + (((ey >> fast) & ~m) | ((ey >> slow) & m)));
    bu[x] = static_cast<std::int16_t>(bu[x] + (((eu >> fast) & ~m) | ((eu >> slow) & m)));
    bv[x] = static_cast<std::int16_t>(bv[x] + (((ev >> fast) & ~m) | ((ev >> slow) & m)));
  }
}

double ramp(double v, double lo, double hi) { return std::clamp((v - lo) / (hi - lo), 0.0, 1.0); }

class ClassicalDetector final : public Detector {
 public:
  ClassicalDetector(const DetectorConfig& config, const ClassicalParams& params) : cfg_(config), p_(params) {}

  std::string name() const override { return "classical"; }

  Result<Detections> detect(const Frame& frame, const DetectHints& hints) override {
    if (frame.memory != MemoryLocation::kHost || frame.format != PixelFormat::kYuv420p)
      return error(ErrorCode::kInvalidArgument, "classical detector needs a host yuv420p frame");
    if (frame.width_px < 4 || frame.height_px < 4 || frame.empty())
      return error(ErrorCode::kInvalidArgument, "classical detector: empty or tiny frame");
    if (frame.width_px / 2 != w_ || frame.height_px / 2 != h_) reset(frame.width_px / 2, frame.height_px / 2);

    downsample_luma(frame);
    if (frames_seen_ < p_.warmup_frames) learn_background(frame);
    else segment_and_update(frame);
    ++frames_seen_;

    Detections out;
    out.frame_index = frame.index;
    out.pts_us = frame.pts_us;
    find_ball_candidates(frame, hints, out);
    find_players(out);
    return out;
  }

 private:
  void reset(int w, int h) {
    w_ = w;
    h_ = h;
    const size_t n = static_cast<size_t>(w) * h;
    y2_.assign(n, 0);
    bg_y_.assign(n, 0);
    bg_u_.assign(n, 0);
    bg_v_.assign(n, 0);
    bright_.assign(n, 0);
    fg_.assign(n, 0);
    stack_.clear();
    stack_.reserve(4096);
    frames_seen_ = 0;
    have_track_ = false;
    chain_from_strong_ = false;
    seen_index_ = -1000;
    prev_cands_.clear();
  }

  void downsample_luma(const Frame& f) {
    for (int y = 0; y < h_; ++y) {
      const std::uint8_t* __restrict r0 = f.planes[0] + static_cast<size_t>(2 * y) * f.strides[0];
      const std::uint8_t* __restrict r1 = r0 + f.strides[0];
      std::uint8_t* __restrict dst = y2_.data() + static_cast<size_t>(y) * w_;
      const int w = w_;
      for (int x = 0; x < w; ++x) {
        const std::uint16_t sum = static_cast<std::uint16_t>(r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2);
        dst[x] = static_cast<std::uint8_t>(sum >> 2);
      }
    }
  }

  // Warm-up: running mean of the first frames, no foreground yet.
  void learn_background(const Frame& f) {
    const int shift = frames_seen_ == 0 ? 0 : std::min(p_.fast_update_shift, static_cast<int>(std::log2(frames_seen_ + 1)));
    for (int y = 0; y < h_; ++y) {
      const std::uint8_t* u = f.planes[1] + static_cast<size_t>(y) * f.strides[1];
      const std::uint8_t* v = f.planes[2] + static_cast<size_t>(y) * f.strides[2];
      const size_t o = static_cast<size_t>(y) * w_;
      for (int x = 0; x < w_; ++x) {
        auto upd = [&](std::int16_t& bg, int cur) {
          bg = static_cast<std::int16_t>(bg + (((cur << kFix) - bg) >> shift));
        };
        upd(bg_y_[o + x], y2_[o + x]);
        upd(bg_u_[o + x], u[x]);
        upd(bg_v_[o + x], v[x]);
      }
    }
    std::fill(bright_.begin(), bright_.end(), 0);
    std::fill(fg_.begin(), fg_.end(), 0);
  }

  // The hot loop: masks from the difference to the background, then the
  // selective background update. Plain int16 arithmetic so it vectorises.
  void segment_and_update(const Frame& f) {
    const int tb = p_.bright_threshold, tf = p_.foreground_threshold;
    const int fast = p_.fast_update_shift, slow = p_.slow_update_shift;
    for (int y = 0; y < h_; ++y) {
      const std::uint8_t* __restrict u = f.planes[1] + static_cast<size_t>(y) * f.strides[1];
      const std::uint8_t* __restrict v = f.planes[2] + static_cast<size_t>(y) * f.strides[2];
      const size_t o = static_cast<size_t>(y) * w_;
      const std::uint8_t* __restrict cy = y2_.data() + o;
      std::int16_t* __restrict by = bg_y_.data() + o;
      std::int16_t* __restrict bu = bg_u_.data() + o;
      std::int16_t* __restrict bv = bg_v_.data() + o;
      std::uint8_t* __restrict mb = bright_.data() + o;
      std::uint8_t* __restrict mf = fg_.data() + o;
      segment_row(cy, u, v, by, bu, bv, mb, mf, w_, tb, tf, fast, slow);
    }
  }

  int bg_luma(int idx) const { return bg_y_[idx] >> kFix; }

  // Flood fill (8-connected) of mask from seed; clears the visited pixels.
  // Weight of a pixel = its luma rise over the background (bright mask) or 1.
  template <bool kWeighted>
  void flood(std::vector<std::uint8_t>& mask, int seed, Blob& b, int max_area) {
    stack_.clear();
    stack_.push_back(seed);
    mask[seed] = 0;
    const int sx = seed % w_, sy = seed / w_;
    b = Blob{};
    b.x0 = b.x1 = sx;
    b.y0 = b.y1 = sy;
    while (!stack_.empty()) {
      const int i = stack_.back();
      stack_.pop_back();
      const int x = i % w_, y = i / w_;
      ++b.area;
      if (b.area > max_area) b.too_big = true;
      b.x0 = std::min(b.x0, x); b.x1 = std::max(b.x1, x);
      b.y0 = std::min(b.y0, y); b.y1 = std::max(b.y1, y);
      if constexpr (kWeighted) {
        const int wv = y2_[i] - bg_luma(i);
        b.sum_w += wv;
        b.sum_wx += wv * (x + 0.5);
        b.sum_wy += wv * (y + 0.5);
        if (wv > b.peak) { b.peak = wv; b.peak_x = x; b.peak_y = y; }
      }
      for (int dy = -1; dy <= 1; ++dy) {
        const int ny = y + dy;
        if (ny < 0 || ny >= h_) continue;
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx;
          if (nx < 0 || nx >= w_) continue;
          const int j = ny * w_ + nx;
          if (mask[j]) { mask[j] = 0; stack_.push_back(j); }
        }
      }
    }
  }

  // Calls fn(index) for every set byte of mask, scanning 8 bytes at a time.
  template <typename Fn>
  void for_each_set(std::vector<std::uint8_t>& mask, Fn&& fn) {
    const size_t n = mask.size();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, mask.data() + i, 8);
      if (!word) continue;
      for (size_t k = i; k < i + 8; ++k)
        if (mask[k]) fn(static_cast<int>(k));
    }
    for (; i < n; ++i)
      if (mask[i]) fn(static_cast<int>(i));
  }

  // Fraction of coloured-foreground pixels in a ring 2..3 px outside the bbox.
  double ring_foreground(const Blob& b) const {
    int total = 0, hit = 0;
    for (int y = b.y0 - 3; y <= b.y1 + 3; ++y) {
      if (y < 0 || y >= h_) continue;
      for (int x = b.x0 - 3; x <= b.x1 + 3; ++x) {
        if (x < 0 || x >= w_) continue;
        if (x >= b.x0 - 1 && x <= b.x1 + 1 && y >= b.y0 - 1 && y <= b.y1 + 1) continue;
        ++total;
        hit += fg_[static_cast<size_t>(y) * w_ + x] != 0;
      }
    }
    return total ? static_cast<double>(hit) / total : 0.0;
  }

  // Fraction of coloured-foreground pixels in a strip above (dir = -1) or
  // below (dir = +1) the blob, as wide as the blob. A white sock or boot has
  // legs and a body above it; a head or a pair of shorts has a body below
  // it; a ball on the grass has neither.
  double strip_foreground(const Blob& b, int dir) const {
    int total = 0, hit = 0;
    const int ya = dir < 0 ? b.y0 - 11 : b.y1 + 2, yb = dir < 0 ? b.y0 - 2 : b.y1 + 11;
    double outside = 0;
    for (int y = ya; y <= yb; ++y) {
      for (int x = b.x0 - 1; x <= b.x1 + 1; ++x) {
        ++total;
        // Beyond the picture's edge is unknown: a player cut off by the
        // bottom edge shows only his shirt, which must not pass for a ball.
        if (y < 0 || y >= h_ || x < 0 || x >= w_) outside += 0.5;
        else hit += fg_[static_cast<size_t>(y) * w_ + x] != 0;
      }
    }
    return total ? (hit + outside) / total : 0.0;
  }

  // Whether the 2 rows directly above the blob (its columns and one either
  // side) are plain background: no coloured foreground and no luma change.
  bool clear_above(const Blob& b) const {
    for (int y = b.y0 - 2; y < b.y0; ++y) {
      if (y < 0) return false;
      for (int x = std::max(0, b.x0 - 1); x <= std::min(w_ - 1, b.x1 + 1); ++x) {
        const int i = y * w_ + x;
        if (fg_[static_cast<size_t>(i)] || std::abs(y2_[i] - bg_luma(i)) > p_.bright_threshold) return false;
      }
    }
    return true;
  }

  // Chroma saturation (distance from neutral grey) at a half-res pixel.
  static int saturation(const Frame& f, int x, int y) {
    const int u = f.planes[1][static_cast<size_t>(y) * f.strides[1] + x] - 128;
    const int v = f.planes[2][static_cast<size_t>(y) * f.strides[2] + x] - 128;
    return std::abs(u) + std::abs(v);
  }

  // Intensity-weighted centroid at full resolution around a half-res blob.
  Point2 refine(const Frame& f, const Blob& b, double& radius_px) const {
    const int x0 = std::max(0, 2 * b.x0 - 2), x1 = std::min(f.width_px - 1, 2 * b.x1 + 3);
    const int y0 = std::max(0, 2 * b.y0 - 2), y1 = std::min(f.height_px - 1, 2 * b.y1 + 3);
    double sw = 0, sx = 0, sy = 0;
    int count = 0;
    for (int y = y0; y <= y1; ++y) {
      const std::uint8_t* row = f.planes[0] + static_cast<size_t>(y) * f.strides[0];
      for (int x = x0; x <= x1; ++x) {
        const int bgv = bg_luma((y / 2) * w_ + x / 2);
        const int wv = row[x] - bgv - 12;
        if (wv <= 0) continue;
        sw += wv;
        sx += wv * (x + 0.5);
        sy += wv * (y + 0.5);
        count += row[x] - bgv > 30;
      }
    }
    radius_px = std::sqrt(std::max(count, 1) / 3.14159265);
    if (sw <= 0) return {2.0 * b.sum_wx / b.sum_w, 2.0 * b.sum_wy / b.sum_w};
    return {sx / sw, sy / sw};
  }

  void find_ball_candidates(const Frame& f, const DetectHints& hints, Detections& out) {
    cands_.clear();
    const double min_r = cfg_.min_ball_radius_px, max_r = cfg_.max_ball_radius_px;
    const int max_area = static_cast<int>(3.2 * (max_r / 2 + 1) * (max_r / 2 + 1)) + 8;
    for_each_set(bright_, [&](int seed) {
      Blob b;
      flood<true>(bright_, seed, b, max_area);
      if (b.too_big || b.sum_w <= 0) return;
      const int bw = b.x1 - b.x0 + 1, bh = b.y1 - b.y0 + 1;
      const double r_full = 2.0 * std::sqrt(b.area / 3.14159265);
      if (r_full < min_r * 0.8 || r_full > max_r) return;
      const double fill = static_cast<double>(b.area) / (bw * bh);
      const double aspect = static_cast<double>(std::max(bw, bh)) / std::min(bw, bh);
      // Elongated blobs are fine only when dim (a motion-blurred ball); a
      // bright elongated one is a sock, a boot, a line fragment.
      const double max_aspect = b.peak < 70 ? 4.5 : 1.7;
      const double shape = ramp(fill, 0.3, 0.6) * (aspect <= max_aspect ? 1.0 : std::max(0.0, 1.0 - (aspect - max_aspect) / 1.0));
      const double contrast = ramp(b.peak, static_cast<double>(p_.bright_threshold), 70.0);
      // Whiteness: a white object (or a blurred streak of one) pulls the
      // chroma towards neutral in proportion to how much it lifts the luma.
      const int pidx = b.peak_y * w_ + b.peak_x;
      const int bg_sat = std::abs((bg_u_[pidx] >> kFix) - 128) + std::abs((bg_v_[pidx] >> kFix) - 128);
      const double lum_frac = std::clamp(b.peak / std::max(1.0, 225.0 - bg_luma(pidx)), 0.05, 1.0);
      // H.264 smears a small ball's chroma into the grass: at CRF 23 it moves
      // only a quarter of the way to neutral, hence the low ramp.
      const double neutral = std::clamp(1.0 - saturation(f, b.peak_x, b.peak_y) / std::max(static_cast<double>(bg_sat), 12.0), 0.0, 1.0);
      // Colour is only a soft cue for that reason (far balls keep almost
      // none of their chroma after encoding).
      const double colour = 0.45 + 0.55 * ramp(neutral / lum_frac, 0.08, 0.3);
      const double size = ramp(r_full, min_r, min_r + 1.0);
      // Rejected on its own look before the context cues are measured.
      if (size * shape * contrast * colour < 0.2) return;
      const double look = size * shape * (0.3 + 0.7 * contrast) * colour;
      const double isolation = 1.0 - ramp(ring_foreground(b), 0.08, 0.45);
      // A sock or boot has its leg right on top of it; a ball in front of
      // a player's feet has a strip of plain grass between it and the feet,
      // so the legs further up count for half.
      const double gap_above = clear_above(b) ? 0.5 : 1.0;
      const double above = gap_above * strip_foreground(b, -1), below = strip_foreground(b, +1);
      // Above is only a soft cue: a dribbled ball sits by the feet.
      const double below_factor = 1.0 - (b.peak < 70 ? 0.5 : 1.0) * ramp(below, 0.04, 0.2);  // dim: a ball just kicked
      const double body = std::max(0.0, 1.0 - 0.6 * ramp(above, 0.04, 0.2) - 0.4 * ramp(above, 0.3, 0.55)) * below_factor;
      // Nothing at all below a compact, ball-sized, strongly bright blob: it
      // lies on the grass, as a ball standing at a player's feet does (a
      // sock has the boot, or that ball, under it). Where the ball was last
      // seen standing, the legs above such a blob count for less.
      const bool grounded = below < 0.02 && b.peak >= 70 && aspect <= 1.7 && fill >= 0.5;
      const double body_grounded =
          grounded ? std::max(0.0, 1.0 - 0.55 * (0.6 * ramp(above, 0.04, 0.2) + 0.4 * ramp(above, 0.3, 0.55))) : 0.0;
      Candidate c;
      double r = 0;
      c.ball.center = refine(f, b, r);
      c.ball.radius_px = std::clamp(r, min_r, max_r);
      c.appearance = look * isolation * body;
      c.look = look;
      c.contrast = contrast;
      c.below = below_factor;
      c.grounded = look * isolation * body_grounded;
      cands_.push_back(c);
    });

    // Motion prior: our own last confident detection. The caller's hint is
    // deliberately not used to rank candidates: a tracker that follows a
    // distractor would have its prediction boosted, confirm it again and
    // never come back (a feedback loop). Our own prior starts from what looks
    // most like a ball, and the tracker decides between candidates itself.
    (void)hints;
    bool have_pred = false, fresh_track = false;
    Point2 pred;
    double gate = 0;
    if (have_track_ && f.index - last_index_ <= 12 && f.index > last_index_) {
      // Only a track that its own look confirmed recently may relax the
      // context cues; otherwise a sock next to the ball could hold on to it.
      // "Recently" stretches while the detections stay unbroken and in place
      // (a ball held at a player's feet for a few seconds).
      fresh_track = f.index - last_index_ <= 2 &&
                    (f.index - last_strong_index_ <= 15 ||
                     (chain_from_strong_ && f.index - last_strong_index_ <= kMaxHeldFrames));
      const double k = static_cast<double>(f.index - last_index_);
      have_pred = true;
      pred = {last_pos_.x + last_vel_.x * k, last_pos_.y + last_vel_.y * k};
      gate = std::max(16.0, 1.5 * std::hypot(last_vel_.x, last_vel_.y) * k + 4.0 * k);
    }
    for (Candidate& c : cands_) {
      // Blobs that have not moved for seconds (a lost sock on the ground, a
      // marking the background has not learned) fade out.
      for (const Candidate& p : prev_cands_)
        if (std::hypot(p.ball.center.x - c.ball.center.x, p.ball.center.y - c.ball.center.y) < 1.0)
          c.static_frames = std::max(c.static_frames, p.static_frames + 1);
      double still = c.static_frames > 75 ? 0.6 : 1.0;
      // A dim blob is a ball only when motion blur smears it; one that has
      // not moved for a second is a ghost (something the background learned
      // during warm-up and that has since left) or a faint marking.
      const bool dim_and_static = c.static_frames >= 25 && c.contrast < 0.7;
      if (dim_and_static) still = 0.4;
      double motion = 1.0;  // no prediction: no opinion
      double appearance = c.appearance;
      if (have_pred) {
        const double d = std::hypot(c.ball.center.x - pred.x, c.ball.center.y - pred.y);
        // A kick can beat any gate; and a blob that looks exactly like a ball
        // outside the gate must not lose to a dim one the prior has locked
        // on to (a ghost the background model has not yet forgotten).
        motion = d < gate ? 1.0 - 0.2 * d / gate : 0.6 + 0.3 * ramp(c.appearance, 0.6, 1.0);
        // Right where a freshly seen ball should be, a player next to it is
        // expected (a dribble, a tackle): trust the blob's own look more.
        // (Nothing is ever below a ball at a player's feet but grass.)
        // A blob that has grown well beyond the tracked ball is a shirt.
        const bool same_size = c.ball.radius_px <= 1.4 * last_radius_ + 1.0;
        if (fresh_track && d < 0.5 * gate) {
          appearance = std::max(appearance, 0.6 * c.look * (same_size ? std::max(c.below, 0.8) : c.below));
        }
      }
      // A ball that stood still where it was last seen (a player stopped
      // it, stands over it): a grounded blob right there keeps it.
      if (have_track_ && f.index > last_index_ && f.index - last_index_ <= kStillBallFrames &&
          std::hypot(last_vel_.x, last_vel_.y) < 1.0 &&
          std::hypot(c.ball.center.x - last_pos_.x, c.ball.center.y - last_pos_.y) < 6.0) {
        appearance = std::max(appearance, c.grounded);
        motion = 1.0;
        if (!dim_and_static) still = 1.0;  // expected to stand still: that is how it was last seen
      }
      c.ball.score = std::clamp(appearance * motion * still, 0.0, 1.0);
    }
    std::sort(cands_.begin(), cands_.end(),
              [](const Candidate& a, const Candidate& b) { return a.ball.score > b.ball.score; });
    const bool held = hold_still_ball(f);
    prev_cands_ = cands_;
    for (const Candidate& c : cands_) {
      if (c.ball.score < cfg_.min_score || static_cast<int>(out.balls.size()) >= cfg_.max_candidates) break;
      out.balls.push_back(c.ball);
    }
    if (!out.balls.empty()) {
      const Point2 p = out.balls.front().center;
      if (have_track_ && f.index > last_index_ && f.index - last_index_ <= 12) {
        const double k = static_cast<double>(f.index - last_index_);
        const Point2 v{(p.x - last_pos_.x) / k, (p.y - last_pos_.y) / k};
        const bool consistent = !have_pred || std::hypot(p.x - pred.x, p.y - pred.y) < gate;
        last_vel_ = consistent ? Point2{0.5 * last_vel_.x + 0.5 * v.x, 0.5 * last_vel_.y + 0.5 * v.y} : Point2{};
        chain_from_strong_ = chain_from_strong_ && consistent && f.index - last_index_ <= 2;
      } else {
        last_vel_ = {};
        chain_from_strong_ = false;
      }
      last_pos_ = p;
      last_radius_ = out.balls.front().radius_px;
      last_index_ = f.index;
      // Only a blob that looks like a ball on its own (white, round, bright,
      // lying on the grass with nothing below it) counts as the ball seen in
      // full; a goalkeeper's legs that the chain held on to must not be kept
      // by hold_still_ball().
      if (!held && cands_.front().look >= 0.7 && cands_.front().grounded >= 0.2) {
        seen_index_ = f.index;
        seen_pos_ = p;
        seen_radius_ = out.balls.front().radius_px;
      }
      if (cands_.front().appearance * 0.6 >= cfg_.min_score) {
        last_strong_index_ = f.index;
        chain_from_strong_ = true;
      }
      have_track_ = true;
    }
  }

  // A ball standing still where it was last seen, now half hidden by the
  // player standing over it (a set piece, a shielded ball): its blob shrinks
  // below the size test or merges with a white sock into one shapeless blob.
  // While nothing scores as well elsewhere (or what scores is that merged
  // blob) and bright pixels still cover a third of its disc, it stays where
  // it was, for at most kStillBallFrames
  // after it was last seen in full. Returns whether it was held.
  bool hold_still_ball(const Frame& f) {
    if (!have_track_ || f.index <= last_index_ || f.index - last_index_ > 2) return false;
    if (f.index - seen_index_ > kStillBallFrames || std::hypot(last_vel_.x, last_vel_.y) >= 1.0) return false;
    if (std::hypot(last_pos_.x - seen_pos_.x, last_pos_.y - seen_pos_.y) > 4.0) return false;  // seen here, in full
    // A blob right there but much bigger than the ball: a sock or a boot has
    // merged with it, and its centroid would drift up the leg.
    const bool merged = !cands_.empty() &&
                        std::hypot(cands_.front().ball.center.x - last_pos_.x,
                                   cands_.front().ball.center.y - last_pos_.y) < 8.0 &&
                        cands_.front().ball.radius_px > 1.4 * seen_radius_ + 0.5;
    if (!cands_.empty() && cands_.front().ball.score >= kHeldBallScore && !merged) return false;
    const double held_score = merged ? std::max(kHeldBallScore, cands_.front().ball.score) : kHeldBallScore;
    const double cx = last_pos_.x / 2, cy = last_pos_.y / 2;
    const double rb = std::max(1.0, last_radius_ / 2);  // the ball's radius at half resolution
    const double rh = rb + 1.0;  // a pixel of slack: the last centre was measured on the visible part
    int total = 0, lit = 0;
    for (int y = static_cast<int>(cy - rh); y <= static_cast<int>(cy + rh); ++y) {
      for (int x = static_cast<int>(cx - rh); x <= static_cast<int>(cx + rh); ++x) {
        if (y < 0 || y >= h_ || x < 0 || x >= w_) continue;
        if ((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) > rh * rh) continue;
        const int i = y * w_ + x;
        ++total;
        lit += y2_[i] - bg_luma(i) > p_.bright_threshold;
      }
    }
    // At least a third of the ball's own area still lit: a ball half hidden
    // by a dark sock passes, an empty spot does not.
    if (lit < std::max(2.0, 0.35 * 3.14159265 * rb * rb)) return false;
    // The held ball replaces whatever weaker blob covers its spot.
    std::erase_if(cands_, [&](const Candidate& c) {
      return std::hypot(c.ball.center.x - last_pos_.x, c.ball.center.y - last_pos_.y) < 6.0;
    });
    Candidate held;
    held.ball.center = last_pos_;
    held.ball.radius_px = last_radius_;
    held.ball.score = held_score;
    cands_.insert(cands_.begin(), held);
    return true;
  }

  void find_players(Detections& out) {
    for_each_set(fg_, [&](int seed) {
      Blob b;
      flood<false>(fg_, seed, b, 1 << 30);
      const int bw = b.x1 - b.x0 + 1, bh = b.y1 - b.y0 + 1;
      if (b.area < 12 || bh < 6) return;
      const double aspect = static_cast<double>(bh) / bw;
      if (aspect < 0.8 || aspect > 6.0) return;
      PlayerDetection p;
      p.box = Box{2.0 * b.x0, 2.0 * b.y0, 2.0 * bw, 2.0 * bh};
      p.score = std::clamp(0.4 + 0.6 * ramp(b.area, 12, 60) * ramp(aspect, 0.8, 1.6), 0.0, 1.0);
      out.players.push_back(p);
    });
    std::sort(out.players.begin(), out.players.end(),
              [](const PlayerDetection& a, const PlayerDetection& b) { return a.score > b.score; });
  }

  DetectorConfig cfg_;
  ClassicalParams p_;
  int w_ = 0, h_ = 0;
  std::int64_t frames_seen_ = 0;
  std::vector<std::uint8_t> y2_;
  std::vector<std::int16_t> bg_y_, bg_u_, bg_v_;
  std::vector<std::uint8_t> bright_, fg_;
  std::vector<int> stack_;
  std::vector<Candidate> cands_, prev_cands_;
  bool have_track_ = false;
  Point2 last_pos_, last_vel_;
  double last_radius_ = 0;
  std::int64_t last_index_ = 0;
  std::int64_t last_strong_index_ = -1000;
  std::int64_t seen_index_ = -1000;  // last ball-like detection not held by hold_still_ball()
  Point2 seen_pos_;
  double seen_radius_ = 0;
  bool chain_from_strong_ = false;  // every detection since the last strong one was consistent
};

}  // namespace

std::unique_ptr<Detector> make_classical_detector(const DetectorConfig& config, const ClassicalParams& params) {
  return std::make_unique<ClassicalDetector>(config, params);
}

DetectorInfo classical_detector_info() {
  return {"classical",
          "background subtraction + bright compact blob scoring for a fixed wide camera; no model file",
          [](const DetectorConfig& config) -> Result<std::unique_ptr<Detector>> {
            if (config.min_ball_radius_px <= 0 || config.max_ball_radius_px < config.min_ball_radius_px)
              return error(ErrorCode::kInvalidArgument, "classical detector: bad ball radius range");
            return make_classical_detector(config);
          }};
}

}  // namespace ballcam::detect
