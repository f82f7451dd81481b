// Constant-velocity Kalman filter for a point in the image plane.
//
// The two axes are independent under a constant-velocity model with
// isotropic noise, so the 4-state filter splits into two 2-state filters
// (position, velocity) that share their noise settings. This keeps the
// per-frame cost to a few dozen flops and needs no matrix library.
// Time unit: one frame. Position in px, velocity in px/frame.
#pragma once

#include "core/geometry.hpp"

namespace ballcam::track {

class KalmanCV {
 public:
  struct Axis {
    double pos = 0.0;   // px
    double vel = 0.0;   // px/frame
    double p00 = 0.0;   // var(pos), px^2
    double p01 = 0.0;   // cov(pos, vel), px^2/frame
    double p11 = 0.0;   // var(vel), (px/frame)^2
  };

  // accel_sigma: white-acceleration noise (px/frame^2, 1 sigma);
  // meas_sigma: measurement noise (px, 1 sigma).
  KalmanCV(double accel_sigma, double meas_sigma);

  // Starts at `position` with zero velocity and the given 1-sigma velocity uncertainty.
  void init(Point2 position, double velocity_sigma);

  // Advances the state by one frame.
  void predict();

  // Fuses a position measurement (px).
  void correct(Point2 measurement);

  // Innovation variance (px^2) per axis for a position measurement now.
  double innovation_var_x() const { return x_.p00 + r_; }
  double innovation_var_y() const { return y_.p00 + r_; }

  // Normalised (Mahalanobis) distance of `p` from the predicted position.
  double mahalanobis(Point2 p) const;

  Point2 position() const { return {x_.pos, y_.pos}; }
  Point2 velocity() const { return {x_.vel, y_.vel}; }
  // 1-sigma position uncertainty, the larger of the two axes (px).
  double position_sigma() const;

  Axis& x() { return x_; }
  Axis& y() { return y_; }
  const Axis& x() const { return x_; }
  const Axis& y() const { return y_; }

 private:
  void predict_axis(Axis& a) const;
  void correct_axis(Axis& a, double z) const;

  double q_ = 0.0;  // accel variance, (px/frame^2)^2
  double r_ = 0.0;  // measurement variance, px^2
  Axis x_;
  Axis y_;
};

}  // namespace ballcam::track
