// NVDEC decode (FFmpeg's CUDA hwaccel, io/hwdecode) against libavcodec's CPU
// decode of the same stream: the downloaded NV12 planes must equal the CPU
// decoder's yuv420p planes (both are conformant H.264/HEVC decoders, so
// bit-exact is expected; the tolerance is 1 level). The clip is encoded here
// with whatever H.264/HEVC encoder this FFmpeg has. Skips without a GPU
// unless BALLCAM_GPU_REQUIRE_DEVICE=1. Needs only FFmpeg (no spdlog), so it
// builds in BALLCAM_GPU_ONLY trees too.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gpu/probe.hpp"
#include "gpu_test.hpp"
#include "io/ffmpeg_raii.hpp"
#include "io/hwdecode.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/hwcontext.h>
#include <libavutil/imgutils.h>
}

namespace ballcam::io {
namespace {

using gpu::testing::device_required;

struct Planes {  // one decoded picture as tight Y, U, V planes
  int w = 0, h = 0;
  std::vector<std::uint8_t> y, u, v;
};

// Encodes `frames` frames of a moving pattern with `encoder` into `path`
// (raw Annex B elementary stream: the h264/hevc demuxers read it back).
std::string encode_clip(const std::string& encoder, const std::string& muxer, const std::string& path, int w, int h,
                        int frames) {
  const AVCodec* codec = avcodec_find_encoder_by_name(encoder.c_str());
  if (codec == nullptr) return "no encoder " + encoder;
  ff::CodecContextPtr enc(avcodec_alloc_context3(codec));
  enc->width = w;
  enc->height = h;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = AVRational{1, 25};
  enc->framerate = AVRational{25, 1};
  enc->gop_size = 12;
  enc->max_b_frames = 2;
  ff::Dict opts;
  opts.set("preset", "ultrafast");
  opts.set("crf", "20");
  if (avcodec_open2(enc.get(), codec, opts.get()) < 0) return encoder + " does not open";
  AVFormatContext* raw = nullptr;
  if (avformat_alloc_output_context2(&raw, nullptr, muxer.c_str(), path.c_str()) < 0) return "no muxer " + muxer;
  ff::OutputFormatPtr out(raw);
  AVStream* st = avformat_new_stream(raw, nullptr);
  avcodec_parameters_from_context(st->codecpar, enc.get());
  st->time_base = enc->time_base;
  if (avio_open(&raw->pb, path.c_str(), AVIO_FLAG_WRITE) < 0) return "cannot write " + path;
  if (avformat_write_header(raw, nullptr) < 0) return "cannot write header";
  ff::FramePtr f = ff::make_frame();
  f->width = w;
  f->height = h;
  f->format = AV_PIX_FMT_YUV420P;
  av_frame_get_buffer(f.get(), 0);
  ff::PacketPtr pkt = ff::make_packet();
  auto drain = [&]() {
    while (avcodec_receive_packet(enc.get(), pkt.get()) == 0) {
      av_packet_rescale_ts(pkt.get(), enc->time_base, st->time_base);
      pkt->stream_index = 0;
      av_interleaved_write_frame(raw, pkt.get());
    }
  };
  for (int i = 0; i < frames; ++i) {
    av_frame_make_writable(f.get());
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        f->data[0][y * f->linesize[0] + x] = static_cast<std::uint8_t>((x + 3 * i) ^ (y * 2 + i));
    for (int p = 1; p < 3; ++p)
      for (int y = 0; y < h / 2; ++y)
        for (int x = 0; x < w / 2; ++x)
          f->data[p][y * f->linesize[p] + x] = static_cast<std::uint8_t>(128 + ((x * p + y + i) % 64) - 32);
    f->pts = i;
    avcodec_send_frame(enc.get(), f.get());
    drain();
  }
  avcodec_send_frame(enc.get(), nullptr);
  drain();
  av_write_trailer(raw);
  avio_closep(&raw->pb);
  return {};
}

// Decodes every frame; `nvdec` uses the CUDA hwaccel and downloads.
std::string decode_all(const std::string& path, bool nvdec, std::vector<Planes>* out, std::uint64_t* d2h_bytes) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) return "cannot open " + path;
  ff::InputFormatPtr in(raw);
  avformat_find_stream_info(raw, nullptr);
  const AVCodec* codec = avcodec_find_decoder(raw->streams[0]->codecpar->codec_id);
  ff::CodecContextPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), raw->streams[0]->codecpar);
  if (nvdec) {
    const Status st = enable_nvdec(dec.get(), 4);
    if (!st.ok()) return "SKIP:" + st.message();
  }
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return "decoder does not open";
  ff::PacketPtr pkt = ff::make_packet();
  ff::FramePtr f = ff::make_frame();
  std::string err;
  auto take = [&]() {
    while (avcodec_receive_frame(dec.get(), f.get()) == 0) {
      ff::FramePtr host;
      const AVFrame* pic = f.get();
      if (f->format == AV_PIX_FMT_CUDA) {
        auto d = download_hw_frame(f.get(), d2h_bytes);
        if (!d.ok()) {
          err = d.status().message();
          return;
        }
        host = std::move(d).value();
        pic = host.get();
      } else if (nvdec) {
        err = "NVDEC was enabled but the decoder produced host frames (hwaccel refused the stream)";
        return;
      }
      Planes p;
      p.w = pic->width;
      p.h = pic->height;
      p.y.resize(static_cast<std::size_t>(p.w) * p.h);
      p.u.resize(static_cast<std::size_t>(p.w / 2) * (p.h / 2));
      p.v.resize(p.u.size());
      for (int y = 0; y < p.h; ++y)
        for (int x = 0; x < p.w; ++x) p.y[static_cast<std::size_t>(y) * p.w + x] = pic->data[0][y * pic->linesize[0] + x];
      for (int y = 0; y < p.h / 2; ++y)
        for (int x = 0; x < p.w / 2; ++x) {
          const std::size_t i = static_cast<std::size_t>(y) * (p.w / 2) + x;
          if (pic->format == AV_PIX_FMT_NV12) {
            p.u[i] = pic->data[1][y * pic->linesize[1] + 2 * x];
            p.v[i] = pic->data[1][y * pic->linesize[1] + 2 * x + 1];
          } else {
            p.u[i] = pic->data[1][y * pic->linesize[1] + x];
            p.v[i] = pic->data[2][y * pic->linesize[2] + x];
          }
        }
      out->push_back(std::move(p));
      av_frame_unref(f.get());
    }
  };
  while (err.empty() && av_read_frame(raw, pkt.get()) >= 0) {
    avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
    take();
  }
  avcodec_send_packet(dec.get(), nullptr);
  if (err.empty()) take();
  return err;
}

