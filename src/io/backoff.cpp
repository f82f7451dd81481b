#include "io/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace ballcam::io {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {
  policy_.initial_ms = std::max<std::int64_t>(policy_.initial_ms, 1);
  policy_.max_ms = std::max(policy_.max_ms, policy_.initial_ms);
  policy_.multiplier = std::max(policy_.multiplier, 1.0);
  policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
}

std::int64_t Backoff::next_delay_ms() {
  const double base = std::min(static_cast<double>(policy_.initial_ms) * std::pow(policy_.multiplier, attempt_),
                               static_cast<double>(policy_.max_ms));
  if (base < static_cast<double>(policy_.max_ms)) ++attempt_;  // stop growing once capped
  std::uniform_real_distribution<double> dist(1.0 - policy_.jitter, 1.0 + policy_.jitter);
  const double d = base * dist(rng_);
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::llround(d)), 1, policy_.max_ms);
}

}  // namespace ballcam::io
