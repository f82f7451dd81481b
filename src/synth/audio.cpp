// Crowd noise: white noise through three one-pole low-passes (a murmur with
// some body), with a slow random swell, and a referee's whistle on demand
// (a ~3.2 kHz tone with a fast warble, as pea whistles sound).
#include <algorithm>
#include <cmath>
#include <numbers>

#include "synth/synth.hpp"

namespace ballcam::synth {

CrowdAudio::CrowdAudio(int sample_rate_hz, int channels, std::uint64_t seed)
    : rate_hz_(sample_rate_hz), channels_(channels), state_(seed * 0x2545F4914F6CDD1Dull + 1) {}

double CrowdAudio::next_random_double() {
  state_ ^= state_ << 13;
  state_ ^= state_ >> 7;
  state_ ^= state_ << 17;
  return static_cast<double>(state_ >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

void CrowdAudio::generate(int sample_frames, bool start_whistle, std::vector<float>& out) {
  if (start_whistle && whistle_left_s_ <= 0) {
    whistle_left_s_ = 0.35 + 0.4 * (next_random_double() * 0.5 + 0.5);
    whistle_t_ = 0;
  }
  const double dt = 1.0 / rate_hz_;
  const double a1 = 1.0 - std::exp(-2 * std::numbers::pi * 900.0 * dt);
  const double a2 = 1.0 - std::exp(-2 * std::numbers::pi * 2500.0 * dt);
  const double a3 = 1.0 - std::exp(-2 * std::numbers::pi * 150.0 * dt);
  for (int i = 0; i < sample_frames; ++i) {
    swell_phase_ += dt;
    if (swell_phase_ > 1.5) {  // a new crowd level every 1.5 s, approached smoothly
      swell_phase_ = 0;
      swell_target_ = 0.35 + 0.3 * (next_random_double() * 0.5 + 0.5);
    }
    swell_ += (swell_target_ - swell_) * dt * 0.8;
    const double n = next_random_double();
    lp1_ += (n - lp1_) * a1;
    lp2_ += (n - lp2_) * a2;
    lp3_ += (n - lp3_) * a3;
    double s = (0.9 * lp1_ + 0.25 * lp2_ + 1.6 * lp3_) * swell_ * 0.6;
    if (whistle_left_s_ > 0) {
      const double f = 3200.0 + 120.0 * std::sin(2 * std::numbers::pi * 28.0 * whistle_t_);
      whistle_phase_ += 2 * std::numbers::pi * f * dt;
      const double env = std::min(1.0, whistle_t_ / 0.02) * std::min(1.0, whistle_left_s_ / 0.03);
      s += 0.25 * env * std::sin(whistle_phase_);
      whistle_t_ += dt;
      whistle_left_s_ -= dt;
    }
    s = std::clamp(s, -1.0, 1.0);
    for (int c = 0; c < channels_; ++c) out.push_back(static_cast<float>(s));
  }
}

}  // namespace ballcam::synth
