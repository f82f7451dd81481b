// Tracker and camera options: every field of TrackerConfig and CameraConfig
// is a YAML key (tracker.*, camera.*). Meanings and units live next to the
// fields in track/ball_tracker.hpp and camera/virtual_camera.hpp; the help
// strings here repeat them for `ballcam options` and docs/CONFIG.md.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "app/options.hpp"

namespace ballcam::app {

namespace {

using pipeline::PipelineConfig;

template <typename Config, typename T>
OptionSpec member_option(std::string key, std::string help, Config PipelineConfig::*section, T Config::*field,
                         double lo, double hi) {
  OptionSpec s{std::move(key), "", std::move(help), {}, {}, {}};
  s.set = [section, field, lo, hi, k = s.key](PipelineConfig& c, const std::string& v) -> Status {
    char* end = nullptr;
    const double parsed = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(parsed)) {
      return error(ErrorCode::kInvalidArgument, fmt::format("invalid value '{}' for {}: expected a number", v, k));
    }
    if constexpr (std::is_integral_v<T>) {
      if (parsed != std::floor(parsed)) {
        return error(ErrorCode::kInvalidArgument, fmt::format("invalid value '{}' for {}: expected an integer", v, k));
      }
    }
    if (parsed < lo || parsed > hi) {
      return error(ErrorCode::kInvalidArgument,
                   fmt::format("invalid value '{}' for {}: must be between {} and {}", v, k, lo, hi));
    }
    (c.*section).*field = static_cast<T>(parsed);
    return Status::Ok();
  };
  s.get = [section, field](const PipelineConfig& c) { return fmt::format("{}", (c.*section).*field); };
  return s;
}

}  // namespace

