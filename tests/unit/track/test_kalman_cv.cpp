#include <gtest/gtest.h>

#include <cmath>

#include "track/kalman_cv.hpp"

namespace ballcam::track {
namespace {

TEST(KalmanCV, ConvergesToConstantVelocity) {
  KalmanCV kf(0.5, 1.0);
  kf.init({100.0, 50.0}, 10.0);
  for (int i = 1; i <= 60; ++i) {
    kf.predict();
    kf.correct({100.0 + 4.0 * i, 50.0 - 2.0 * i});
  }
  EXPECT_NEAR(kf.velocity().x, 4.0, 1e-3);
  EXPECT_NEAR(kf.velocity().y, -2.0, 1e-3);
  EXPECT_NEAR(kf.position().x, 340.0, 1e-3);
  EXPECT_NEAR(kf.position().y, -70.0, 1e-3);
}

TEST(KalmanCV, UncertaintyGrowsWhenPredictingAndShrinksWhenCorrecting) {
  KalmanCV kf(1.0, 2.0);
  kf.init({0.0, 0.0}, 5.0);
  const double s0 = kf.position_sigma();
  kf.predict();
  const double s1 = kf.position_sigma();
  EXPECT_GT(s1, s0);
  kf.correct({0.0, 0.0});
  EXPECT_LT(kf.position_sigma(), s1);
}

TEST(KalmanCV, MahalanobisScalesWithInnovationSigma) {
  KalmanCV kf(1.0, 2.0);
  kf.init({10.0, 10.0}, 0.0);
  const double sigma = std::sqrt(kf.innovation_var_x());
  EXPECT_NEAR(kf.mahalanobis({10.0 + 3.0 * sigma, 10.0}), 3.0, 1e-9);
}

}  // namespace
}  // namespace ballcam::track
