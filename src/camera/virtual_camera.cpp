#include "camera/virtual_camera.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace ballcam {

namespace {

double sign(double v) { return v < 0.0 ? -1.0 : 1.0; }

// Tiny residuals are snapped away so a settled camera is exactly still.
constexpr double kSnapPx = 1e-3;
constexpr double kSnapPxPerFrame = 1e-3;

}  // namespace

Status CameraConfig::validate() const {
  auto bad = [](const char* field, const char* rule) {
    return error(ErrorCode::kInvalidArgument, std::string("camera.") + field + " must be " + rule);
  };
  if (output_width_px <= 0 || output_height_px <= 0) return bad("output_width_px/output_height_px", "> 0");
  if (!(min_crop_width_px >= 0.0)) return bad("min_crop_width_px", ">= 0 (0 = auto)");
  if (!(max_crop_width_px >= 0.0)) return bad("max_crop_width_px", ">= 0 (0 = auto)");
  if (max_crop_width_px > 0.0 && min_crop_width_px > max_crop_width_px) {
    return bad("min_crop_width_px", "<= max_crop_width_px");
  }
  if (!(smoothing_time_s > 0.0)) return bad("smoothing_time_s", "> 0");
  if (!(zoom_smoothing_time_s > 0.0)) return bad("zoom_smoothing_time_s", "> 0");
  if (!(max_pan_speed_frac_per_s > 0.0)) return bad("max_pan_speed_frac_per_s", "> 0");
  if (!(max_pan_accel_frac_per_s2 >= 0.0)) return bad("max_pan_accel_frac_per_s2", ">= 0 (0 = no cap)");
  if (!(max_zoom_rate_frac_per_s > 0.0)) return bad("max_zoom_rate_frac_per_s", "> 0");
  if (!(dead_zone_frac >= 0.0 && dead_zone_frac < 1.0)) return bad("dead_zone_frac", "in [0, 1)");
  if (!(recentre_frac >= 0.0 && recentre_frac <= 0.5)) return bad("recentre_frac", "in [0, 0.5]");
  if (!(look_ahead_frames >= 0.0)) return bad("look_ahead_frames", ">= 0");
  if (!(max_look_ahead_frac >= 0.0 && max_look_ahead_frac <= 0.5)) return bad("max_look_ahead_frac", "in [0, 0.5]");
  if (!(zoom_dead_band_frac >= 0.0 && zoom_dead_band_frac < 1.0)) return bad("zoom_dead_band_frac", "in [0, 1)");
  if (!(widen_dead_band_frac >= 0.0)) return bad("widen_dead_band_frac", ">= 0");
  if (!(tighten_delay_s >= 0.0)) return bad("tighten_delay_s", ">= 0");
  if (!(coasting_widen_after_s >= 0.0)) return bad("coasting_widen_after_s", ">= 0");
  if (!(lost_width_frac > 0.0 && lost_width_frac <= 1.0)) return bad("lost_width_frac", "in (0, 1]");
  return Status::Ok();
}

double max_crop_width(double aspect, int source_width_px, int source_height_px) {
  return std::max(1.0, std::min(static_cast<double>(source_width_px),
                                static_cast<double>(source_height_px) * aspect));
}

CropRect naive_crop(Point2 centre, double crop_width_px, double aspect, int source_width_px,
                    int source_height_px) {
  const double w = std::clamp(crop_width_px, 1.0, max_crop_width(aspect, source_width_px, source_height_px));
  const double h = w / aspect;
  const double cx = std::clamp(centre.x, w * 0.5, source_width_px - w * 0.5);
  const double cy = std::clamp(centre.y, h * 0.5, source_height_px - h * 0.5);
  return {cx - w * 0.5, cy - h * 0.5, w, h};
}

