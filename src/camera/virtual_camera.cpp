#include "camera/virtual_camera.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace ballcam {

namespace {

double sign(double v) { return v < 0.0 ? -1.0 : 1.0; }

// Tiny residuals are snapped away so a settled camera is exactly still.
constexpr double kSnapPx = 1e-3;
constexpr double kSnapPxPerFrame = 1e-3;

// Near the picture's edge the crop is clamped to the source, so a wide crop
// shows the ball right at its border. A narrower crop can be placed with the
// ball this far (fraction of the crop size) inside it: the zoom wish is
// capped so the ball fits (slightly more than the 10 % margin a viewer
// expects, so that pan lag does not push it out again).
constexpr double kEdgeMarginFrac = 0.14;
// How far ahead (frames of ball velocity) the edge cap looks, so the zoom
// starts before the ball arrives.
constexpr double kEdgeLookAheadFrames = 12.0;
// Width spring speed-up while tightening for an edge, relative to the pan spring.
constexpr double kEdgeZoomOmegaFactor = 0.0;
// How fast (per frame) the zoom anchor glides from the ball to the edge.
constexpr double kEdgeBlendPerFrame = 0.1;

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
  // Auto: half the widest crop (half the source width for 16:9 and
  // narrower sources; a 3840x1080 panorama's widest 16:9 crop is 1920, so
  // half of its width would leave no room to zoom at all).
  min_w_ = config_.min_crop_width_px > 0.0 ? config_.min_crop_width_px : 0.5 * max_w_;
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
  edge_blend_ = 0.0;
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

void VirtualCamera::pan_axis(PanAxis& axis, double aim, double ball, double crop_extent, double lo,
                             double hi) const {
  // Distances are measured to where the camera can actually go; the target
  // itself stays unclamped so a held target by an edge follows the edge as
  // the zoom changes.
  const double reach = std::clamp(aim, lo, hi);
  const double off = std::abs(reach - axis.spring.pos);
  // The ball itself near the crop's border also starts a chase, however
  // small the offset: by the picture's edge the aim is out of reach, and a
  // camera resting a few pixels short of the edge would hold the ball
  // outside the margin.
  const double ball_frac = (ball - (axis.spring.pos - 0.5 * crop_extent)) / crop_extent;
  const bool ball_at_border =
      std::isfinite(ball) && (ball_frac < kEdgeMarginFrac || ball_frac > 1.0 - kEdgeMarginFrac) && off > 0.5;
  if (!axis.chasing && (off > 0.5 * config_.dead_zone_frac * crop_extent || ball_at_border)) axis.chasing = true;
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
  return std::clamp(std::min(w, edge_width_cap(state)), min_w_, max_w_);
}

double VirtualCamera::edge_width_cap(const TrackState& state) const {
  // Only a ball seen right now (or a moment ago) is worth zooming in for:
  // a coasting estimate drifts, and a tight crop would lose the real ball.
  if (!state.has_estimate) return max_w_;
  if (state.mode != TrackMode::kTracking &&
      !(state.mode == TrackMode::kCoasting && coasting_frames_ < coasting_widen_after_frames_)) {
    return max_w_;
  }
  auto edge_dist = [](double p, double v, double extent) {
    const double ahead = p + kEdgeLookAheadFrames * v;
    return std::max(0.0, std::min({p, extent - p, ahead, extent - ahead}));
  };
  const double dx = edge_dist(state.position.x, state.velocity_px_per_frame.x, source_w_);
  const double dy = edge_dist(state.position.y, state.velocity_px_per_frame.y, source_h_);
  // A crop of width w pressed against an edge holds the ball dx inside it:
  // margin satisfied while dx >= kEdgeMarginFrac * w (and likewise for h).
  return std::min(dx, dy * aspect_) / kEdgeMarginFrac;
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
  const double edge_cap = have_ball ? edge_width_cap(state) : max_w_;
  if (!started_) {
    width_target_ = wish;
    width_ = {wish, 0.0};
  } else if (wish > width_target_ * (1.0 + config_.widen_dead_band_frac) || wish >= max_w_) {
    width_target_ = wish;  // widen at once: losing the ball is worse than a loose frame
    tighten_wish_frames_ = 0;
  } else if (wish >= width_target_) {
    tighten_wish_frames_ = 0;
  } else if (edge_cap < width_target_) {
    width_target_ = wish;  // the ball nears the picture's edge: only a tighter crop can hold it
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
  // Which edges the crop is pressed against before the zoom.
  const double h_before = w_before / aspect_;
  const bool at_left = x_.spring.pos <= w_before * 0.5 + 0.5;
  const bool at_right = x_.spring.pos >= source_w_ - w_before * 0.5 - 0.5;
  const bool at_top = y_.spring.pos <= h_before * 0.5 + 0.5;
  const bool at_bottom = y_.spring.pos >= source_h_ - h_before * 0.5 - 0.5;
  // Tightening for an edge is urgent (the ball is about to leave the
  // margin): the width spring then moves as fast as the pan spring.
  const bool edge_zoom = width_target_ < width_.pos && edge_cap < width_.pos;
  edge_blend_ = std::clamp(edge_blend_ + (edge_zoom ? kEdgeBlendPerFrame : -kEdgeBlendPerFrame), 0.0, 1.0);
  if (started_) {
    step(width_, width_target_, edge_zoom ? std::max(zoom_omega_, kEdgeZoomOmegaFactor * pan_omega_) : zoom_omega_,
         max_zoom_speed_, 0.0);
  }
  width_.pos = std::clamp(width_.pos, min_w_, max_w_);
  if (started_ && w_before > 0.0 && width_.pos != w_before) {
    // Zoom about the subject, as a lens would: the subject keeps its place in
    // the picture while the width changes, so zooming alone never drops it.
    const Point2 subject = have_ball ? state.position : aim;
    const double k = width_.pos / w_before;
    // Tightening for an edge zooms about that edge of the source instead:
    // the crop closes in on the edge, which brings the ball inside the
    // margin (about the ball it would keep its place by the border).
    // The anchor glides between the two (edge_blend_), so the crop's
    // motion does not jerk when the edge wish comes and goes.
    Point2 edge = subject;
    if (subject.x < 0.5 * w_before) edge.x = 0.0;
    else if (subject.x > source_w_ - 0.5 * w_before) edge.x = source_w_;
    if (subject.y < 0.5 * h_before) edge.y = 0.0;
    else if (subject.y > source_h_ - 0.5 * h_before) edge.y = source_h_;
    const Point2 anchor{subject.x + edge_blend_ * (edge.x - subject.x), subject.y + edge_blend_ * (edge.y - subject.y)};
    x_.spring.pos = anchor.x + (x_.spring.pos - anchor.x) * k;
    y_.spring.pos = anchor.y + (y_.spring.pos - anchor.y) * k;
    // A crop pressed against an edge on the subject's side stays pressed
    // against it: zooming in there brings the subject further inside.
    const double w_now = width_.pos, h_now = w_now / aspect_;
    if (edge_zoom && edge_blend_ >= 1.0) {
      if (at_left && subject.x < source_w_ * 0.5) x_.spring.pos = w_now * 0.5;
      if (at_right && subject.x >= source_w_ * 0.5) x_.spring.pos = source_w_ - w_now * 0.5;
      if (at_top && subject.y < source_h_ * 0.5) y_.spring.pos = h_now * 0.5;
      if (at_bottom && subject.y >= source_h_ * 0.5) y_.spring.pos = source_h_ - h_now * 0.5;
    }
  }

  const double w = width_.pos;
  const double h = w / aspect_;

  // 2-3. Pan.
  if (!started_) {
    x_ = {{std::clamp(aim.x, w * 0.5, source_w_ - w * 0.5), 0.0}, aim.x, false};
    y_ = {{std::clamp(aim.y, h * 0.5, source_h_ - h * 0.5), 0.0}, aim.y, false};
    started_ = true;
  } else if (have_ball || state.play_centre) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    pan_axis(x_, aim.x, have_ball ? state.position.x : nan, w, w * 0.5, source_w_ - w * 0.5);
    pan_axis(y_, aim.y, have_ball ? state.position.y : nan, h, h * 0.5, source_h_ - h * 0.5);
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
