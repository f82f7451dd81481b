// Reconnect policy shared by the live input and the network outputs:
// exponential backoff with jitter and a cap, and a wait that a shutdown
// interrupts at once (OBS's output reconnect does the same).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <random>

namespace ballcam::io {

struct BackoffPolicy {
  std::int64_t initial_ms = 200;  // first retry delay
  std::int64_t max_ms = 1000;     // cap (after jitter): a server that is back is found within about a second
  double multiplier = 2.0;
  double jitter = 0.25;           // each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
};

// Pure: delays only, no sleeping. next_delay_ms() grows the delay
// (initial, initial*m, initial*m^2 ... up to max), reset() after a success.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, std::uint64_t seed = std::random_device{}());
  std::int64_t next_delay_ms();
  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int attempt_ = 0;
};

// A sleep that cancel() cuts short (thread-safe; cancel is sticky).
class CancellableWait {
 public:
  // Returns false when cancelled (before or during the wait).
  bool wait_ms(std::int64_t ms) {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return cancelled_; });
  }
  void cancel() {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    cv_.notify_all();
  }
  bool cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool cancelled_ = false;
};

}  // namespace ballcam::io
