#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "io/sink.hpp"
#include "io/source.hpp"
#include "io_test_util.hpp"

namespace ballcam::io {
namespace {
namespace fs = std::filesystem;
using namespace ballcam::io::testing;

SinkOptions small_sink(const std::string& url) {
  SinkOptions o;
  o.url = url;
  o.video.width_px = 320;
  o.video.height_px = 240;
  o.video.frame_rate = {25, 1};
  o.video.preset = "ultrafast";
  o.video.threads = 2;
  return o;
}

// Source -> Sink, passing every frame and audio packet through.
void transcode(const std::string& in, SinkOptions out, std::uint64_t* frames = nullptr) {
  SourceOptions so;
  so.url = in;
  auto src = Source::open(so);
  ASSERT_TRUE(src.ok()) << src.status().to_string();
  auto sink = Sink::open(out, (*src)->audio());
  ASSERT_TRUE(sink.ok()) << sink.status().to_string();
  for (;;) {
    auto item = (*src)->read();
    ASSERT_TRUE(item.ok()) << item.status().to_string();
    if (std::holds_alternative<EndOfStream>(*item)) break;
    if (auto* f = std::get_if<Frame>(&*item)) {
      ASSERT_TRUE((*sink)->write_video(*f).ok());
    } else {
      ASSERT_TRUE((*sink)->write_audio(std::get<AudioPacket>(std::move(*item))).ok());
    }
  }
  Status st = (*sink)->finish();
  ASSERT_TRUE(st.ok()) << st.to_string();
  EXPECT_GT((*sink)->bytes_written(), 0u);
  if (frames != nullptr) *frames = (*sink)->frames_written();
}

double to_double(const std::string& s) { return s.empty() || s == "N/A" ? -1.0 : std::stod(s); }

bool moov_before_mdat(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto moov = data.find("moov");
  const auto mdat = data.find("mdat");
  return moov != std::string::npos && mdat != std::string::npos && moov < mdat;
}

TEST(Sink, RoundTripMp4WithAudioCopyIsFaststart) {
  const std::string out = scratch_path("roundtrip.mp4");
  std::uint64_t frames = 0;
  transcode(fixture("av.mp4"), small_sink(out), &frames);
  EXPECT_EQ(frames, 50u);
  auto v = probe_stream(out, "v:0", true);
  EXPECT_EQ(v["codec_name"], "h264");
  EXPECT_EQ(v["width"], "320");
  EXPECT_EQ(v["height"], "240");
  EXPECT_EQ(v["nb_read_frames"], "50");
  EXPECT_EQ(v["avg_frame_rate"], "25/1");
  auto a = probe_stream(out, "a:0");
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_NEAR(to_double(probe_format(out)["duration"]), 2.0, 0.15);
  EXPECT_TRUE(moov_before_mdat(out));
}

TEST(Sink, AudioLongBeforeVideoIsBufferedAndInterleaved) {
  SourceOptions so;
  so.url = fixture("av.mp4");
  auto src = Source::open(so);
  ASSERT_TRUE(src.ok());
  std::vector<Frame> frames;
  std::vector<AudioPacket> audio;
  for (;;) {
    auto item = (*src)->read();
    ASSERT_TRUE(item.ok());
    if (std::holds_alternative<EndOfStream>(*item)) break;
    if (auto* f = std::get_if<Frame>(&*item)) frames.push_back(std::move(*f));
    else audio.push_back(std::get<AudioPacket>(std::move(*item)));
  }
  const std::string out = scratch_path("audio_first.mp4");
  auto sink = Sink::open(small_sink(out), (*src)->audio());
  ASSERT_TRUE(sink.ok());
  for (auto& p : audio) ASSERT_TRUE((*sink)->write_audio(std::move(p)).ok());  // all 2 s of audio first
  for (const auto& f : frames) ASSERT_TRUE((*sink)->write_video(f).ok());
  ASSERT_TRUE((*sink)->finish().ok());
  EXPECT_EQ(probe_stream(out, "v:0", true)["nb_read_frames"], "50");
  EXPECT_NEAR(to_double(probe_stream(out, "a:0")["duration"]), 2.0, 0.1);
  EXPECT_NEAR(to_double(probe_stream(out, "v:0")["duration"]), 2.0, 0.1);
}

TEST(Sink, AudioCopyIntoMkv) {
  const std::string out = scratch_path("copy.mkv");
  transcode(fixture("av.mp4"), small_sink(out));
  EXPECT_EQ(probe_stream(out, "v:0", true)["nb_read_frames"], "50");
  EXPECT_EQ(probe_stream(out, "a:0")["codec_name"], "aac");
  EXPECT_NE(probe_format(out)["format_name"].find("matroska"), std::string::npos);
}

TEST(Sink, PcmAudioIsTranscodedToAacForMp4) {
  const std::string out = scratch_path("pcm_to.mp4");
  transcode(fixture("pcm.mkv"), small_sink(out));
  EXPECT_EQ(probe_stream(out, "v:0", true)["nb_read_frames"], "50");
  auto a = probe_stream(out, "a:0");
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_EQ(a["sample_rate"], "48000");
  EXPECT_NEAR(to_double(a["duration"]), 2.0, 0.15);
}

TEST(Sink, OpusIsTranscodedToAacForFlvOverride) {
  const std::string out = scratch_path("opus_to.flv");
  SinkOptions o = small_sink(out);
  o.format = "flv";
  transcode(fixture("opus.mkv"), o);
  EXPECT_EQ(probe_format(out)["format_name"], "flv");
  EXPECT_EQ(probe_stream(out, "v:0", true)["nb_read_frames"], "50");
  EXPECT_EQ(probe_stream(out, "a:0")["codec_name"], "aac");
}

TEST(Sink, MpegTsByExtensionAndByOverride) {
  const std::string by_ext = scratch_path("out.ts");
  transcode(fixture("av.mp4"), small_sink(by_ext));
  EXPECT_EQ(probe_format(by_ext)["format_name"], "mpegts");
  EXPECT_EQ(probe_stream(by_ext, "a:0")["codec_name"], "aac");

  const std::string by_override = scratch_path("out.bin");
  SinkOptions o = small_sink(by_override);
  o.format = "mpegts";
  o.audio = AudioPolicy::kNone;
  transcode(fixture("av.mp4"), o);
  EXPECT_EQ(probe_format(by_override)["format_name"], "mpegts");
  EXPECT_EQ(probe_stream(by_override, "v:0", true)["nb_read_frames"], "50");
  EXPECT_EQ(probe_format(by_override)["nb_streams"], "1");  // kNone: no audio stream
}

TEST(Sink, PcmSamplesFromSynthesiserBecomeAac) {
  const std::string out = scratch_path("synth.mov");
  SinkOptions o = small_sink(out);
  o.video.bitrate_kbps = 500;
  o.video.zerolatency = true;
  o.video.gop_frames = 10;
  auto sink = Sink::open(o, make_pcm_audio_desc(44100, 2));
  ASSERT_TRUE(sink.ok()) << sink.status().to_string();
  std::vector<float> pcm(2 * 1764);  // 40 ms at 44.1 kHz
  int t = 0;
  for (int i = 0; i < 50; ++i) {
    for (std::size_t s = 0; s < pcm.size() / 2; ++s, ++t) {
      pcm[2 * s] = pcm[2 * s + 1] = 0.3f * static_cast<float>(std::sin(2 * M_PI * 440 * t / 44100.0));
    }
    // Audio first, before its video: must be buffered, not break anything.
    ASSERT_TRUE((*sink)->write_audio_samples(pcm.data(), 1764, i * 40000).ok());
    ASSERT_TRUE((*sink)->write_video(make_test_frame(320, 240, i, i * 40000)).ok());
  }
  ASSERT_TRUE((*sink)->finish().ok());
  EXPECT_TRUE((*sink)->finish().ok());  // idempotent
  EXPECT_EQ(probe_stream(out, "v:0", true)["nb_read_frames"], "50");
  auto a = probe_stream(out, "a:0");
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_EQ(a["sample_rate"], "44100");
  EXPECT_EQ(a["channels"], "2");
  EXPECT_NEAR(to_double(a["duration"]), 2.0, 0.1);
  EXPECT_TRUE(moov_before_mdat(out));
}

TEST(Sink, NonIncreasingTimestampsAreNudgedForward) {
  const std::string out = scratch_path("nudge.mp4");
  auto sink = Sink::open(small_sink(out), nullptr);
  ASSERT_TRUE(sink.ok());
  const std::int64_t pts[] = {0, 40000, 40000, 30000, 120000, 160000, 160000, 200000};
  int i = 0;
  for (std::int64_t p : pts) ASSERT_TRUE((*sink)->write_video(make_test_frame(320, 240, i++, p)).ok());
  ASSERT_TRUE((*sink)->finish().ok());
  EXPECT_EQ(probe_stream(out, "v:0", true)["nb_read_frames"], "8");
}

TEST(Sink, VariableFrameRateTimingIsKeptWithBFrames) {
  const std::string out = scratch_path("vfr.mkv");
  SinkOptions o = small_sink(out);
  o.video.preset = "veryfast";  // B-frames on: pts != dts
  auto sink = Sink::open(o, nullptr);
  ASSERT_TRUE(sink.ok());
  std::vector<std::int64_t> pts;
  std::int64_t t = 0;
  for (int i = 0; i < 30; ++i) {
    pts.push_back(t);
    ASSERT_TRUE((*sink)->write_video(make_test_frame(320, 240, i, t)).ok());
    t += (i % 3 == 0) ? 100000 : 20000;  // 10 fps and 50 fps mixed
  }
  ASSERT_TRUE((*sink)->finish().ok());
  const std::string times =
      run_command("ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 '" + out + "'");
  std::istringstream in(times);
  std::vector<double> got;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) got.push_back(std::stod(line));
  }
  ASSERT_EQ(got.size(), pts.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i] - got[0], (pts[i] - pts[0]) / 1e6, 0.0015) << i;
}

