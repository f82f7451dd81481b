#include "track/hindsight.hpp"

#include <algorithm>
#include <cmath>

namespace ballcam::track {

Hindsight::Hindsight(int lag_frames, double max_speed_px_per_frame)
    : lag_(std::max(0, lag_frames)), max_speed_(max_speed_px_per_frame) {}

std::optional<TrackState> Hindsight::push(const TrackState& state, std::int64_t primary_id,
                                          std::span<const BallTracker::HypothesisView> hypotheses) {
  if (lag_ == 0) return state;  // nothing later to decide with: the tracker's state is final
  Held held;
  held.state = state;
  held.primary_id = primary_id;
  held.entries.reserve(hypotheses.size());
  std::vector<LastMatch> next_last_match;
  next_last_match.reserve(hypotheses.size());
  for (const auto& view : hypotheses) {
    Entry e{view, std::nullopt, {}};
    const auto it = std::find_if(last_match_.begin(), last_match_.end(),
                                 [&](const LastMatch& m) { return m.id == view.id; });
    if (it != last_match_.end()) {
      e.prev_match_frame = it->frame;
      e.prev_match_position = it->position;
    }
    if (view.measurement) next_last_match.push_back({view.id, state.frame_index, view.position});
    else if (it != last_match_.end()) next_last_match.push_back(*it);
    held.entries.push_back(e);
  }
  last_match_ = std::move(next_last_match);  // hypotheses the tracker dropped are gone
  window_.push_back(std::move(held));
  if (static_cast<int>(window_.size()) <= lag_) return std::nullopt;
  return drain();
}

std::optional<TrackState> Hindsight::drain() {
  if (window_.empty()) return std::nullopt;
  TrackState out = decide_oldest();
  window_.pop_front();
  return out;
}

namespace {

Point2 lerp(Point2 a, Point2 c, double t) { return {a.x + (c.x - a.x) * t, a.y + (c.y - a.y) * t}; }

}  // namespace

const Hindsight::Entry* Hindsight::entry_of(const Held& held, std::int64_t id) {
  for (const Entry& e : held.entries)
    if (e.view.id == id) return &e;
  return nullptr;
}

// Moves `out` onto the straight line from the last sighting (frame a,
// position pa) to a later one (frame c, position pc).
void Hindsight::interpolate(TrackState& out, std::int64_t a, Point2 pa, std::int64_t c, Point2 pc) {
  const double span = static_cast<double>(c - a);
  if (span <= 0.0) return;
  out.position = lerp(pa, pc, static_cast<double>(out.frame_index - a) / span);
  out.velocity_px_per_frame = {(pc.x - pa.x) / span, (pc.y - pa.y) / span};
}

TrackState Hindsight::decide_oldest() const {
  const Held& oldest = window_.front();
  TrackState out = oldest.state;
  std::int64_t followed = -1;
  for (auto it = window_.rbegin(); it != window_.rend() && followed < 0; ++it) followed = it->primary_id;
  if (followed < 0) return out;
  const Entry* e = entry_of(oldest, followed);
  if (e == nullptr) return bridge_to_newcomer(followed, out);

  out.has_estimate = true;
  out.position = e->view.position;
  out.velocity_px_per_frame = e->view.velocity_px_per_frame;
  out.uncertainty_px = e->view.uncertainty_px;
  out.measurement = e->view.measurement;
  out.mode = e->view.measurement ? TrackMode::kTracking : TrackMode::kCoasting;
  if (e->view.measurement || !e->prev_match_frame) return out;

  // Undetected here: between its last detection and its next one, if the
  // window holds that.
  for (std::size_t i = 1; i < window_.size(); ++i) {
    const Entry* later = entry_of(window_[i], followed);
    if (later == nullptr) break;  // dropped by the tracker: no later sighting of this object
    if (!later->view.measurement) continue;
    interpolate(out, *e->prev_match_frame, e->prev_match_position, window_[i].state.frame_index, later->view.position);
    out.uncertainty_px = std::min(e->view.uncertainty_px, later->view.uncertainty_px);
    break;
  }
  return out;
}

// The followed object appeared after this frame. Where the tracker only
// coasted here (the ball undetected since its last sighting) and the
// newcomer was first seen soon after that sighting, the ball went from one
// to the other in between: a shot nobody detected, a ball lost behind a
// player and found a little further on. A longer gap (the ball out of play,
// then placed for the restart) says nothing about the way between.
TrackState Hindsight::bridge_to_newcomer(std::int64_t followed, TrackState out) const {
  const Held& oldest = window_.front();
  if (!out.has_estimate || out.measurement) return out;  // nothing to anchor to, or detected here: it stands
  const Entry* coasting = entry_of(oldest, oldest.primary_id);
  if (coasting == nullptr || !coasting->prev_match_frame) return out;
  for (std::size_t i = 1; i < window_.size(); ++i) {
    const Entry* first = entry_of(window_[i], followed);
    if (first == nullptr) continue;
    const std::int64_t a = *coasting->prev_match_frame, c = window_[i].state.frame_index;
    const double distance = std::hypot(first->view.position.x - coasting->prev_match_position.x,
                                       first->view.position.y - coasting->prev_match_position.y);
    if (c - a <= 2 * static_cast<std::int64_t>(lag_) && distance <= max_speed_ * static_cast<double>(c - a)) {
      interpolate(out, a, coasting->prev_match_position, c, first->view.position);
      out.uncertainty_px = std::min(out.uncertainty_px, first->view.uncertainty_px);
    }
    break;
  }
  return out;
}

}  // namespace ballcam::track
