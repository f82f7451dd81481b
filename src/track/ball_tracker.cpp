#include "track/ball_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace ballcam {

namespace {

constexpr double kReferenceWidthPx = 1920.0;
constexpr double kReferenceFps = 25.0;

int scale_frames(int frames, double factor) {
  return std::max(1, static_cast<int>(std::lround(frames * factor)));
}

}  // namespace

TrackerConfig TrackerConfig::scaled_for(int frame_width_px, double fps) const {
  TrackerConfig c = *this;
  const double s = frame_width_px > 0 ? frame_width_px / kReferenceWidthPx : 1.0;
  const double t = fps > 0.0 ? fps / kReferenceFps : 1.0;  // frames per reference frame
  c.measurement_noise_px *= s;
  c.min_gate_px *= s;
  c.max_gate_px *= s;
  c.maneuver_gate_px *= s;
  c.accel_noise_px_per_frame2 *= s / (t * t);
  c.initial_velocity_sigma_px_per_frame *= s / t;
  c.max_speed_px_per_frame *= s / t;
  c.moving_speed_px_per_frame *= s / t;
  c.coast_velocity_decay = std::pow(coast_velocity_decay, 1.0 / t);
  c.confirm_hits = scale_frames(confirm_hits, t);
  c.static_confirm_hits = scale_frames(static_confirm_hits, t);
  c.max_coast_frames = scale_frames(max_coast_frames, t);
  c.lost_forget_frames = scale_frames(lost_forget_frames, t);
  c.tentative_max_misses = scale_frames(tentative_max_misses, t);
  c.switch_after_misses = scale_frames(switch_after_misses, t);
  c.switch_confirm_frames = scale_frames(switch_confirm_frames, t);
  if (far_from_play_frames > 0) c.far_from_play_frames = scale_frames(far_from_play_frames, t);
  if (hindsight_frames > 0) c.hindsight_frames = scale_frames(hindsight_frames, t);
  return c;
}

Status TrackerConfig::validate() const {
  auto bad = [](const char* field, const char* rule) {
    return error(ErrorCode::kInvalidArgument, std::string("tracker.") + field + " must be " + rule);
  };
  if (!(accel_noise_px_per_frame2 > 0.0)) return bad("accel_noise_px_per_frame2", "> 0");
  if (!(measurement_noise_px > 0.0)) return bad("measurement_noise_px", "> 0");
  if (!(initial_velocity_sigma_px_per_frame >= 0.0)) return bad("initial_velocity_sigma_px_per_frame", ">= 0");
  if (!(max_speed_px_per_frame > 0.0)) return bad("max_speed_px_per_frame", "> 0");
  if (!(coast_velocity_decay > 0.0 && coast_velocity_decay <= 1.0)) return bad("coast_velocity_decay", "in (0, 1]");
  if (!(gate_sigma > 0.0)) return bad("gate_sigma", "> 0");
  if (!(min_gate_px >= 0.0)) return bad("min_gate_px", ">= 0");
  if (!(max_gate_px >= min_gate_px)) return bad("max_gate_px", ">= min_gate_px");
  if (!(maneuver_gate_px >= 0.0)) return bad("maneuver_gate_px", ">= 0");
  if (max_candidates < 1) return bad("max_candidates", ">= 1");
  if (confirm_hits < 1) return bad("confirm_hits", ">= 1");
  if (static_confirm_hits < confirm_hits) return bad("static_confirm_hits", ">= confirm_hits");
  if (max_coast_frames < 0) return bad("max_coast_frames", ">= 0");
  if (lost_forget_frames < 0) return bad("lost_forget_frames", ">= 0");
  if (max_hypotheses < 1) return bad("max_hypotheses", ">= 1");
  if (tentative_max_misses < 0) return bad("tentative_max_misses", ">= 0");
  if (switch_after_misses < 1) return bad("switch_after_misses", ">= 1");
  if (switch_confirm_frames < 1) return bad("switch_confirm_frames", ">= 1");
  if (!(play_radius_player_heights >= 0.0)) return bad("play_radius_player_heights", ">= 0");
  if (!(play_preference >= 0.0)) return bad("play_preference", ">= 0");
  if (far_from_play_frames < 0) return bad("far_from_play_frames", ">= 0");
  if (!(challenger_min_score >= 0.0 && challenger_min_score <= 1.0)) return bad("challenger_min_score", "in [0, 1]");
  if (!(weak_primary_score >= 0.0 && weak_primary_score <= 1.0)) return bad("weak_primary_score", "in [0, 1]");
  if (!(coexist_min_score >= 0.0 && coexist_min_score <= 1.0)) return bad("coexist_min_score", "in [0, 1]");
  if (hindsight_frames < -1) return bad("hindsight_frames", ">= -1 (-1 = automatic)");
  return Status::Ok();
}