TEST(Sink, WrongFrameSizeIsRejected) {
  const std::string out = scratch_path("wrongsize.mp4");
  auto sink = Sink::open(small_sink(out), nullptr);
  ASSERT_TRUE(sink.ok());
  Status st = (*sink)->write_video(make_test_frame(640, 480, 0, 0));
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
}

// A yuv420p picture whose U and V differ everywhere (a swapped or shifted
// chroma plane shows), and the same picture as NV12.
Frame chroma_pattern(int w, int h, int index) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) f.planes[0][y * f.strides[0] + x] = static_cast<std::uint8_t>(16 + (x * 2 + y + index * 7) % 200);
  for (int y = 0; y < h / 2; ++y)
    for (int x = 0; x < w / 2; ++x) {
      f.planes[1][y * f.strides[1] + x] = static_cast<std::uint8_t>(30 + (x * 3 + y + index) % 180);
      f.planes[2][y * f.strides[2] + x] = static_cast<std::uint8_t>(220 - (x + 2 * y + index) % 170);
    }
  f.pts_us = index * 40000;
  f.index = index;
  return f;
}

Frame as_nv12(const Frame& yuv) {
  Frame f = Frame::allocate(PixelFormat::kNv12, yuv.width_px, yuv.height_px);
  for (int y = 0; y < yuv.height_px; ++y)
    std::memcpy(f.planes[0] + y * f.strides[0], yuv.planes[0] + y * yuv.strides[0], static_cast<std::size_t>(yuv.width_px));
  for (int y = 0; y < yuv.height_px / 2; ++y)
    for (int x = 0; x < yuv.width_px / 2; ++x) {
      f.planes[1][y * f.strides[1] + 2 * x] = yuv.planes[1][y * yuv.strides[1] + x];
      f.planes[1][y * f.strides[1] + 2 * x + 1] = yuv.planes[2][y * yuv.strides[2] + x];
    }
  f.pts_us = yuv.pts_us;
  f.index = yuv.index;
  return f;
}

