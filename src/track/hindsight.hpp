// Fixed-lag hindsight over the ball tracker's states.
//
// The tracker decides causally, and some of its decisions are late by
// nature: it takes `confirm_hits` (or `switch_confirm_frames`) frames to
// trust a ball placed for a restart at a new spot, and a ball it finds again
// after a shot or behind a player was somewhere between its two sightings
// all along. A camera operator who sees half a second ahead makes neither
// mistake. With a lag of N frames the state of frame t leaves here once the
// tracker has seen frame t + N, decided again:
//
//  - The object followed is the one the tracker follows at the newest frame
//    held (or the newest that followed one), if that hypothesis existed at
//    frame t; otherwise the tracker's own state for t stands.
//  - Where that hypothesis went undetected at t between a detection before t
//    and one within the window, its position is interpolated linearly
//    between the two (a constant-velocity coast overshoots a ball that
//    stopped, and stays behind a ball that was kicked).
//  - Where it appeared only after t while the tracker coasted at t, and its
//    first sighting came soon (2 N frames at most) after the coasted
//    object's last one and no faster than a ball flies, the ball went from
//    one to the other: t is interpolated between them (a shot nobody
//    detected).
//
// The output is N frames behind the input; N = 0 passes states through.
// Pure: no I/O, no threads, no clocks.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "core/geometry.hpp"
#include "track/ball_tracker.hpp"

namespace ballcam::track {

class Hindsight {
 public:
  // max_speed_px_per_frame: no ball flies faster (the tracker's velocity
  // clamp); a newcomer further than that from the last sighting was not
  // reached by the ball in between.
  Hindsight(int lag_frames, double max_speed_px_per_frame);

  // The tracker's state for the next frame (frames in order) and its
  // hypotheses after that update. Returns the final state of the frame
  // lag_frames() back, once there is one.
  std::optional<TrackState> push(const TrackState& state, std::int64_t primary_id,
                                 std::span<const BallTracker::HypothesisView> hypotheses);

  // At the end of the stream (or before a reset): the oldest state still
  // held, decided with everything seen; empty once none is left.
  std::optional<TrackState> drain();

  int lag_frames() const { return lag_; }
  std::size_t held() const { return window_.size(); }

 private:
  struct Entry {
    BallTracker::HypothesisView view;
    // Its last detection before this frame, if it had one.
    std::optional<std::int64_t> prev_match_frame;
    Point2 prev_match_position;
  };
  struct Held {
    TrackState state;
    std::int64_t primary_id = -1;
    std::vector<Entry> entries;
  };
  struct LastMatch {
    std::int64_t id = 0;
    std::int64_t frame = 0;
    Point2 position;
  };

  TrackState decide_oldest() const;
  TrackState bridge_to_newcomer(std::int64_t followed, TrackState out) const;
  static const Entry* entry_of(const Held& held, std::int64_t id);
  static void interpolate(TrackState& out, std::int64_t a, Point2 pa, std::int64_t c, Point2 pc);

  int lag_;
  double max_speed_;
  std::deque<Held> window_;
  std::vector<LastMatch> last_match_;  // per live hypothesis id
};

}  // namespace ballcam::track