VirtualCamera::VirtualCamera(CameraConfig config, int source_width_px, int source_height_px, double fps)
    : config_(config),
      source_w_(std::max(1, source_width_px)),
      source_h_(std::max(1, source_height_px)),
      fps_(fps > 0.0 ? fps : 25.0) {
  const int ow = std::max(1, config_.output_width_px);
  const int oh = std::max(1, config_.output_height_px);
  aspect_ = static_cast<double>(ow) / oh;
  const double fit = max_crop_width(aspect_, source_w_, source_h_);
  max_w_ = config_.max_crop_width_px > 0.0 ? std::min(config_.max_crop_width_px, fit) : fit;
  min_w_ = config_.min_crop_width_px > 0.0 ? config_.min_crop_width_px : 0.5 * source_w_;
  min_w_ = std::clamp(min_w_, 1.0, max_w_);

  pan_omega_ = 1.0 / std::max(1e-3, config_.smoothing_time_s * fps_);
  zoom_omega_ = 1.0 / std::max(1e-3, config_.zoom_smoothing_time_s * fps_);
  max_pan_speed_ = config_.max_pan_speed_frac_per_s * source_w_ / fps_;
  max_pan_accel_ = config_.max_pan_accel_frac_per_s2 * source_w_ / (fps_ * fps_);
  max_zoom_speed_ = config_.max_zoom_rate_frac_per_s * max_w_ / fps_;
  tighten_delay_frames_ = static_cast<int>(std::lround(config_.tighten_delay_s * fps_));
  coasting_widen_after_frames_ = static_cast<int>(std::lround(config_.coasting_widen_after_s * fps_));
  reset();
}

void VirtualCamera::reset() {
  started_ = false;
  x_ = {{source_w_ * 0.5, 0.0}, source_w_ * 0.5, false};
  y_ = {{source_h_ * 0.5, 0.0}, source_h_ * 0.5, false};
  width_ = {max_w_, 0.0};
  width_target_ = max_w_;
  tighten_wish_frames_ = 0;
  coasting_frames_ = 0;
  last_aim_ = {source_w_ * 0.5, source_h_ * 0.5};
}

CropRect VirtualCamera::current() const {
  const double w = std::clamp(width_.pos, min_w_, max_w_);
  const double h = w / aspect_;
  return {x_.spring.pos - w * 0.5, y_.spring.pos - h * 0.5, w, h};
}

void VirtualCamera::step(Spring& s, double target, double omega, double max_speed,
                         double max_accel) const {
  const double err = target - s.pos;
  double a = omega * omega * err - 2.0 * omega * s.vel;
  if (max_accel > 0.0) a = std::clamp(a, -max_accel, max_accel);
  double v = s.vel + a;
  // Never approach faster than the acceleration cap can brake from: no overshoot.
  if (max_accel > 0.0 && v * err > 0.0) {
    const double brake = std::sqrt(2.0 * max_accel * std::abs(err));
    if (std::abs(v) > brake) v = sign(v) * brake;
  }
  v = std::clamp(v, -max_speed, max_speed);
  s.pos += v;
  s.vel = v;
  if (std::abs(target - s.pos) < kSnapPx && std::abs(s.vel) < kSnapPxPerFrame) {
    s.pos = target;
    s.vel = 0.0;
  }
}

void VirtualCamera::pan_axis(PanAxis& axis, double aim, double crop_extent, double lo, double hi) const {
  // Distances are measured to where the camera can actually go; the target
  // itself stays unclamped so a held target by an edge follows the edge as
  // the zoom changes.
  const double reach = std::clamp(aim, lo, hi);
  const double off = std::abs(reach - axis.spring.pos);
  if (!axis.chasing && off > 0.5 * config_.dead_zone_frac * crop_extent) axis.chasing = true;
  if (axis.chasing) {
    axis.target = aim;
    if (off <= config_.recentre_frac * crop_extent && std::abs(axis.spring.vel) < 0.5) {
      axis.chasing = false;  // hold this target; the spring settles onto it
    }
  }
  step(axis.spring, std::clamp(axis.target, lo, hi), pan_omega_, max_pan_speed_, max_pan_accel_);
}

double VirtualCamera::desired_width(const TrackState& state) const {
  const bool have_ball =
      state.has_estimate && (state.mode == TrackMode::kTracking || state.mode == TrackMode::kCoasting);
  if (!have_ball) return config_.lost_width_frac * max_w_;
  const double speed_px_per_s =
      std::hypot(state.velocity_px_per_frame.x, state.velocity_px_per_frame.y) * fps_;
  double w = min_w_ + std::max(0.0, speed_px_per_s - config_.settled_speed_px_per_s) * config_.speed_widen_s +
             config_.uncertainty_widen * std::max(0.0, state.uncertainty_px - config_.settled_uncertainty_px);
  if (state.mode == TrackMode::kCoasting && coasting_frames_ >= coasting_widen_after_frames_) {
    w *= 1.0 + config_.coasting_widen_frac;
  }
  return std::clamp(w, min_w_, max_w_);
}