void add_tracker_camera_options(std::vector<OptionSpec>& o) {
  using T = TrackerConfig;
  auto tr = [&](const char* name, auto field, const char* help, double lo, double hi) {
    o.push_back(member_option(std::string("tracker.") + name, help, &PipelineConfig::tracker, field, lo, hi));
  };
  tr("accel_noise_px_per_frame2", &T::accel_noise_px_per_frame2, "Process noise: 1-sigma white acceleration, px/frame²", 0.01, 100);
  tr("measurement_noise_px", &T::measurement_noise_px, "1-sigma detector position noise, px", 0.01, 100);
  tr("initial_velocity_sigma_px_per_frame", &T::initial_velocity_sigma_px_per_frame, "Velocity uncertainty of a new hypothesis, px/frame", 0.1, 500);
  tr("max_speed_px_per_frame", &T::max_speed_px_per_frame, "Velocity clamp, px/frame", 1, 1000);
  tr("coast_velocity_decay", &T::coast_velocity_decay, "Velocity factor per coasted frame", 0, 1);
  tr("gate_sigma", &T::gate_sigma, "Association gate in innovation sigmas", 0.5, 50);
  tr("min_gate_px", &T::min_gate_px, "Always accept a detection this close to the prediction, px", 0, 1000);
  tr("max_gate_px", &T::max_gate_px, "Never accept a detection further than this, px", 1, 5000);
  tr("maneuver_gate_px", &T::maneuver_gate_px, "Wider gate for kicks and sudden stops, px", 0, 5000);
  tr("maneuver_min_score", &T::maneuver_min_score, "...used only for detections at least this confident", 0, 1);
  tr("min_candidate_score", &T::min_candidate_score, "Ignore detections scoring below this", 0, 1);
  tr("max_candidates", &T::max_candidates, "Detections considered per frame", 1, 100);
  tr("score_weight", &T::score_weight, "Association cost = distance (sigmas) - score_weight x score", 0, 100);
  tr("confirm_hits", &T::confirm_hits, "Consecutive hits that make a hypothesis the ball", 1, 100);
  tr("static_confirm_hits", &T::static_confirm_hits, "Hits needed to confirm a candidate that has not moved, unless it is detected well (recent score >= 0.6) and was never seen beside the followed ball", 1, 10000);
  tr("max_coast_frames", &T::max_coast_frames, "Frames predicted without detection before the ball is lost", 0, 10000);
  tr("lost_forget_frames", &T::lost_forget_frames, "Frames lost before searching afresh", 0, 100000);
  tr("max_hypotheses", &T::max_hypotheses, "Competing ball hypotheses kept (distractors)", 1, 32);
  tr("tentative_max_misses", &T::tentative_max_misses, "Misses that kill an unconfirmed hypothesis", 0, 100);
  tr("switch_after_misses", &T::switch_after_misses, "Misses of the primary before another hypothesis may take over", 1, 1000);
  tr("switch_confirm_frames", &T::switch_confirm_frames, "Consecutive hits the challenger needs to take over", 1, 1000);
  tr("coexist_min_score", &T::coexist_min_score, "A candidate seen beside the ball (detected at least this well) for switch_confirm_frames is another object", 0, 1);
  tr("moving_preference", &T::moving_preference, "Score bonus for a moving hypothesis when choosing the ball", 0, 10);
  tr("moving_speed_px_per_frame", &T::moving_speed_px_per_frame, "Speed above which a hypothesis counts as moving, px/frame", 0, 100);
  tr("player_min_score", &T::player_min_score, "Players below this score are left out of the play centre", 0, 1);
  tr("play_radius_player_heights", &T::play_radius_player_heights, "A ball within this many player heights of a player's feet is near play", 0, 100);
  tr("play_preference", &T::play_preference, "Score bonus for a hypothesis near play when choosing the ball", 0, 10);
  tr("far_from_play_frames", &T::far_from_play_frames, "Frames far from every player after which the tracked ball yields to a moving ball near play (0 = never)", 0, 100000);
  tr("challenger_min_score", &T::challenger_min_score, "Mean detection score such a challenger needs", 0, 1);
  tr("weak_primary_score", &T::weak_primary_score, "The tracked ball yields to a confident ball elsewhere while its own recent detection score is below this (0 = never)", 0, 1);
  tr("hindsight_frames", &T::hindsight_frames,
     "Frames of hindsight (at 25 fps; scaled with the frame rate): each frame's ball is decided again once this many later frames were seen, and the output is that much later (-1 = 18 for files, 0 for live inputs; 0 = off)",
     -1, 1000);
  o.back().flag = "hindsight";

  using C = CameraConfig;
  auto cam = [&](const char* name, auto field, const char* help, double lo, double hi) {
    o.push_back(member_option(std::string("camera.") + name, help, &PipelineConfig::camera, field, lo, hi));
  };
  cam("min_crop_width_px", &C::min_crop_width_px, "Tightest crop width, source px (0 = half the widest crop that fits)", 0, 16384);
  cam("max_crop_width_px", &C::max_crop_width_px, "Widest crop width, source px (0 = the widest that fits)", 0, 16384);
  cam("smoothing_time_s", &C::smoothing_time_s, "Pan spring time constant, s (larger = lazier)", 0.01, 10);
  cam("max_pan_speed_frac_per_s", &C::max_pan_speed_frac_per_s, "Pan speed limit, source widths per second", 0.01, 20);
  cam("max_pan_accel_frac_per_s2", &C::max_pan_accel_frac_per_s2, "Pan acceleration limit, source widths per second²", 0.01, 100);
  cam("dead_zone_frac", &C::dead_zone_frac, "Dead zone: the ball moves freely inside this fraction of the crop", 0, 0.45);
  cam("recentre_frac", &C::recentre_frac, "A pan ends this close to its aim, fraction of the crop", 0, 0.45);
  cam("look_ahead_frames", &C::look_ahead_frames, "Aim ahead of the ball by this many frames of its velocity", 0, 250);
  cam("max_look_ahead_frac", &C::max_look_ahead_frac, "Look-ahead cap, fraction of the crop", 0, 0.5);
  cam("zoom_smoothing_time_s", &C::zoom_smoothing_time_s, "Zoom spring time constant, s", 0.01, 20);
  cam("max_zoom_rate_frac_per_s", &C::max_zoom_rate_frac_per_s, "Zoom speed limit, fraction of the widest crop per second", 0.01, 10);
  cam("zoom_dead_band_frac", &C::zoom_dead_band_frac, "Tighten only for a width change above this fraction", 0, 1);
  cam("tighten_delay_s", &C::tighten_delay_s, "A tighter framing must be wanted this long before zooming in, s", 0, 60);
  cam("speed_widen_s", &C::speed_widen_s, "Extra crop width = ball speed (px/s) x this", 0, 10);
  cam("settled_speed_px_per_s", &C::settled_speed_px_per_s, "A ball slower than this (px/s) counts as settled: no widening", 0, 100000);
  cam("settled_uncertainty_px", &C::settled_uncertainty_px, "A tracker 1-sigma below this (px) does not widen", 0, 10000);
  cam("coasting_widen_after_s", &C::coasting_widen_after_s, "Widen for coasting only once it has lasted this long, s", 0, 60);
  cam("widen_dead_band_frac", &C::widen_dead_band_frac, "Widen only for a wish this much above the current target", 0, 1);
  cam("coasting_widen_frac", &C::coasting_widen_frac, "Extra width while the ball is predicted, fraction", 0, 5);
  cam("uncertainty_widen", &C::uncertainty_widen, "Extra width = this x the tracker's 1-sigma, px", 0, 100);
  cam("lost_width_frac", &C::lost_width_frac, "Crop width when the ball is lost, fraction of the widest", 0.1, 1);
}

}  // namespace ballcam::app
