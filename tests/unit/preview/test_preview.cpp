#include "preview/preview_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "metrics/metrics.hpp"
#include "preview/picture.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace ballcam::preview {
namespace {

// A 1280x720 yuv420p picture: a horizontal luma ramp shifted by `phase`.
Frame test_frame(int phase, int w = 1280, int h = 720) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) f.planes[0][y * f.strides[0] + x] = static_cast<std::uint8_t>(16 + (x + phase) % 200);
  }
  for (int p = 1; p < 3; ++p) {
    for (int y = 0; y < h / 2; ++y) std::memset(f.planes[p] + y * f.strides[p], 128, static_cast<std::size_t>(w / 2));
  }
  return f;
}

TrackState tracking_at(double x, double y) {
  TrackState t;
  t.mode = TrackMode::kTracking;
  t.has_estimate = true;
  t.position = {x, y};
  t.frame_index = 7;
  return t;
}

// Width and height from the first SOFn marker of a JPEG.
bool jpeg_size(const std::string& jpeg, int& w, int& h) {
  std::size_t i = 2;
  while (i + 9 < jpeg.size()) {
    if (static_cast<unsigned char>(jpeg[i]) != 0xFF) return false;
    const auto marker = static_cast<unsigned char>(jpeg[i + 1]);
    const int len = (static_cast<unsigned char>(jpeg[i + 2]) << 8) | static_cast<unsigned char>(jpeg[i + 3]);
    if (marker >= 0xC0 && marker <= 0xC3) {
      h = (static_cast<unsigned char>(jpeg[i + 5]) << 8) | static_cast<unsigned char>(jpeg[i + 6]);
      w = (static_cast<unsigned char>(jpeg[i + 7]) << 8) | static_cast<unsigned char>(jpeg[i + 8]);
      return true;
    }
    i += 2 + static_cast<std::size_t>(len);
  }
  return false;
}

// Decodes a JPEG with libavcodec; returns the luma at (x, y) or -1.
struct Decoded {
  int width = 0;
  int height = 0;
  int luma_at_mark = -1;
  int luma_far = -1;
};
Decoded decode_jpeg(const std::string& jpeg, int mark_x, int mark_y) {
  Decoded d;
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
  if (codec == nullptr) return d;
  AVCodecContext* ctx = avcodec_alloc_context3(codec);
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  if (avcodec_open2(ctx, codec, nullptr) == 0 && av_new_packet(pkt, static_cast<int>(jpeg.size())) == 0) {
    std::memcpy(pkt->data, jpeg.data(), jpeg.size());
    if (avcodec_send_packet(ctx, pkt) == 0 && avcodec_receive_frame(ctx, frame) == 0) {
      d.width = frame->width;
      d.height = frame->height;
      if (mark_x >= 0 && mark_y >= 0) d.luma_at_mark = frame->data[0][mark_y * frame->linesize[0] + mark_x];
    }
  }
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&ctx);
  return d;
}

TEST(BallMark, MapsSourcePixelsIntoThePicture) {
  CropRect crop{100, 50, 640, 360};
  Mark m = ball_mark(tracking_at(420, 230), crop, 320, 180);
  ASSERT_TRUE(m.visible);
  EXPECT_DOUBLE_EQ(m.x, 160.0);
  EXPECT_DOUBLE_EQ(m.y, 90.0);
  EXPECT_FALSE(ball_mark(tracking_at(50, 230), crop, 320, 180).visible);  // left of the crop
  TrackState none;
  EXPECT_FALSE(ball_mark(none, crop, 320, 180).visible);
}

TEST(PictureEncoder, DownscalesMarksAndEncodesJpeg) {
  PictureEncoder enc(640, 5);
  const CropRect crop{0, 0, 1920, 1080};  // the output shows the whole source
  auto jpeg = enc.encode(test_frame(0), tracking_at(960, 540), crop);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status().message();
  ASSERT_GT(jpeg->size(), 100u);
  EXPECT_EQ((*jpeg)[0], 0xFF);
  EXPECT_EQ((*jpeg)[1], 0xD8);
  EXPECT_EQ(enc.last_width_px(), 640);
  EXPECT_EQ(enc.last_height_px(), 360);
}

TEST(PictureEncoder, RejectsNonYuvFrames) {
  PictureEncoder enc(640, 5);
  Frame rgb = Frame::allocate(PixelFormat::kRgb24, 64, 64);
  EXPECT_FALSE(enc.encode(rgb, TrackState{}, CropRect{0, 0, 64, 64}).ok());
  EXPECT_FALSE(enc.encode(Frame{}, TrackState{}, CropRect{0, 0, 64, 64}).ok());
}

class PreviewServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PreviewCallbacks cb;
    cb.stats = [this] {
      registry.counter("frames_out").add(3);  // numbers that change between requests
      registry.stage("detect").add_ms(4.0);
      return pipeline_stats(registry, {{"fps", 25.0}, {"frames_dropped_now", 2.0}});
    };
    PreviewOptions options;  // port 0: any free port
    options.max_fps = 50.0;
    auto s = PreviewServer::start(options, std::move(cb));
    ASSERT_TRUE(s.ok()) << s.status().message();
    server = std::move(s).value();
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_read_timeout(5, 0);
  }
  metrics::Registry registry;
  std::unique_ptr<PreviewServer> server;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(PreviewServerTest, ServesThePage) {
  auto res = client->Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(res->body.find("<img"), std::string::npos);
  EXPECT_NE(res->body.find("<script>"), std::string::npos);
  EXPECT_NE(res->body.find("/stats.json"), std::string::npos);
  EXPECT_NE(res->body.find("/frame.jpg"), std::string::npos);
  EXPECT_NE(res->body.find("id=\"frames\""), std::string::npos);
}