void VirtualCamera::clamp_centre() {
  const double w = std::clamp(width_.pos, min_w_, max_w_);
  const double h = w / aspect_;
  auto clamp_axis = [](Spring& s, double lo, double hi) {
    if (s.pos < lo) {
      s.pos = lo;
      s.vel = std::max(0.0, s.vel);
    } else if (s.pos > hi) {
      s.pos = hi;
      s.vel = std::min(0.0, s.vel);
    }
  };
  clamp_axis(x_.spring, w * 0.5, source_w_ - w * 0.5);
  clamp_axis(y_.spring, h * 0.5, source_h_ - h * 0.5);
}

CropRect VirtualCamera::update(const TrackState& state) {
  const bool have_ball =
      state.has_estimate && (state.mode == TrackMode::kTracking || state.mode == TrackMode::kCoasting);

  // 1. Aim.
  Point2 aim = last_aim_;
  if (have_ball) {
    const CropRect now = current();
    double lx = config_.look_ahead_frames * state.velocity_px_per_frame.x;
    double ly = config_.look_ahead_frames * state.velocity_px_per_frame.y;
    lx = std::clamp(lx, -config_.max_look_ahead_frac * now.w, config_.max_look_ahead_frac * now.w);
    ly = std::clamp(ly, -config_.max_look_ahead_frac * now.h, config_.max_look_ahead_frac * now.h);
    aim = {state.position.x + lx, state.position.y + ly};
  } else if (state.play_centre) {
    aim = *state.play_centre;
  }
  aim.x = std::clamp(aim.x, 0.0, static_cast<double>(source_w_));
  aim.y = std::clamp(aim.y, 0.0, static_cast<double>(source_h_));
  last_aim_ = aim;

  // 4 (first, so the pan limits use this frame's width). Zoom.
  coasting_frames_ = state.mode == TrackMode::kCoasting ? coasting_frames_ + 1 : 0;
  const double wish = desired_width(state);
  if (!started_) {
    width_target_ = wish;
    width_ = {wish, 0.0};
  } else if (wish > width_target_ * (1.0 + config_.widen_dead_band_frac) || wish >= max_w_) {
    width_target_ = wish;  // widen at once: losing the ball is worse than a loose frame
    tighten_wish_frames_ = 0;
  } else if (wish >= width_target_) {
    tighten_wish_frames_ = 0;
  } else if (wish < width_target_ * (1.0 - config_.zoom_dead_band_frac)) {
    if (++tighten_wish_frames_ >= tighten_delay_frames_) {
      width_target_ = wish;
      tighten_wish_frames_ = 0;
    }
  } else {
    tighten_wish_frames_ = 0;
  }
  const double w_before = width_.pos;
  if (started_) step(width_, width_target_, zoom_omega_, max_zoom_speed_, 0.0);
  width_.pos = std::clamp(width_.pos, min_w_, max_w_);
  if (started_ && w_before > 0.0 && width_.pos != w_before) {
    // Zoom about the subject, as a lens would: the subject keeps its place in
    // the picture while the width changes, so zooming alone never drops it.
    const Point2 subject = have_ball ? state.position : aim;
    const double k = width_.pos / w_before;
    x_.spring.pos = subject.x + (x_.spring.pos - subject.x) * k;
    y_.spring.pos = subject.y + (y_.spring.pos - subject.y) * k;
  }

  const double w = width_.pos;
  const double h = w / aspect_;

  // 2-3. Pan.
  if (!started_) {
    x_ = {{std::clamp(aim.x, w * 0.5, source_w_ - w * 0.5), 0.0}, aim.x, false};
    y_ = {{std::clamp(aim.y, h * 0.5, source_h_ - h * 0.5), 0.0}, aim.y, false};
    started_ = true;
  } else if (have_ball || state.play_centre) {
    pan_axis(x_, aim.x, w, w * 0.5, source_w_ - w * 0.5);
    pan_axis(y_, aim.y, h, h * 0.5, source_h_ - h * 0.5);
  } else {
    // Nothing to follow: come to rest where we are.
    x_.chasing = false;
    y_.chasing = false;
    step(x_.spring, std::clamp(x_.target, w * 0.5, source_w_ - w * 0.5), pan_omega_, max_pan_speed_,
         max_pan_accel_);
    step(y_.spring, std::clamp(y_.target, h * 0.5, source_h_ - h * 0.5), pan_omega_, max_pan_speed_,
         max_pan_accel_);
  }

  // 5. Inside the source, whatever happened above.
  clamp_centre();
  return current();
}

}  // namespace ballcam
