// The zero-copy path's frame pool (pipeline/frame_pool.hpp) with host
// frames: the same template the CUDA path instantiates with device and
// pinned memory. Its threading runs under ThreadSanitizer too
// (scripts/sanitize.sh tsan).
#include "pipeline/frame_pool.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "core/bounded_queue.hpp"

namespace ballcam::pipeline {
namespace {

using Pool = FramePool<HostNv12Frame, MemoryLocation::kHost>;

TEST(FramePool, FrameIsPackedNv12OfTheAskedSize) {
  auto pool = std::make_shared<Pool>();
  auto f = pool->take(64, 36);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->format, PixelFormat::kNv12);
  EXPECT_EQ(f->memory, MemoryLocation::kHost);
  EXPECT_EQ(f->width_px, 64);
  EXPECT_EQ(f->height_px, 36);
  EXPECT_EQ(f->strides[0], 64);
  EXPECT_EQ(f->strides[1], 64);
  EXPECT_EQ(f->planes[1], f->planes[0] + 64 * 36);
  // The whole picture is writable (ASan checks the bounds).
  std::memset(f->planes[0], 16, 64 * 36);
  std::memset(f->planes[1], 128, 64 * 18);
}

TEST(FramePool, AFrameThatCameBackIsTakenAgain) {
  auto pool = std::make_shared<Pool>();
  const std::uint8_t* first = nullptr;
  {
    auto f = pool->take(64, 36);
    ASSERT_TRUE(f.ok());
    first = f->planes[0];
    EXPECT_EQ(pool->free_frames(), 0u);
  }
  EXPECT_EQ(pool->free_frames(), 1u);
  auto again = pool->take(64, 36);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->planes[0], first);
  EXPECT_EQ(pool->allocated(), 1);
  EXPECT_EQ(pool->free_frames(), 0u);
}

TEST(FramePool, AllocatesOnlyForFramesOutAtOnce) {
  auto pool = std::make_shared<Pool>();
  {
    std::vector<Frame> held;
    for (int i = 0; i < 3; ++i) held.push_back(std::move(pool->take(32, 18)).value());
    EXPECT_EQ(pool->allocated(), 3);
  }
  EXPECT_EQ(pool->free_frames(), 3u);
  for (int round = 0; round < 10; ++round) {
    Frame a = std::move(pool->take(32, 18)).value();
    Frame b = std::move(pool->take(32, 18)).value();
    EXPECT_NE(a.planes[0], b.planes[0]);
  }
  EXPECT_EQ(pool->allocated(), 3);
}

TEST(FramePool, ANewSizeEmptiesThePoolAndOldFramesAreNotKept) {
  auto pool = std::make_shared<Pool>();
  Frame a = std::move(pool->take(64, 36)).value();
  Frame b = std::move(pool->take(64, 36)).value();
  a = Frame{};
  EXPECT_EQ(pool->free_frames(), 1u);
  // A live camera came back at another size.
  Frame c = std::move(pool->take(32, 18)).value();
  EXPECT_EQ(c.width_px, 32);
  EXPECT_EQ(pool->free_frames(), 0u);
  EXPECT_EQ(pool->allocated(), 1);  // counts the current size only
  b = Frame{};  // the old size: freed, not pooled
  EXPECT_EQ(pool->free_frames(), 0u);
  c = Frame{};
  EXPECT_EQ(pool->free_frames(), 1u);
}

TEST(FramePool, AFrameMayOutliveItsPool) {
  auto pool = std::make_shared<Pool>();
  Frame f = std::move(pool->take(64, 36)).value();
  pool.reset();  // e.g. an encoder still holds the last picture at shutdown
  std::memset(f.planes[0], 1, 64 * 36);
  f = Frame{};  // freed (LeakSanitizer would see it kept nowhere)
}

// As in the pipeline: one thread takes frames and stamps them, another
// passes them on, a third checks the stamp and lets go. A frame handed out
// again while still held would carry another stamp.
TEST(FramePool, ThreadsTakeAndGiveBackWithoutSharingAFrame) {
  constexpr int kFrames = 2000;
  constexpr std::size_t kQueue = 4;
  constexpr int kW = 32, kH = 18;
  auto pool = std::make_shared<Pool>();
  BoundedQueue<Frame> first(kQueue, OverflowPolicy::kBlock);
  BoundedQueue<Frame> second(kQueue, OverflowPolicy::kBlock);
  std::thread producer([&] {
    for (int i = 0; i < kFrames; ++i) {
      auto f = pool->take(kW, kH);
      if (!f.ok()) break;
      f->index = i;
      std::memset(f->planes[0], i % 251, static_cast<std::size_t>(kW) * kH);
      if (!first.push(std::move(f).value())) break;
    }
    first.close();
  });
  std::thread middle([&] {
    while (auto f = first.pop())
      if (!second.push(std::move(*f))) break;
    second.close();
  });
  int seen = 0, wrong = 0;
  while (auto f = second.pop()) {
    const auto stamp = static_cast<std::uint8_t>(f->index % 251);
    for (int p = 0; p < kW * kH; ++p) wrong += f->planes[0][p] != stamp ? 1 : 0;
    ++seen;
  }
  producer.join();
  middle.join();
  EXPECT_EQ(seen, kFrames);
  EXPECT_EQ(wrong, 0);
  // At most: both queues full, one frame in each thread's hands.
  EXPECT_LE(pool->allocated(), static_cast<int>(2 * kQueue + 3));
  EXPECT_EQ(pool->free_frames(), static_cast<std::size_t>(pool->allocated()));
}

}  // namespace
}  // namespace ballcam::pipeline