// The GPU path hands the encoder NV12 pictures and the gap slate yuv420p:
// an encoder opened for either takes both, and (lossless, crf 0) the decoded
// pictures are the ones given, plane for plane.
TEST(Sink, TakesYuv420pAndNv12PicturesWhicheverItWasOpenedFor) {
  for (const PixelFormat input : {PixelFormat::kNv12, PixelFormat::kYuv420p}) {
    const std::string out = scratch_path(std::string("mixed_") + to_string(input) + ".mkv");
    SinkOptions o = small_sink(out);
    o.video.width_px = 64;
    o.video.height_px = 48;
    o.video.crf = 0;  // x264 lossless
    o.video.input = input;
    std::vector<Frame> want;
    {
      auto sink = Sink::open(o, nullptr);
      ASSERT_TRUE(sink.ok()) << sink.status().to_string();
      for (int i = 0; i < 6; ++i) {
        want.push_back(chroma_pattern(64, 48, i));
        const Frame given = i % 2 == 0 ? as_nv12(want.back()) : want.back();
        const Status st = (*sink)->write_video(given);
        ASSERT_TRUE(st.ok()) << st.to_string();
      }
      ASSERT_TRUE((*sink)->finish().ok());
    }
    SourceOptions so;
    so.url = out;
    auto src = Source::open(so);
    ASSERT_TRUE(src.ok()) << src.status().to_string();
    std::size_t n = 0;
    for (;;) {
      auto item = (*src)->read();
      ASSERT_TRUE(item.ok());
      if (std::holds_alternative<EndOfStream>(*item)) break;
      const Frame* f = std::get_if<Frame>(&*item);
      if (f == nullptr) continue;
      ASSERT_LT(n, want.size());
      ASSERT_EQ(f->format, PixelFormat::kYuv420p);
      const Frame& w = want[n];
      int worst = 0;
      for (int p = 0; p < 3; ++p)
        for (int y = 0; y < (p == 0 ? 48 : 24); ++y)
          for (int x = 0; x < (p == 0 ? 64 : 32); ++x)
            worst = std::max(worst, std::abs(int{f->planes[p][y * f->strides[p] + x]} - int{w.planes[p][y * w.strides[p] + x]}));
      EXPECT_EQ(worst, 0) << to_string(input) << " encoder, frame " << n;
      ++n;
    }
    EXPECT_EQ(n, want.size());
  }
}