BallTracker::BallTracker(TrackerConfig config, int frame_width_px, int frame_height_px, double fps)
    : config_(config),
      width_px_(frame_width_px),
      height_px_(frame_height_px),
      fps_(fps),
      score_decay_(std::pow(0.7, fps > 0.0 ? kReferenceFps / fps : 1.0)) {
  config_.max_hypotheses = std::max(1, config_.max_hypotheses);
  config_.max_candidates = std::max(1, config_.max_candidates);
  config_.confirm_hits = std::max(1, config_.confirm_hits);
  hypotheses_.reserve(static_cast<std::size_t>(config_.max_hypotheses));
  candidate_owner_.reserve(16);
  order_.reserve(static_cast<std::size_t>(config_.max_hypotheses));
  watch_order_.reserve(static_cast<std::size_t>(config_.max_hypotheses));
}

void BallTracker::reset() {
  hypotheses_.clear();
  primary_id_ = -1;
  mode_ = TrackMode::kSearching;
  ever_tracked_ = false;
  frames_lost_ = 0;
  last_position_ = {};
}

BallTracker::Hypothesis* BallTracker::primary() {
  for (auto& h : hypotheses_) {
    if (h.id == primary_id_) return &h;
  }
  return nullptr;
}

const BallTracker::Hypothesis* BallTracker::primary() const {
  for (const auto& h : hypotheses_) {
    if (h.id == primary_id_) return &h;
  }
  return nullptr;
}

void BallTracker::clamp_to_frame(track::KalmanCV& filter) const {
  // The estimate stays on the picture: a ball that leaves it is coasted at
  // the edge, not extrapolated into the stands.
  auto clamp_axis = [](track::KalmanCV::Axis& a, double hi) {
    if (a.pos < 0.0) {
      a.pos = 0.0;
      a.vel = std::max(a.vel, 0.0);
    } else if (a.pos > hi) {
      a.pos = hi;
      a.vel = std::min(a.vel, 0.0);
    }
  };
  clamp_axis(filter.x(), static_cast<double>(width_px_));
  clamp_axis(filter.y(), static_cast<double>(height_px_));
  // Velocity clamp: a detector glitch must not fling the estimate away.
  const double vx = filter.x().vel;
  const double vy = filter.y().vel;
  const double speed = std::hypot(vx, vy);
  if (speed > config_.max_speed_px_per_frame && speed > 0.0) {
    const double k = config_.max_speed_px_per_frame / speed;
    filter.x().vel = vx * k;
    filter.y().vel = vy * k;
  }
}

void BallTracker::predict_all() {
  for (auto& h : hypotheses_) {
    h.filter.predict();
    if (h.misses > 0) {
      h.filter.x().vel *= config_.coast_velocity_decay;
      h.filter.y().vel *= config_.coast_velocity_decay;
    }
    clamp_to_frame(h.filter);
    h.matched = false;
    h.candidate = -1;
    h.recent_score *= score_decay_;
  }
}

double BallTracker::gate_radius_px(const Hypothesis& h) const {
  const double var = std::max(h.filter.innovation_var_x(), h.filter.innovation_var_y());
  return std::clamp(config_.gate_sigma * std::sqrt(var), config_.min_gate_px, config_.max_gate_px);
}

int BallTracker::maneuver_candidate(const Hypothesis& h, const Detections& detections) const {
  if (config_.maneuver_gate_px <= 0.0) return -1;
  const Point2 p = h.filter.position();
  const Point2 m = h.last_measurement;
  int best = -1;
  double best_d = config_.maneuver_gate_px;
  for (std::size_t i = 0; i < candidate_owner_.size(); ++i) {
    if (candidate_owner_[i] >= 0) continue;
    const BallCandidate& c = detections.balls[i];
    if (c.score < std::max(config_.maneuver_min_score, config_.min_candidate_score)) continue;
    const double d = std::min(std::hypot(c.center.x - p.x, c.center.y - p.y),
                              std::hypot(c.center.x - m.x, c.center.y - m.y));
    if (d <= best_d) {
      best_d = d;
      best = static_cast<int>(i);
    }
  }
  return best;
}

