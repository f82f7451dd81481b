// Virtual camera: one ball state per frame in, one crop rectangle out.
//
// Framing policy, in the order it is applied each frame:
//  1. Aim: the ball's estimate plus `look_ahead_frames` of its velocity while
//     tracking/coasting; the centroid of the players when lost/searching
//     (if known), else the last aim.
//  2. Dead zone, per axis with hysteresis: while the aim stays inside a
//     centred box of `dead_zone_frac` x the crop size the camera holds still;
//     once it leaves, the camera chases the aim until it has caught up to
//     within `recentre_frac` of the crop size and then holds again. This is
//     what keeps a still ball (and a jittery detector) from moving the view.
//  3. Pan: a critically damped spring per axis (time constant
//     `smoothing_time_s`), its speed and acceleration capped.
//  4. Zoom: a desired crop width from the state (tight when settled, wider
//     with ball speed, wider still when coasting, widest when lost),
//     widened at once, tightened only after the wish has held for
//     `tighten_delay_s` and differs by more than `zoom_dead_band_frac`;
//     the width itself follows its own critically damped spring.
//  5. The crop keeps the output aspect and never leaves the source frame.
//
// Pure: no I/O, no threads, no clocks.
#pragma once

#include "core/geometry.hpp"
#include "core/status.hpp"

namespace ballcam {

struct CameraConfig {
  // Output picture; only its aspect matters here (the renderer scales the crop).
  int output_width_px = 1280;
  int output_height_px = 720;

  // --- zoom range ---
  // Tightest crop width (source px). 0 = automatic: half the widest crop
  // that fits (960 px for a 1920x1080 source and for a 3840x1080 panorama;
  // a 1080p-wide view shows about a third of the pitch at that width, and it
  // is close to a 1280x720 output so the upscale stays mild). Clamped to the
  // largest crop that fits.
  double min_crop_width_px = 0.0;
  // Widest crop (source px). 0 = the largest crop of the output aspect that fits the source.
  double max_crop_width_px = 0.0;

  // --- pan ---
  double smoothing_time_s = 0.4;             // spring time constant (1/omega); larger = lazier
  double max_pan_speed_frac_per_s = 1.0;     // source widths per second
  double max_pan_accel_frac_per_s2 = 2.0;    // source widths per second^2
  double dead_zone_frac = 0.10;              // dead-zone box, fraction of the crop size per axis
  double recentre_frac = 0.02;               // a chase ends this close to the aim (fraction of crop)
  double look_ahead_frames = 16.0;           // aim = ball + this many frames x ball velocity
  double max_look_ahead_frac = 0.25;         // look-ahead offset cap, fraction of the crop size

  // --- zoom ---
  double zoom_smoothing_time_s = 0.8;        // width spring time constant
  double max_zoom_rate_frac_per_s = 0.5;     // width change cap, fraction of the max width per second
  double zoom_dead_band_frac = 0.08;         // tighten only for a change above this fraction
  double tighten_delay_s = 0.5;              // ...that has been wished for this long
  double speed_widen_s = 1.0;                // extra width = (ball speed - settled speed) (px/s) x this
  double settled_speed_px_per_s = 25.0;      // slower than this counts as settled (no widening)
  double coasting_widen_frac = 0.25;         // extra width while coasting, fraction of the width...
  double coasting_widen_after_s = 0.2;       // ...once coasting has lasted this long (a one-frame
                                             // detector miss must not make the view breathe)
  double widen_dead_band_frac = 0.03;        // widen only for a wish this much above the current target
  double uncertainty_widen = 4.0;            // extra width = this x (tracker 1-sigma - settled sigma) (px)
  double settled_uncertainty_px = 5.0;       // a 1-sigma below this does not widen
  double lost_width_frac = 1.0;              // width when lost/searching, fraction of the max width

  // kInvalidArgument naming the first field out of range (for config files).
  Status validate() const;
};

class VirtualCamera {
 public:
  VirtualCamera(CameraConfig config, int source_width_px, int source_height_px, double fps);

  // Advances one frame.
  CropRect update(const TrackState& state);

  // The crop after the last update (before any: the widest crop, centred).
  CropRect current() const;

  double min_crop_width_px() const { return min_w_; }
  double max_crop_width_px() const { return max_w_; }
  double aspect() const { return aspect_; }
  void reset();

 private:
  struct Spring {
    double pos = 0.0;
    double vel = 0.0;  // per frame
  };
  struct PanAxis {
    Spring spring;
    double target = 0.0;
    bool chasing = false;
  };

  void step(Spring& s, double target, double omega, double max_speed, double max_accel) const;
  // `ball`: the ball's coordinate on this axis (NaN when there is none).
  void pan_axis(PanAxis& axis, double aim, double ball, double crop_extent, double lo, double hi) const;
  double desired_width(const TrackState& state) const;
  double edge_width_cap(const TrackState& state) const;
  void clamp_centre();

  CameraConfig config_;
  int source_w_;
  int source_h_;
  double fps_;
  double aspect_;
  double min_w_;
  double max_w_;
  double pan_omega_;
  double zoom_omega_;
  double max_pan_speed_;   // px/frame
  double max_pan_accel_;   // px/frame^2
  double max_zoom_speed_;  // px/frame
  int tighten_delay_frames_;

  bool started_ = false;
  PanAxis x_;
  PanAxis y_;
  Spring width_;
  double width_target_ = 0.0;
  int tighten_wish_frames_ = 0;
  int coasting_frames_ = 0;
  int coasting_widen_after_frames_ = 0;
  double edge_blend_ = 0.0;  // zoom anchor: 0 = the ball, 1 = the source edge by it
  Point2 last_aim_;
};

// Largest crop of aspect `aspect` (w/h) that fits a source, clamped to [min, max] sizes.
double max_crop_width(double aspect, int source_width_px, int source_height_px);

// A crop of `crop_width_px` and aspect `aspect` centred as near `centre` as
// the source frame allows (the naive baseline camera: no smoothing, fixed size).
CropRect naive_crop(Point2 centre, double crop_width_px, double aspect, int source_width_px,
                    int source_height_px);

}  // namespace ballcam
