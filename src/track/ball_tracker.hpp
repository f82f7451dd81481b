// Ball tracker: detections in, one ball state per frame out.
//
// A constant-velocity Kalman filter per hypothesis and a small state machine:
//
//   searching ──(a hypothesis confirmed `confirm_hits` frames in a row)──▶ tracking
//   tracking  ──(no gated detection)──▶ coasting ──(detection)──▶ tracking
//   coasting  ──(more than `max_coast_frames` misses)──▶ lost
//   lost      ──(a hypothesis confirmed)──▶ tracking
//   lost      ──(`lost_forget_frames` frames)──▶ searching
//
// Besides the tracked ("primary") hypothesis the tracker keeps a few others
// alive, one per unexplained candidate. They are how distractors (a penalty
// spot, a head, a second ball by the touchline) are told apart from the ball:
// the primary takes its detection first, by gated distance and score, and
// only when it has gone unsupported for `switch_after_misses` frames while
// another hypothesis has been confirmed for `switch_confirm_frames` frames in
// a row does the tracker switch to that one. A hypothesis that was detected
// alongside a well-supported primary for that long is another object, not
// the ball reappearing: it may take over only once the primary is lost.
// Two shortcuts: a confidently detected newcomer (never seen beside the
// primary) takes over a coasting primary after `confirm_hits`; and a primary
// that lives on weak detections (`weak_primary_score`: a sock near where the
// ball was) yields, even while matched, to such a newcomer scoring at least
// twice as well (the ball placed for a restart at a new spot).
//
// Play context: when the detector reports players, a hypothesis that stays
// far from every player is unlikely to be the match ball (a spare ball by
// the touchline, a painted spot). A hypothesis near a player ranks higher
// when a new primary is chosen, and a primary that has been far from play
// for `far_from_play_frames` gives way to a confident, moving hypothesis
// that is near play, even while it is still detected.
//
// Pure: no I/O, no threads, no clocks; the same input replays to the same
// output (see tests/data/golden/).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/geometry.hpp"
#include "core/status.hpp"
#include "track/kalman_cv.hpp"

namespace ballcam {

// Pixel values are source-frame pixels and frame counts are frames; the
// defaults suit a 1920-px-wide wide-angle view at 25 fps. Use
// TrackerConfig::scaled_for() to adapt them to another size or rate.
struct TrackerConfig {
  // --- motion model ---
  double accel_noise_px_per_frame2 = 0.8;        // 1-sigma white acceleration (process noise)
  double measurement_noise_px = 2.0;             // 1-sigma detector position noise
  double initial_velocity_sigma_px_per_frame = 15.0;  // velocity uncertainty of a new hypothesis
  double max_speed_px_per_frame = 60.0;          // velocity clamp (~a 40 m/s shot on a wide view)
  double coast_velocity_decay = 0.98;            // velocity factor per coasted frame (drag, bounces)

  // --- gating and association ---
  double gate_sigma = 4.0;             // Mahalanobis gate (innovation sigmas)
  double min_gate_px = 12.0;           // always accept within this pixel distance
  double max_gate_px = 200.0;          // never accept beyond this pixel distance
  double min_candidate_score = 0.25;   // ignore weaker detections
  int max_candidates = 8;              // look at the best N detections per frame
  double score_weight = 1.0;           // association cost = distance(sigmas) - score_weight * score
  // Kicks, stops and deflections break the constant-velocity model in one
  // frame. When nothing falls in the gate, the tracked hypothesis may still
  // take the nearest detection within this distance of its prediction or of
  // its last measurement; its velocity is then re-learned (velocity
  // variance reset to initial_velocity_sigma). 0 disables.
  double maneuver_gate_px = 60.0;
  double maneuver_min_score = 0.4;     // ...if the detection is at least this confident

  // --- state machine ---
  int confirm_hits = 3;                // consecutive hits that make a hypothesis the ball
  // ...or this many for a hypothesis that has not moved (by more than
  // min_gate_px since it appeared): painted spots, flags and heads are
  // static far more often than the ball is, and a still ball costs little
  // to acquire a second late (the camera frames the play meanwhile).
  // Waived for a still object detected well (recent score >= 0.6) that was
  // not seen beside the followed ball: a ball placed for a restart.
  int static_confirm_hits = 25;
  int max_coast_frames = 12;           // misses before tracking becomes lost (~0.5 s)
  int lost_forget_frames = 50;         // frames in `lost` before falling back to `searching` (~2 s)

  // --- distractor handling ---
  int max_hypotheses = 4;              // primary included
  int tentative_max_misses = 2;        // an unconfirmed hypothesis dies after this many misses
  int switch_after_misses = 2;         // the primary must be unsupported this long...
  int switch_confirm_frames = 5;       // ...while another hits this many frames in a row
  // A hypothesis detected beside the primary for switch_confirm_frames frames
  // (counted while the primary's own detection scores at least this) is
  // another object: it takes over only once the primary is lost.
  double coexist_min_score = 0.75;
  double moving_preference = 0.15;     // score bonus, when choosing a new primary, for a moving hypothesis
  double moving_speed_px_per_frame = 1.0;  // what counts as moving

  // --- play context (only when the detector reports players) ---
  double player_min_score = 0.3;       // players below this score are left out of play_centre
  // A hypothesis is near play when a player's feet (box bottom centre) are
  // within this many player heights of it.
  double play_radius_player_heights = 3.0;
  double play_preference = 0.2;        // rank bonus, when choosing a primary, for a hypothesis near play
  // A primary matched this many frames in a row far from every player yields
  // to a confirmed, moving, confident hypothesis near play. 0 disables.
  int far_from_play_frames = 75;
  double challenger_min_score = 0.75;  // mean detection score such a challenger needs
  // A primary whose recent detections score below this (an average over
  // about the last 3 frames, misses counting 0: it lives on weak sock or
  // boot detections) yields to a hypothesis confirmed for
  // switch_confirm_frames whose recent score is at least this and twice the
  // primary's (and at least 0.6 if it stands still), and that was not seen beside a
  // confident primary all along (the ball placed for a restart elsewhere,
  // the ball coming out from behind a player). 0 disables.
  double weak_primary_score = 0.5;