void BallTracker::associate(const Detections& detections) {
  const std::size_t n =
      std::min(detections.balls.size(), static_cast<std::size_t>(config_.max_candidates));
  candidate_owner_.assign(n, -1);

  auto best_for = [&](const Hypothesis& h) -> int {
    int best = -1;
    double best_cost = std::numeric_limits<double>::infinity();
    const Point2 p = h.filter.position();
    for (std::size_t i = 0; i < n; ++i) {
      if (candidate_owner_[i] >= 0) continue;
      const BallCandidate& c = detections.balls[i];
      if (c.score < config_.min_candidate_score) continue;
      const double dist_px = std::hypot(c.center.x - p.x, c.center.y - p.y);
      if (dist_px > config_.max_gate_px) continue;
      const double d = h.filter.mahalanobis(c.center);
      if (d > config_.gate_sigma && dist_px > config_.min_gate_px) continue;
      const double cost = d - config_.score_weight * c.score;
      if (cost < best_cost) {
        best_cost = cost;
        best = static_cast<int>(i);
      }
    }
    return best;
  };

  // The primary chooses first; then the others, most established first.
  std::vector<int>& order = order_;  // indices into hypotheses_ (scratch, no allocation per frame)
  order.clear();
  for (std::size_t i = 0; i < hypotheses_.size(); ++i) order.push_back(static_cast<int>(i));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const Hypothesis& ha = hypotheses_[static_cast<std::size_t>(a)];
    const Hypothesis& hb = hypotheses_[static_cast<std::size_t>(b)];
    const bool pa = ha.id == primary_id_;
    const bool pb = hb.id == primary_id_;
    if (pa != pb) return pa;
    return ha.consecutive_hits > hb.consecutive_hits;
  });

  for (int idx : order) {
    Hypothesis& h = hypotheses_[static_cast<std::size_t>(idx)];
    int c = best_for(h);
    if (c < 0 && h.id == primary_id_) {
      c = maneuver_candidate(h, detections);
      if (c >= 0) {
        // The motion changed: forget the old velocity and learn the new one.
        const double v2 = config_.initial_velocity_sigma_px_per_frame * config_.initial_velocity_sigma_px_per_frame;
        h.filter.x().p11 += v2;
        h.filter.y().p11 += v2;
      }
    }
    if (c < 0) {
      // Not looked at (the planner spent this frame's tiles elsewhere): no
      // evidence either way, the same as a skipped frame.
      if (!observed(h, detections)) {
        ++h.unobserved;
        continue;
      }
      h.unobserved = 0;
      h.consecutive_hits = 0;
      ++h.misses;
      continue;
    }
    h.unobserved = 0;
    candidate_owner_[static_cast<std::size_t>(c)] = idx;
    const BallCandidate& cand = detections.balls[static_cast<std::size_t>(c)];
    h.filter.correct(cand.center);
    clamp_to_frame(h.filter);
    h.last_measurement = cand.center;
    h.last_candidate = cand;
    h.matched = true;
    h.candidate = c;
    ++h.hits;
    ++h.consecutive_hits;
    h.misses = 0;
    h.score_sum += cand.score;
    h.recent_score += (1.0 - score_decay_) * cand.score;
  }
}

bool BallTracker::observed(const Hypothesis& h, const Detections& detections) {
  if (detections.looked_at.empty()) return true;
  const Point2 p = h.filter.position();
  return std::any_of(detections.looked_at.begin(), detections.looked_at.end(),
                     [&](const Box& b) { return b.contains(p); });
}

