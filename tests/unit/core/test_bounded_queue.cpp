#include "core/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ballcam {
namespace {

TEST(BoundedQueue, FifoOrder) {
  BoundedQueue<int> q(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.push(i));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(q.pop().value(), i);
}

TEST(BoundedQueue, DropOldestCountsDrops) {
  BoundedQueue<int> q(2, OverflowPolicy::kDropOldest);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.push(i));
  EXPECT_EQ(q.dropped(), 3u);
  EXPECT_EQ(q.pop().value(), 3);
  EXPECT_EQ(q.pop().value(), 4);
}

TEST(BoundedQueue, BlockingAppliesBackPressure) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(2);
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(q.pop().value(), 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.pop().value(), 2);
  EXPECT_EQ(q.dropped(), 0u);
}

TEST(BoundedQueue, CloseDrainsThenEnds) {
  BoundedQueue<int> q(4);
  q.push(7);
  q.close();
  EXPECT_FALSE(q.push(8));
  EXPECT_EQ(q.pop().value(), 7);
  EXPECT_FALSE(q.pop().has_value());
}

TEST(BoundedQueue, CloseWakesBlockedProducerAndConsumer) {
  BoundedQueue<int> full(1);
  full.push(1);
  BoundedQueue<int> empty(1);
  bool push_result = true;
  bool pop_has_value = true;
  std::thread producer([&] { push_result = full.push(2); });
  std::thread consumer([&] { pop_has_value = empty.pop().has_value(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  full.close();
  empty.close();
  producer.join();
  consumer.join();
  EXPECT_FALSE(push_result);
  EXPECT_FALSE(pop_has_value);
}

TEST(BoundedQueue, ManyProducersOneConsumerLosesNothing) {
  BoundedQueue<int> q(3);
  constexpr int kPerProducer = 2000;
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) q.push(p * kPerProducer + i);
    });
  }
  long long sum = 0;
  int count = 0;
  std::thread consumer([&] {
    while (auto v = q.pop()) {
      sum += *v;
      ++count;
    }
  });
  for (auto& t : producers) t.join();
  q.close();
  consumer.join();
  EXPECT_EQ(count, 3 * kPerProducer);
  const long long n = 3LL * kPerProducer;
  EXPECT_EQ(sum, n * (n - 1) / 2);
  EXPECT_LE(q.high_water(), 3u);
}

}  // namespace
}  // namespace ballcam
