#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "io/media_internal.hpp"
#include "io/source.hpp"
#include "io_test_util.hpp"

namespace ballcam::io {
namespace {
using namespace ballcam::io::testing;

std::unique_ptr<Source> open_ok(const std::string& url, bool want_audio = true) {
  SourceOptions o;
  o.url = url;
  o.want_audio = want_audio;
  auto r = Source::open(o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : nullptr;
}

Status open_error(const std::string& url, std::int64_t timeout_ms = 3000) {
  SourceOptions o;
  o.url = url;
  o.open_timeout_ms = timeout_ms;
  o.read_timeout_ms = timeout_ms;
  auto r = Source::open(o);
  if (r.ok()) {
    // Some broken inputs only fail once decoding starts.
    auto d = decode_all(**r);
    return d.status;
  }
  return r.status();
}

TEST(RedactUrl, RemovesCredentials) {
  EXPECT_EQ(redact_url("rtsp://admin:s3cret@10.0.0.5:554/stream1"), "rtsp://10.0.0.5:554/stream1");
  EXPECT_EQ(redact_url("rtmp://user@host/app/key"), "rtmp://host/app/***");
  EXPECT_EQ(redact_url("http://a:b@host/path?x=@y"), "http://host/path?x=@y");
  EXPECT_EQ(redact_url("/videos/match.mp4"), "/videos/match.mp4");
  EXPECT_EQ(redact_url("srt://host:9000?mode=caller"), "srt://host:9000?mode=caller");
  EXPECT_EQ(redact_url("srt://host:9000?mode=caller&passphrase=topsecret1"), "srt://host:9000?mode=caller&passphrase=***");
}

TEST(RedactUrl, LogLinesAreCleaned) {
  EXPECT_EQ(redact_urls_in("[rtsp @ 0x1] method DESCRIBE failed for rtsp://bob:pw@cam/1: 401\n"),
            "[rtsp @ 0x1] method DESCRIBE failed for rtsp://cam/1: 401\n");
  EXPECT_EQ(redact_urls_in("no url here"), "no url here");
}

TEST(Source, DecodesFramesWithSizeCountAndMonotonicPts) {
  auto src = open_ok(fixture("av.mp4"));
  ASSERT_TRUE(src);
  const StreamInfo& info = src->info();
  EXPECT_EQ(info.width_px, 320);
  EXPECT_EQ(info.height_px, 240);
  EXPECT_EQ(info.video_codec, "h264");
  EXPECT_NEAR(info.frame_rate.value(), 25.0, 0.01);
  EXPECT_EQ(info.frame_count, 50);
  EXPECT_NEAR(static_cast<double>(info.duration_us), 2.0e6, 0.1e6);
  EXPECT_FALSE(info.live);
  EXPECT_TRUE(info.has_audio);
  EXPECT_EQ(info.audio_codec, "aac");
  ASSERT_NE(src->audio(), nullptr);

  auto d = decode_all(*src);
  ASSERT_TRUE(d.status.ok()) << d.status.to_string();
  ASSERT_EQ(d.frames.size(), 50u);
  EXPECT_GT(d.audio_packets, 80);  // 2 s of 48 kHz AAC = ~94 packets
  EXPECT_LT(d.frames.front().pts_us, 50000);
  for (std::size_t i = 0; i < d.frames.size(); ++i) {
    EXPECT_EQ(d.frames[i].width_px, 320);
    EXPECT_EQ(d.frames[i].height_px, 240);
    EXPECT_EQ(d.frames[i].index, static_cast<std::int64_t>(i));
    EXPECT_EQ(d.frames[i].format, PixelFormat::kYuv420p);
    if (i > 0) {
      EXPECT_GT(d.frames[i].pts_us, d.frames[i - 1].pts_us);
    }
  }
  EXPECT_NEAR(static_cast<double>(d.frames.back().pts_us - d.frames.front().pts_us), 49 * 40000.0, 1000.0);
  EXPECT_EQ(src->corrupt_packets(), 0u);
  EXPECT_GT(src->bytes_read(), 0u);
}

TEST(Source, ZeroCopyFramesStayValidAfterLaterReads) {
  auto src = open_ok(fixture("av.mp4"), /*want_audio=*/false);
  ASSERT_TRUE(src);
  EXPECT_EQ(src->audio(), nullptr);
  std::vector<Frame> kept;
  for (;;) {
    auto item = src->read();
    ASSERT_TRUE(item.ok());
    if (std::holds_alternative<EndOfStream>(*item)) break;
    ASSERT_TRUE(std::holds_alternative<Frame>(*item)) << "audio packet although want_audio=false";
    kept.push_back(std::get<Frame>(std::move(*item)));
  }
  ASSERT_EQ(kept.size(), 50u);
  // testsrc2 changes every frame: held frames must still have distinct pixels.
  const Frame& a = kept[3];
  const Frame& b = kept[40];
  ASSERT_TRUE(a.storage && b.storage);
  int differing = 0;
  for (int y = 0; y < a.height_px; ++y) {
    for (int x = 0; x < a.width_px; ++x) differing += a.planes[0][y * a.strides[0] + x] != b.planes[0][y * b.strides[0] + x];
  }
  EXPECT_GT(differing, 100);
}

TEST(Source, ConvertsOtherPixelFormatsToYuv420p) {
  auto src = open_ok(fixture("yuv444.mkv"));
  ASSERT_TRUE(src);
  auto d = decode_all(*src);
  ASSERT_TRUE(d.status.ok()) << d.status.to_string();
  ASSERT_EQ(d.frames.size(), 25u);
  EXPECT_EQ(d.frames[0].width_px, 320);
  EXPECT_EQ(d.frames[0].format, PixelFormat::kYuv420p);
}

TEST(Source, RawElementaryStreamGetsMonotonicTimestamps) {
  auto src = open_ok(fixture("raw.h264"));
  ASSERT_TRUE(src);
  auto d = decode_all(*src);
  ASSERT_TRUE(d.status.ok()) << d.status.to_string();
  ASSERT_EQ(d.frames.size(), 25u);
  for (std::size_t i = 1; i < d.frames.size(); ++i) EXPECT_GT(d.frames[i].pts_us, d.frames[i - 1].pts_us);
}

TEST(Source, CorruptPacketsAreSkippedNotFatal) {
  auto src = open_ok(fixture("corrupt.ts"));
  ASSERT_TRUE(src);
  auto d = decode_all(*src);
  ASSERT_TRUE(d.status.ok()) << d.status.to_string();
  EXPECT_GT(d.frames.size(), 10u);
  EXPECT_LE(d.frames.size(), 50u);
}

TEST(Source, InterruptEndsReading) {
  auto src = open_ok(fixture("av.mp4"));
  ASSERT_TRUE(src);
  src->interrupt();
  auto item = src->read();
  ASSERT_TRUE(item.ok());
  EXPECT_TRUE(std::holds_alternative<EndOfStream>(*item));
}

struct BadInput {
  const char* name;
  std::string url;
  const char* expect_in_message;
};


TEST(SourceErrors, EachBadInputFailsWithOneLineInputError) {
  const std::vector<BadInput> cases = {
      {"missing", fixture_dir() + "/does_not_exist.mp4", "no such file"},
      {"empty", fixture("empty.mp4"), "empty"},
      {"text", fixture("text.txt"), "not a"},
      {"text without extension", fixture("notes"), "not a"},
      {"garbage", fixture("garbage.mp4"), ""},
      {"truncated", fixture("truncated.mp4"), ""},
      {"audio only", fixture("audio_only.m4a"), "no video stream"},
      {"directory", fixture_dir(), "directory"},
      {"unreachable rtmp", "rtmp://127.0.0.1:9/live/stream", ""},
      {"unreachable rtsp with credentials", "rtsp://user:hunter2@127.0.0.1:9/stream", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto t0 = std::chrono::steady_clock::now();
    Status st = open_error(c.url);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.code(), ErrorCode::kInputError) << st.to_string();
    EXPECT_NE(st.message().find(c.expect_in_message), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find('\n'), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find("hunter2"), std::string::npos) << "credentials leaked: " << st.message();
    EXPECT_LT(elapsed, std::chrono::seconds(6));
  }
}

TEST(SourceErrors, OpenTimeoutIsHonoured) {
  // A non-routable address: either refused at once (no network here) or
  // timed out by the interrupt callback; never a hang.
  const auto t0 = std::chrono::steady_clock::now();
  Status st = open_error("rtsp://10.255.255.1:554/stream", 800);
  EXPECT_EQ(st.code(), ErrorCode::kInputError) << st.to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(Source, RealFootageRubi) {
  const std::string path = std::string(BALLCAM_SHARED_DIR) + "/footage/rubi_football.mp4";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  auto src = open_ok(path);
  ASSERT_TRUE(src);
  EXPECT_EQ(src->info().width_px, 1280);
  EXPECT_EQ(src->info().height_px, 720);
  EXPECT_TRUE(src->info().has_audio);
  EXPECT_NEAR(static_cast<double>(src->info().frame_count), 854.0, 10.0);
  auto d = decode_all(*src);
  ASSERT_TRUE(d.status.ok()) << d.status.to_string();
  // 854 packets, of which the mp4 edit list hides 14 (ffmpeg itself shows 840).
  EXPECT_NEAR(static_cast<double>(d.frames.size()), 847.0, 10.0);
  EXPECT_GT(d.audio_packets, 0);
  for (std::size_t i = 1; i < d.frames.size(); ++i) ASSERT_GT(d.frames[i].pts_us, d.frames[i - 1].pts_us) << i;
}

}  // namespace
}  // namespace ballcam::io