void BallTracker::spawn(const Detections& detections) {
  const std::size_t n = candidate_owner_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (candidate_owner_[i] >= 0) continue;
    const BallCandidate& c = detections.balls[i];
    if (c.score < config_.min_candidate_score) continue;
    // A second detection of an object already followed is not a new object.
    bool near_existing = false;
    for (const auto& h : hypotheses_) {
      const Point2 p = h.filter.position();
      if (std::hypot(c.center.x - p.x, c.center.y - p.y) <= config_.min_gate_px) {
        near_existing = true;
        break;
      }
    }
    if (near_existing) continue;

    Hypothesis fresh(track::KalmanCV(config_.accel_noise_px_per_frame2, config_.measurement_noise_px));
    fresh.filter.init(c.center, config_.initial_velocity_sigma_px_per_frame);
    fresh.id = next_id_++;
    fresh.hits = 1;
    fresh.consecutive_hits = 1;
    fresh.score_sum = c.score;
    fresh.recent_score = c.score;
    fresh.matched = true;
    fresh.candidate = static_cast<int>(i);
    fresh.last_measurement = c.center;
    fresh.last_candidate = c;
    fresh.first_measurement = c.center;

    if (hypotheses_.size() < static_cast<std::size_t>(config_.max_hypotheses)) {
      candidate_owner_[i] = static_cast<int>(hypotheses_.size());
      hypotheses_.push_back(fresh);
      continue;
    }
    // Full: replace the weakest non-primary hypothesis that missed this frame.
    Hypothesis* victim = nullptr;
    for (auto& h : hypotheses_) {
      if (h.id == primary_id_ || h.matched) continue;
      if (victim == nullptr || h.hits < victim->hits ||
          (h.hits == victim->hits && h.misses > victim->misses)) {
        victim = &h;
      }
    }
    if (victim != nullptr) {
      *victim = fresh;
      candidate_owner_[i] = static_cast<int>(victim - hypotheses_.data());
    }
  }
}

void BallTracker::prune() {
  const Hypothesis* p = primary();
  const Point2 pp = p != nullptr ? p->filter.position() : Point2{};
  std::erase_if(hypotheses_, [&](const Hypothesis& h) {
    if (h.id == primary_id_) return false;
    const bool confirmed = h.hits >= config_.confirm_hits;
    if (!confirmed && h.misses > config_.tentative_max_misses) return true;
    if (confirmed && h.misses > config_.max_coast_frames) return true;
    // Out of the detector's sight too long for its prediction to mean anything.
    if (h.unobserved + h.misses > config_.lost_forget_frames) return true;
    // Converged onto the primary: the same object twice.
    if (p != nullptr) {
      const Point2 q = h.filter.position();
      if (std::hypot(q.x - pp.x, q.y - pp.y) <= config_.min_gate_px * 0.5) return true;
    }
    return false;
  });
}

double BallTracker::mean_score(const Hypothesis& h) { return h.hits > 0 ? h.score_sum / h.hits : 0.0; }

bool BallTracker::is_moving(const Hypothesis& h) const {
  const Point2 v = h.filter.velocity();
  return std::hypot(v.x, v.y) >= config_.moving_speed_px_per_frame;
}

bool BallTracker::long_away_from_play(const Hypothesis& h) const {
  return config_.far_from_play_frames > 0 && h.far_from_play >= config_.far_from_play_frames;
}

bool BallTracker::is_static(const Hypothesis& h) const {
  const Point2 a = h.first_measurement;
  const Point2 b = h.last_measurement;
  return std::hypot(b.x - a.x, b.y - a.y) <= config_.min_gate_px && !is_moving(h);
}

double BallTracker::rank(const Hypothesis& h) const {
  return mean_score(h) + (is_moving(h) ? config_.moving_preference : 0.0) +
         (h.near_play ? config_.play_preference : 0.0) + 1e-3 * h.consecutive_hits;
}

void BallTracker::count_coexistence(const Detections& detections) {
  const Hypothesis* p = primary();
  if (p == nullptr || !p->matched ||
      detections.balls[static_cast<std::size_t>(p->candidate)].score < config_.coexist_min_score)
    return;
  for (auto& h : hypotheses_) {
    if (h.id != p->id && h.matched) ++h.coexisted;
  }
}

void BallTracker::update_play_context(const Detections& detections) {
  if (std::none_of(detections.players.begin(), detections.players.end(),
                   [&](const PlayerDetection& pl) { return pl.score >= config_.player_min_score; }))
    return;  // no play context this frame: leave the counters as they are
  for (auto& h : hypotheses_) {
    if (!h.matched) continue;
    const Point2 b = h.last_measurement;
    bool near = false;
    for (const auto& pl : detections.players) {
      if (pl.score < config_.player_min_score) continue;
      const double reach = config_.play_radius_player_heights * pl.box.h;
      const double dx = b.x - pl.box.cx();
      const double dy = b.y - (pl.box.y + pl.box.h);  // the feet
      if (dx * dx + dy * dy <= reach * reach) {
        near = true;
        break;
      }
    }
    h.near_play = near;
    h.far_from_play = near ? 0 : h.far_from_play + 1;
  }
}

