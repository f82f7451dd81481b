// Live path over loopback UDP (mpegts): live detection, zero-latency encode,
// interrupt() from another thread, and timeouts that never hang.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "io/sink.hpp"
#include "io/source.hpp"
#include "io_test_util.hpp"

namespace ballcam::io {
namespace {
using namespace ballcam::io::testing;
using Clock = std::chrono::steady_clock;

TEST(Live, UdpSourceWithoutSenderTimesOut) {
  SourceOptions o;
  o.url = "udp://127.0.0.1:23457";
  o.open_timeout_ms = 700;
  o.read_timeout_ms = 700;
  const auto t0 = Clock::now();
  auto src = Source::open(o);
  EXPECT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), ErrorCode::kInputError) << src.status().to_string();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(4));
}

TEST(Live, UdpRoundTripIsLiveAndInterruptible) {
  const std::string url = "udp://127.0.0.1:23458";
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread sender([&] {
    SinkOptions so;
    so.url = url;
    so.video.width_px = 320;
    so.video.height_px = 240;
    so.video.preset = "ultrafast";
    so.video.zerolatency = true;
    so.video.gop_frames = 5;
    auto sink = Sink::open(so, nullptr);
    ASSERT_TRUE(sink.ok()) << sink.status().to_string();
    for (int i = 0; i < 150 && !stop; ++i) {  // at most 6 s
      ASSERT_TRUE((*sink)->write_video(make_test_frame(320, 240, i, i * 40000)).ok());
      sent = i + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    EXPECT_TRUE((*sink)->finish().ok());
  });

  SourceOptions o;
  o.url = url;
  o.open_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  auto src = Source::open(o);
  ASSERT_TRUE(src.ok()) << src.status().to_string();
  EXPECT_TRUE((*src)->info().live);
  EXPECT_EQ((*src)->info().duration_us, -1);
  EXPECT_EQ((*src)->info().width_px, 320);
  int frames = 0;
  std::int64_t last_pts = -1;
  while (frames < 15) {
    auto item = (*src)->read();
    ASSERT_TRUE(item.ok()) << item.status().to_string();
    ASSERT_FALSE(std::holds_alternative<EndOfStream>(*item));
    if (auto* f = std::get_if<Frame>(&*item)) {
      EXPECT_GT(f->pts_us, last_pts);
      last_pts = f->pts_us;
      ++frames;
    }
  }
  // Stop the sender; a read blocked on the silent socket must return
  // promptly once interrupted, well before the 5 s read timeout.
  stop = true;
  sender.join();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    (*src)->interrupt();
  });
  const auto t0 = Clock::now();
  bool ended = false;
  for (int i = 0; i < 1000 && !ended; ++i) {
    auto item = (*src)->read();
    ASSERT_TRUE(item.ok()) << item.status().to_string();
    ended = std::holds_alternative<EndOfStream>(*item);
  }
  stopper.join();
  EXPECT_TRUE(ended);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
}

}  // namespace
}  // namespace ballcam::io