int max_diff(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  int m = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::abs(int(a[i]) - int(b[i])));
  return m;
}

void compare_codec(const std::string& encoder, const std::string& muxer, int w, int h) {
  const gpu::DriverProbe& probe = gpu::probe_driver();
  if (!probe.has_gpu() && !device_required()) GTEST_SKIP() << "no GPU: " << probe.driver_error;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string path = (dir / ("ballcam_nvdec_" + muxer + "_" + std::to_string(w) + ".bin")).string();
  const std::string enc_err = encode_clip(encoder, muxer, path, w, h, 30);
  if (!enc_err.empty()) GTEST_SKIP() << "cannot make the clip: " << enc_err;
  std::vector<Planes> cpu, gpu;
  std::uint64_t bytes = 0;
  ASSERT_EQ(decode_all(path, false, &cpu, nullptr), "");
  const std::string gerr = decode_all(path, true, &gpu, &bytes);
  std::filesystem::remove(path);
  if (gerr.rfind("SKIP:", 0) == 0) {
    if (device_required()) {
      ASSERT_TRUE(false) << "NVDEC required (BALLCAM_GPU_REQUIRE_DEVICE=1): " << gerr.substr(5);
    }
    GTEST_SKIP() << gerr.substr(5);
  }
  ASSERT_EQ(gerr, "");
  ASSERT_EQ(cpu.size(), 30u);
  ASSERT_EQ(gpu.size(), cpu.size());
  int worst = 0;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    ASSERT_EQ(gpu[i].w, cpu[i].w);
    ASSERT_EQ(gpu[i].h, cpu[i].h);
    worst = std::max({worst, max_diff(cpu[i].y, gpu[i].y), max_diff(cpu[i].u, gpu[i].u), max_diff(cpu[i].v, gpu[i].v)});
  }
  std::printf("NVDEC %s %dx%d: %zu frames, max |NVDEC - CPU| = %d levels, %llu bytes downloaded\n", muxer.c_str(), w, h,
              gpu.size(), worst, static_cast<unsigned long long>(bytes));
  EXPECT_LE(worst, 1);
  EXPECT_EQ(bytes, static_cast<std::uint64_t>(w) * h * 3 / 2 * gpu.size());
}