const BallTracker::Hypothesis* BallTracker::play_challenger(const Hypothesis& p) const {
  if (!long_away_from_play(p)) return nullptr;
  const Hypothesis* best = nullptr;
  for (const auto& h : hypotheses_) {
    if (h.id == p.id || !h.near_play || !h.matched || !is_moving(h)) continue;
    if (h.consecutive_hits < config_.switch_confirm_frames || mean_score(h) < config_.challenger_min_score) continue;
    if (best == nullptr || rank(h) > rank(*best)) best = &h;
  }
  return best;
}

// A detection score that makes a still object or a newcomer believable as the ball.
constexpr double kConfidentScore = 0.75;
// ...and the recent score a still object needs to take over from a weak primary.
constexpr double kStillChallengerScore = 0.6;

const BallTracker::Hypothesis* BallTracker::strong_challenger(const Hypothesis& p) const {
  if (!(p.recent_score < config_.weak_primary_score)) return nullptr;
  const Hypothesis* best = nullptr;
  for (const auto& h : hypotheses_) {
    if (h.id == p.id || !h.matched || h.consecutive_hits < config_.switch_confirm_frames) continue;
    if (h.recent_score < std::max(config_.weak_primary_score, 2.0 * p.recent_score)) continue;
    // A still object must be well detected (a placed ball), or it is a
    // painted spot or a head.
    if (is_static(h) && h.recent_score < kStillChallengerScore) continue;
    if (h.coexisted >= config_.switch_confirm_frames || long_away_from_play(h)) continue;
    if (best == nullptr || rank(h) > rank(*best)) best = &h;
  }
  return best;
}

void BallTracker::choose_primary() {
  Hypothesis* p = primary();
  if (p != nullptr && p->misses > config_.max_coast_frames) {
    last_position_ = p->filter.position();
    const std::int64_t dropped = p->id;
    primary_id_ = -1;
    std::erase_if(hypotheses_, [dropped](const Hypothesis& h) { return h.id == dropped; });
    p = nullptr;
    frames_lost_ = 0;
  }

  const int needed = p == nullptr ? config_.confirm_hits : config_.switch_confirm_frames;
  if (p != nullptr && p->misses < config_.switch_after_misses) {
    // Still detected, but away from the play for long while a confident
    // moving ball is among the players: the primary is a spare ball.
    if (const Hypothesis* c = play_challenger(*p)) {
      primary_id_ = c->id;
    } else if (const Hypothesis* strong = strong_challenger(*p)) {
      // Kept alive only by weak detections while a confident ball is seen
      // elsewhere: the primary is a sock or a boot, the ball is over there.
      primary_id_ = strong->id;
    }
    return;
  }

  // A static challenger normally needs static_confirm_hits (painted spots,
  // heads). But when a well-detected object sits still where none was seen
  // beside the ball we followed (coexisted 0) — a restart: the ball placed
  // for a free kick, a throw-in, a goal kick, also after the ball left the
  // picture or before anything was tracked — waiting a second costs the
  // framing: then the usual confirmation suffices. The recent score is what
  // counts, so one faint first hit does not cost the restart a second.
  const Hypothesis* best = nullptr;
  for (const auto& h : hypotheses_) {
    if (h.id == primary_id_) continue;
    const bool waive_static =
        mean_score(h) >= kConfidentScore || (h.coexisted == 0 && h.recent_score >= kStillChallengerScore);
    // A confident newcomer while the primary coasts (the ball back in the
    // picture, reappearing from behind a player, or placed still for a
    // restart) needs only the first confirmation: the coasting estimate is a
    // guess that drifts further every frame.
    const bool confident_newcomer = p != nullptr && h.coexisted == 0 && h.recent_score >= kConfidentScore;
    const int usual = confident_newcomer ? std::min(needed, config_.confirm_hits) : needed;
    const bool long_static_wait = is_static(h) && !waive_static;
    if (h.consecutive_hits < (long_static_wait ? std::max(needed, config_.static_confirm_hits) : usual)) continue;
    // Play context: a ball away from the players does not take over from a
    // coasting primary that was among them (unless it is a confident
    // newcomer: the ball placed for a corner or a throw-in stands away from
    // the players), and one that has been away from them for long is not
    // taken at all (the camera falls back on the play).
    if (p != nullptr && p->near_play && !h.near_play && !confident_newcomer) continue;
    // Seen beside the primary all along: another object, not where the
    // coasting ball went.
    if (p != nullptr && h.coexisted >= config_.switch_confirm_frames) continue;
    if (long_away_from_play(h)) continue;
    if (best == nullptr || rank(h) > rank(*best)) best = &h;
  }
  if (best != nullptr) {
    primary_id_ = best->id;
    ever_tracked_ = true;
  }
}

