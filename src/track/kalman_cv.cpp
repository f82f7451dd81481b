#include "track/kalman_cv.hpp"

#include <algorithm>
#include <cmath>

namespace ballcam::track {

KalmanCV::KalmanCV(double accel_sigma, double meas_sigma)
    : q_(accel_sigma * accel_sigma), r_(meas_sigma * meas_sigma) {}

void KalmanCV::init(Point2 position, double velocity_sigma) {
  const double v2 = velocity_sigma * velocity_sigma;
  x_ = {position.x, 0.0, r_, 0.0, v2};
  y_ = {position.y, 0.0, r_, 0.0, v2};
}

void KalmanCV::predict_axis(Axis& a) const {
  // F = [1 1; 0 1], Q = q [1/4 1/2; 1/2 1] (piecewise-constant acceleration, dt = 1).
  a.pos += a.vel;
  const double p00 = a.p00 + 2.0 * a.p01 + a.p11 + 0.25 * q_;
  const double p01 = a.p01 + a.p11 + 0.5 * q_;
  const double p11 = a.p11 + q_;
  a.p00 = p00;
  a.p01 = p01;
  a.p11 = p11;
}

void KalmanCV::correct_axis(Axis& a, double z) const {
  const double s = a.p00 + r_;
  const double k0 = a.p00 / s;
  const double k1 = a.p01 / s;
  const double innovation = z - a.pos;
  a.pos += k0 * innovation;
  a.vel += k1 * innovation;
  // Joseph form is unnecessary at this size; the simple form stays symmetric by construction.
  const double p00 = (1.0 - k0) * a.p00;
  const double p01 = (1.0 - k0) * a.p01;
  const double p11 = a.p11 - k1 * a.p01;
  a.p00 = std::max(p00, 1e-9);
  a.p01 = p01;
  a.p11 = std::max(p11, 1e-9);
}

void KalmanCV::predict() {
  predict_axis(x_);
  predict_axis(y_);
}

void KalmanCV::correct(Point2 measurement) {
  correct_axis(x_, measurement.x);
  correct_axis(y_, measurement.y);
}

double KalmanCV::mahalanobis(Point2 p) const {
  const double dx = p.x - x_.pos;
  const double dy = p.y - y_.pos;
  return std::sqrt(dx * dx / innovation_var_x() + dy * dy / innovation_var_y());
}

double KalmanCV::position_sigma() const { return std::sqrt(std::max(x_.p00, y_.p00)); }

}  // namespace ballcam::track