TEST(GpuNvdec, H264MatchesCpuDecode) { compare_codec("libx264", "h264", 640, 360); }
TEST(GpuNvdec, H264MatchesCpuDecode1080p) { compare_codec("libx264", "h264", 1920, 1080); }
TEST(GpuNvdec, HevcMatchesCpuDecode) { compare_codec("libx265", "hevc", 640, 360); }

// Decode-only throughput (not a timed assertion; a measurement for
// scripts/device-check.sh): BALLCAM_NVDEC_BENCH=clip.mp4 decodes the clip
// with the CPU decoder (frame threads), NVDEC keeping frames on the device,
// and NVDEC + download, and prints frames per second.
double decode_fps(const std::string& path, int mode /*0 cpu, 1 nvdec, 2 nvdec+download*/, int* frames_out,
                  std::string* err) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) {
    *err = "cannot open " + path;
    return 0;
  }
  ff::InputFormatPtr in(raw);
  avformat_find_stream_info(raw, nullptr);
  const int vi = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  const AVCodec* codec = avcodec_find_decoder(raw->streams[vi]->codecpar->codec_id);
  ff::CodecContextPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), raw->streams[vi]->codecpar);
  dec->thread_count = 0;
  if (mode != 0) {
    const Status st = enable_nvdec(dec.get(), 4);
    if (!st.ok()) {
      *err = st.message();
      return 0;
    }
  }
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) {
    *err = "decoder does not open";
    return 0;
  }
  ff::PacketPtr pkt = ff::make_packet();
  ff::FramePtr f = ff::make_frame();
  int frames = 0;
  std::uint64_t bytes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto take = [&]() {
    while (avcodec_receive_frame(dec.get(), f.get()) == 0) {
      if (mode == 2) (void)download_hw_frame(f.get(), &bytes);
      ++frames;
      av_frame_unref(f.get());
    }
  };
  while (av_read_frame(raw, pkt.get()) >= 0) {
    if (pkt->stream_index == vi) avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
    take();
  }
  avcodec_send_packet(dec.get(), nullptr);
  take();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  *frames_out = frames;
  return s > 0 ? frames / s : 0;
}

TEST(GpuNvdec, Throughput) {
  const char* clip = std::getenv("BALLCAM_NVDEC_BENCH");
  if (clip == nullptr || *clip == 0) GTEST_SKIP() << "set BALLCAM_NVDEC_BENCH=clip to measure";
  const char* names[] = {"CPU (libavcodec, frame threads)", "NVDEC (frames stay on the GPU)", "NVDEC + download to host"};
  for (int mode = 0; mode < 3; ++mode) {
    int frames = 0;
    std::string err;
    const double fps = decode_fps(clip, mode, &frames, &err);
    if (!err.empty()) {
      std::printf("| %s | - | %s |\n", names[mode], err.c_str());
      continue;
    }
    std::printf("| %s | %d frames | %.1f fps |\n", names[mode], frames, fps);
  }
}

// Runs everywhere: without a driver enable_nvdec says so (kUnavailable) and
// the probe agrees.
TEST(GpuNvdec, UnavailableIsNamed) {
  const gpu::DriverProbe& probe = gpu::probe_driver();
  if (probe.has_gpu()) GTEST_SKIP() << "a GPU is here: " << probe.gpus.front().name;
  ff::CodecContextPtr dec(avcodec_alloc_context3(avcodec_find_decoder(AV_CODEC_ID_H264)));
  const Status st = enable_nvdec(dec.get(), 4);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.code() == ErrorCode::kUnavailable);
  EXPECT_FALSE(probe.driver_error.empty());
  std::string why;
  EXPECT_FALSE(gpu::nvdec_supports(probe, 0, "h264", 1920, 1080, 8, &why));
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace ballcam::io