std::optional<Point2> BallTracker::play_centre(const Detections& detections) const {
  double sx = 0.0;
  double sy = 0.0;
  int n = 0;
  for (const auto& pl : detections.players) {
    if (pl.score < config_.player_min_score) continue;
    sx += pl.box.cx();
    sy += pl.box.cy();
    ++n;
  }
  if (n == 0) return std::nullopt;
  return Point2{sx / n, sy / n};
}

TrackState BallTracker::update(const Detections& detections) {
  predict_all();
  if (detections.detector_ran) {
    associate(detections);
    spawn(detections);
    count_coexistence(detections);
    update_play_context(detections);
    choose_primary();
    prune();
  }  // else: a skipped frame is a prediction step, not a miss

  TrackState out;
  out.frame_index = detections.frame_index;
  out.pts_us = detections.pts_us;
  out.play_centre = play_centre(detections);

  const Hypothesis* p = primary();
  if (p != nullptr) {
    mode_ = p->matched ? TrackMode::kTracking : TrackMode::kCoasting;
    frames_lost_ = 0;
    last_position_ = p->filter.position();
    out.has_estimate = true;
    out.position = p->filter.position();
    out.velocity_px_per_frame = p->filter.velocity();
    out.uncertainty_px = p->filter.position_sigma();
    if (p->matched) out.measurement = detections.balls[static_cast<std::size_t>(p->candidate)];
  } else if (ever_tracked_) {
    ++frames_lost_;
    if (frames_lost_ > config_.lost_forget_frames) {
      ever_tracked_ = false;
      mode_ = TrackMode::kSearching;
    } else {
      mode_ = TrackMode::kLost;
    }
    out.position = last_position_;  // informative only: has_estimate stays false
  } else {
    mode_ = TrackMode::kSearching;
  }
  out.mode = mode_;
  return out;
}

void BallTracker::hypotheses(std::vector<HypothesisView>& out) const {
  out.clear();
  for (const auto& h : hypotheses_) {
    HypothesisView v;
    v.id = h.id;
    v.position = h.filter.position();
    v.velocity_px_per_frame = h.filter.velocity();
    v.uncertainty_px = h.filter.position_sigma();
    if (h.matched) v.measurement = h.last_candidate;
    out.push_back(v);
  }
}

void BallTracker::watch_points(std::vector<Point2>& out, int max) const {
  out.clear();
  std::vector<const Hypothesis*>& others = watch_order_;  // scratch, no allocation per frame
  others.clear();
  for (const auto& h : hypotheses_)
    if (h.id != primary_id_) others.push_back(&h);
  std::sort(others.begin(), others.end(), [](const Hypothesis* a, const Hypothesis* b) {
    return a->recent_score != b->recent_score ? a->recent_score > b->recent_score : a->id < b->id;
  });
  for (const Hypothesis* h : others) {
    if (static_cast<int>(out.size()) >= max) break;
    const Point2 pos = h->filter.position();
    const Point2 vel = h->filter.velocity();
    out.push_back({std::clamp(pos.x + vel.x, 0.0, static_cast<double>(width_px_)),
                   std::clamp(pos.y + vel.y, 0.0, static_cast<double>(height_px_))});
  }
}

std::int64_t BallTracker::primary_id() const {
  const Hypothesis* p = primary();
  return p != nullptr ? p->id : -1;
}

std::optional<Point2> BallTracker::predict(int frames_ahead) const {
  const Hypothesis* p = primary();
  if (p == nullptr) return std::nullopt;
  const Point2 pos = p->filter.position();
  const Point2 vel = p->filter.velocity();
  const double n = std::max(0, frames_ahead);
  return Point2{std::clamp(pos.x + vel.x * n, 0.0, static_cast<double>(width_px_)),
                std::clamp(pos.y + vel.y * n, 0.0, static_cast<double>(height_px_))};
}

double BallTracker::search_radius_px() const {
  const Hypothesis* p = primary();
  if (p == nullptr) return 0.0;
  // The gate next frame: one more prediction step's worth of uncertainty.
  Hypothesis next = *p;
  next.filter.predict();
  return gate_radius_px(next);
}

}  // namespace ballcam