// NVENC: where it does not open (no GPU here; no NVENC engine on an H100)
// the sink says so with kUnavailable and leaves nothing; CUDA frames only go
// to NVENC, and a host sink refuses them.
TEST(Sink, EncoderChoiceErrorsAreClear) {
  const std::string out = scratch_path("nvenc.mp4");
  SinkOptions o = small_sink(out);
  o.video.encoder = "h264_nvenc";
  auto nvenc = Sink::open(o, nullptr);
  if (nvenc.ok()) GTEST_SKIP() << "h264_nvenc opens here: a GPU with NVENC";
  EXPECT_EQ(nvenc.status().code(), ErrorCode::kUnavailable) << nvenc.status().to_string();
  EXPECT_NE(nvenc.status().message().find("h264_nvenc"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));

  o.video.encoder = "libx264";
  o.video.cuda_frames = true;
  o.video.input = PixelFormat::kNv12;
  EXPECT_EQ(Sink::open(o, nullptr).status().code(), ErrorCode::kInvalidArgument);
  o.video.encoder = "mpeg2video";
  o.video.cuda_frames = false;
  EXPECT_EQ(Sink::open(o, nullptr).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(out));

  o.video.encoder = "libx264";
  auto sink = Sink::open(o, nullptr);
  ASSERT_TRUE(sink.ok());
  Frame device = make_test_frame(320, 240, 0, 0);
  device.memory = MemoryLocation::kCuda;  // never dereferenced: refused first
  device.format = PixelFormat::kNv12;
  const Status st = (*sink)->write_video(device);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("CUDA nv12"), std::string::npos) << st.message();
}

TEST(Sink, UnwritablePathFailsAndLeavesNothing) {
  auto sink = Sink::open(small_sink("/nonexistent-dir/x.mp4"), nullptr);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), ErrorCode::kOutputError);
  EXPECT_FALSE(fs::exists("/nonexistent-dir/x.mp4"));

  auto unknown = Sink::open(small_sink(scratch_path("noext")), nullptr);
  EXPECT_EQ(unknown.status().code(), ErrorCode::kOutputError);
}

TEST(Sink, DestroyedWithoutFinishLeavesValidFile) {
  const std::string out = scratch_path("abandoned.mp4");
  {
    auto sink = Sink::open(small_sink(out), nullptr);
    ASSERT_TRUE(sink.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*sink)->write_video(make_test_frame(320, 240, i, i * 40000)).ok());
  }
  EXPECT_EQ(probe_stream(out, "v:0", true)["nb_read_frames"], "10");
  EXPECT_TRUE(moov_before_mdat(out));
}

TEST(Sink, ZeroFramesRemovesFileAndReportsError) {
  const std::string out = scratch_path("empty.mp4");
  auto sink = Sink::open(small_sink(out), nullptr);
  ASSERT_TRUE(sink.ok());
  EXPECT_TRUE(fs::exists(out));
  Status st = (*sink)->finish();
  EXPECT_EQ(st.code(), ErrorCode::kOutputError);
  EXPECT_NE(st.message().find("no video frames were written"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));

  const std::string out2 = scratch_path("empty2.mkv");
  { auto s2 = Sink::open(small_sink(out2), make_pcm_audio_desc(48000, 1)); }
  EXPECT_FALSE(fs::exists(out2));
}

TEST(Sink, UnreachableRtmpFailsWithinSeconds) {
  SinkOptions o = small_sink("rtmp://127.0.0.1:9/live/key");
  o.open_timeout_ms = 2000;
  const auto t0 = std::chrono::steady_clock::now();
  auto sink = Sink::open(o, nullptr);
  EXPECT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), ErrorCode::kOutputError);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ballcam::io