TEST_F(PreviewServerTest, FrameJpegAfterAPush) {
  auto before = client->Get("/frame.jpg");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 503);

  // Output 1280x720 showing a 1280x720 crop at (100, 200); ball at picture (640, 360).
  const CropRect crop{100, 200, 1280, 720};
  server->push(test_frame(0), tracking_at(100 + 640, 200 + 360), crop);
  ASSERT_TRUE(server->wait_for_pictures(1, 5000));
  auto res = client->Get("/frame.jpg");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "image/jpeg");
  ASSERT_GT(res->body.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(res->body[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(res->body[1]), 0xD8);
  EXPECT_EQ(static_cast<unsigned char>(res->body[res->body.size() - 2]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(res->body[res->body.size() - 1]), 0xD9);
  int w = 0;
  int h = 0;
  ASSERT_TRUE(jpeg_size(res->body, w, h));
  EXPECT_EQ(w, 640);
  EXPECT_EQ(h, 360);
  // Decodes, and the ring is drawn around the ball (centre dot at 320, 180).
  Decoded d = decode_jpeg(res->body, 320, 180);
  EXPECT_EQ(d.width, 640);
  EXPECT_EQ(d.height, 360);
  EXPECT_GT(d.luma_at_mark, 200);
}

TEST_F(PreviewServerTest, StatsJsonIsValidAndChanges) {
  server->push(test_frame(0), tracking_at(500, 300), CropRect{0, 0, 1280, 720});
  ASSERT_TRUE(server->wait_for_pictures(1, 5000));
  auto a = client->Get("/stats.json");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  auto b = client->Get("/stats.json");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->get_header_value("Content-Type"), "application/json");
  const auto ja = nlohmann::json::parse(a->body);  // throws (fails the test) if invalid
  const auto jb = nlohmann::json::parse(b->body);
  EXPECT_DOUBLE_EQ(ja.at("fps").get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(ja.at("dropped").get<double>(), 2.0);
  EXPECT_EQ(ja.at("track").at("mode"), "tracking");
  EXPECT_TRUE(ja.at("track").at("has_estimate").get<bool>());
  EXPECT_DOUBLE_EQ(ja.at("track").at("x").get<double>(), 500.0);
  EXPECT_GT(ja.at("stages").at("detect").at("p95_ms").get<double>(), 3.5);
  EXPECT_EQ(ja.at("preview").at("pictures"), 1);
  EXPECT_LT(ja.at("frames_out").get<int>(), jb.at("frames_out").get<int>());
  EXPECT_LT(ja.at("uptime_s").get<double>(), jb.at("uptime_s").get<double>());
}

TEST_F(PreviewServerTest, MjpegStreamSendsParts) {
  std::thread pusher([this] {
    for (int i = 0; i < 20; ++i) {
      server->push(test_frame(i * 10), tracking_at(640, 360), CropRect{0, 0, 1280, 720});
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });
  std::string body;
  std::string content_type;
  auto res = client->Get(
      "/stream.mjpg",
      [&](const httplib::Response& r) {
        content_type = r.get_header_value("Content-Type");
        return true;
      },
      [&](const char* data, std::size_t n) {
        body.append(data, n);
        // Stop after two complete parts.
        std::size_t first = body.find("--ballcamframe");
        return first == std::string::npos || body.find("--ballcamframe", first + 1) == std::string::npos ||
               body.find("\xFF\xD9", body.find("--ballcamframe", first + 1)) == std::string::npos;
      });
  pusher.join();
  EXPECT_NE(content_type.find("multipart/x-mixed-replace"), std::string::npos);
  EXPECT_NE(body.find("Content-Type: image/jpeg"), std::string::npos);
  EXPECT_NE(body.find("\xFF\xD8"), std::string::npos);
}

TEST_F(PreviewServerTest, PushIsRateLimitedAndNeverWaits) {
  // max_fps 50 here: 1000 pushes in a tight loop accept only the first few.
  const Frame f = test_frame(0);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) server->push(f, tracking_at(10, 10), CropRect{0, 0, 1280, 720});
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(ms, 50.0);
  ASSERT_TRUE(server->wait_for_pictures(1, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LE(server->pictures_encoded(), 1u + static_cast<std::uint64_t>(ms / 20.0) + 1u);
}

TEST(PreviewServer, PortInUseIsAnError) {
  auto a = PreviewServer::start(PreviewOptions{}, PreviewCallbacks{});
  ASSERT_TRUE(a.ok());
  PreviewOptions same;
  same.port = (*a)->port();
  auto b = PreviewServer::start(same, PreviewCallbacks{});
  EXPECT_FALSE(b.ok());
}

}  // namespace
}  // namespace ballcam::preview