  // --- hindsight (track/hindsight.hpp) ---
  // Frames of hindsight: the state of frame t is decided again once frame
  // t + N has been seen (the ball the tracker switched to was already there;
  // a ball it found again after a gap moved between its two sightings), and
  // the camera frames it with that knowledge. The output is N frames later.
  // -1 = automatic: 18 (0.72 s) for files, 0 for live inputs, which keep
  // their latency. 0 = off.
  int hindsight_frames = -1;
  static constexpr int kAutoHindsightFrames = 18;

  // Copy of this config with pixel fields scaled by frame_width_px / 1920 and
  // frame counts / per-frame rates scaled from 25 fps to `fps`.
  TrackerConfig scaled_for(int frame_width_px, double fps) const;

  // kInvalidArgument naming the first field out of range (for config files).
  Status validate() const;
};

class BallTracker {
 public:
  BallTracker(TrackerConfig config, int frame_width_px, int frame_height_px, double fps);

  // Consumes one frame's detections (frames in order) and returns the ball state.
  TrackState update(const Detections& detections);

  // Predicted ball centre `frames_ahead` frames after the last update (0 = the
  // current estimate), clamped to the frame. Empty when no ball is tracked
  // (searching or lost): the detector should then search the whole frame.
  std::optional<Point2> predict(int frames_ahead) const;

  // Radius (px) around predict(1) within which a detection would be accepted
  // next frame; 0 when there is no prediction.
  double search_radius_px() const;

  // Up to `max` hypotheses other than the followed one that are worth a look
  // next frame (a ball a scan just found, a challenger to a doubtful
  // primary), most promising first (recent detection score), as predicted
  // one frame ahead, into `out` (cleared first). A detector that looks at
  // part of the frame only gives each a look so that it can be confirmed or
  // dropped; otherwise one sighting in a scan could never become a track.
  void watch_points(std::vector<Point2>& out, int max) const;

  // Forget everything (e.g. after a cut or a seek).
  void reset();

  // One hypothesis as the last update() left it (for track::Hindsight).
  struct HypothesisView {
    std::int64_t id = 0;
    Point2 position;
    Point2 velocity_px_per_frame;
    double uncertainty_px = 0.0;
    std::optional<BallCandidate> measurement;  // its detection this frame, if any
  };
  // The hypotheses after the last update(), into `out` (cleared first).
  void hypotheses(std::vector<HypothesisView>& out) const;
  // Id of the followed hypothesis among them; -1 when none is followed.
  std::int64_t primary_id() const;

  const TrackerConfig& config() const { return config_; }
  double fps() const { return fps_; }
  TrackMode mode() const { return mode_; }

 private:
  struct Hypothesis {
    explicit Hypothesis(track::KalmanCV f) : filter(f) {}
    track::KalmanCV filter;
    std::int64_t id = 0;
    int hits = 0;              // total frames with a detection
    int consecutive_hits = 0;
    int misses = 0;            // consecutive frames without a detection
    int unobserved = 0;        // consecutive frames the detector did not look where it is
    double score_sum = 0.0;
    bool matched = false;      // got a detection this frame
    int candidate = -1;        // index of that detection in Detections::balls
    Point2 last_measurement;
    BallCandidate last_candidate;  // the detection behind last_measurement
    Point2 first_measurement;
    bool near_play = false;    // at its last measurement, a player was near
    int far_from_play = 0;     // consecutive measured frames with players reported but none near
    int coexisted = 0;         // frames it and the primary were both detected (a different object)
    double recent_score = 0.0; // exponential average of its detection scores, 0 for a miss
  };

  Hypothesis* primary();
  const Hypothesis* primary() const;
  void predict_all();
  void associate(const Detections& detections);
  static bool observed(const Hypothesis& h, const Detections& detections);
  void spawn(const Detections& detections);
  void prune();
  void choose_primary();
  void clamp_to_frame(track::KalmanCV& filter) const;
  double gate_radius_px(const Hypothesis& h) const;
  int maneuver_candidate(const Hypothesis& h, const Detections& detections) const;
  double rank(const Hypothesis& h) const;
  static double mean_score(const Hypothesis& h);
  bool is_moving(const Hypothesis& h) const;
  bool is_static(const Hypothesis& h) const;
  bool long_away_from_play(const Hypothesis& h) const;
  void count_coexistence(const Detections& detections);
  void update_play_context(const Detections& detections);
  const Hypothesis* play_challenger(const Hypothesis& p) const;
  const Hypothesis* strong_challenger(const Hypothesis& p) const;
  std::optional<Point2> play_centre(const Detections& detections) const;

  TrackerConfig config_;
  int width_px_;
  int height_px_;
  double fps_;
  double score_decay_;  // per frame, for Hypothesis::recent_score

  std::vector<Hypothesis> hypotheses_;
  std::vector<int> candidate_owner_;  // per detection: hypothesis index or -1 (scratch)
  std::vector<int> order_;            // association order (scratch)
  mutable std::vector<const Hypothesis*> watch_order_;  // scratch of watch_points()
  std::int64_t primary_id_ = -1;
  std::int64_t next_id_ = 0;
  TrackMode mode_ = TrackMode::kSearching;
  bool ever_tracked_ = false;
  int frames_lost_ = 0;
  Point2 last_position_;
};

}  // namespace ballcam
