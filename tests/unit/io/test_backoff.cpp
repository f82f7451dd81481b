// The reconnect policy: exponential growth, jitter within bounds, the cap,
// reset after a success, and a wait that cancel() cuts short.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "io/backoff.hpp"

namespace ballcam::io {
namespace {

TEST(Backoff, GrowsExponentiallyWithoutJitterUpToTheCap) {
  Backoff b(BackoffPolicy{100, 1000, 2.0, 0.0}, 1);
  EXPECT_EQ(b.next_delay_ms(), 100);
  EXPECT_EQ(b.next_delay_ms(), 200);
  EXPECT_EQ(b.next_delay_ms(), 400);
  EXPECT_EQ(b.next_delay_ms(), 800);
  EXPECT_EQ(b.next_delay_ms(), 1000);
  EXPECT_EQ(b.next_delay_ms(), 1000);
  b.reset();
  EXPECT_EQ(b.next_delay_ms(), 100);
}

TEST(Backoff, JitterStaysWithinItsBandAndTheCap) {
  Backoff b(BackoffPolicy{200, 2000, 2.0, 0.25}, 42);
  bool varied = false;
  std::int64_t first = -1;
  for (int run = 0; run < 50; ++run) {
    b.reset();
    const std::int64_t d0 = b.next_delay_ms();
    EXPECT_GE(d0, 150);
    EXPECT_LE(d0, 250);
    if (first >= 0 && d0 != first) varied = true;
    first = d0;
    for (int i = 0; i < 10; ++i) {
      const std::int64_t d = b.next_delay_ms();
      EXPECT_GE(d, 1);
      EXPECT_LE(d, 2000);
    }
  }
  EXPECT_TRUE(varied) << "jitter should spread retries";
}

TEST(CancellableWait, CancelEndsAWaitAtOnceAndStaysCancelled) {
  CancellableWait w;
  EXPECT_TRUE(w.wait_ms(1));
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    w.cancel();
  });
  EXPECT_FALSE(w.wait_ms(600000));  // returns when cancelled, not after ten minutes
  t.join();
  EXPECT_TRUE(w.cancelled());
  EXPECT_FALSE(w.wait_ms(600000));
}

}  // namespace
}  // namespace ballcam::io
