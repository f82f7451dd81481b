#include "preview/picture.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "io/ffmpeg_raii.hpp"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace ballcam::preview {

namespace ff = io::ff;

Mark ball_mark(const TrackState& track, const CropRect& crop, int width_px, int height_px) {
  Mark m;
  if (!track.has_estimate || crop.w <= 0.0 || crop.h <= 0.0) return m;
  m.x = (track.position.x - crop.x) * width_px / crop.w;
  m.y = (track.position.y - crop.y) * height_px / crop.h;
  m.visible = m.x >= 0.0 && m.y >= 0.0 && m.x < width_px && m.y < height_px;
  return m;
}

void draw_ring(Frame& picture, double cx, double cy, double radius, double thickness, std::uint8_t y,
               std::uint8_t u, std::uint8_t v) {
  // Luma at full resolution, chroma at half: the same shape drawn per plane
  // in that plane's coordinates.
  auto plot = [&](int plane, double scale, std::uint8_t value) {
    const int pw = plane == 0 ? picture.width_px : (picture.width_px + 1) / 2;
    const int ph = plane == 0 ? picture.height_px : (picture.height_px + 1) / 2;
    const double pcx = cx * scale;
    const double pcy = cy * scale;
    const double outer = (radius + thickness * 0.5) * scale;
    const double inner = std::max(0.0, (radius - thickness * 0.5) * scale);
    const double dot = std::max(1.0, thickness * 0.75) * scale;
    const int x0 = std::max(0, static_cast<int>(std::floor(pcx - outer - 1)));
    const int x1 = std::min(pw - 1, static_cast<int>(std::ceil(pcx + outer + 1)));
    const int y0 = std::max(0, static_cast<int>(std::floor(pcy - outer - 1)));
    const int y1 = std::min(ph - 1, static_cast<int>(std::ceil(pcy + outer + 1)));
    for (int row = y0; row <= y1; ++row) {
      std::uint8_t* line = picture.planes[static_cast<std::size_t>(plane)] +
                           static_cast<std::ptrdiff_t>(row) * picture.strides[static_cast<std::size_t>(plane)];
      for (int col = x0; col <= x1; ++col) {
        const double d = std::hypot(col + 0.5 - pcx, row + 0.5 - pcy);
        if ((d >= inner && d <= outer) || d <= dot) line[col] = value;
      }
    }
  };
  plot(0, 1.0, y);
  plot(1, 0.5, u);
  plot(2, 0.5, v);
}

struct PictureEncoder::Impl {
  ff::SwsPtr sws;
  ff::CodecContextPtr codec;
  ff::FramePtr av_frame;
  ff::PacketPtr packet;
  Frame scaled;
  int src_w = 0;
  int src_h = 0;
  PixelFormat src_format = PixelFormat::kYuv420p;
  std::int64_t pts = 0;
};

PictureEncoder::PictureEncoder(int width_px, int quality)
    : impl_(std::make_unique<Impl>()), width_px_(std::max(16, width_px & ~1)), quality_(std::clamp(quality, 2, 31)) {}

PictureEncoder::~PictureEncoder() = default;

Result<std::vector<std::uint8_t>> PictureEncoder::encode(const Frame& frame, const TrackState& track,
                                                         const CropRect& crop) {
  if (frame.empty() || !frame.host_420() || frame.width_px < 2 || frame.height_px < 2) {
    return error(ErrorCode::kInvalidArgument, "preview: needs a host yuv420p or nv12 frame");
  }
  Impl& im = *impl_;
  // (Re)configure on the first frame and when the output size changes.
  if (frame.width_px != im.src_w || frame.height_px != im.src_h || frame.format != im.src_format || !im.codec) {
    const int w = std::min(width_px_, frame.width_px & ~1);
    const int h = std::max(2, static_cast<int>(std::lround(static_cast<double>(w) * frame.height_px /
                                                           frame.width_px / 2.0)) * 2);
    im.sws.reset(sws_getContext(frame.width_px, frame.height_px, io::ff::av_format_420(frame.format), w, h,
                                AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!im.sws) return error(ErrorCode::kInternal, "preview: swscale context");
    // Video range in, full (JPEG) range out: the layout of yuvj420p.
    const int* coeffs = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(im.sws.get(), coeffs, 0, coeffs, 1, 0, 1 << 16, 1 << 16);

    const AVCodec* mjpeg = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (mjpeg == nullptr) return error(ErrorCode::kUnavailable, "preview: libavcodec has no mjpeg encoder");
    im.codec.reset(avcodec_alloc_context3(mjpeg));
    if (!im.codec) return error(ErrorCode::kInternal, "preview: cannot allocate the mjpeg encoder");
    AVCodecContext* c = im.codec.get();
    c->width = w;
    c->height = h;
    c->pix_fmt = AV_PIX_FMT_YUVJ420P;
    c->color_range = AVCOL_RANGE_JPEG;
    c->time_base = AVRational{1, 25};
    c->flags |= AV_CODEC_FLAG_QSCALE;
    c->global_quality = FF_QP2LAMBDA * quality_;
    c->thread_count = 1;
    if (int rc = avcodec_open2(c, mjpeg, nullptr); rc < 0) {
      im.codec.reset();
      return error(ErrorCode::kInternal, "preview: cannot open the mjpeg encoder (" + std::to_string(rc) + ")");
    }
    im.av_frame.reset(av_frame_alloc());
    im.packet.reset(av_packet_alloc());
    if (!im.av_frame || !im.packet) return error(ErrorCode::kInternal, "preview: out of memory");
    im.scaled = Frame::allocate(PixelFormat::kYuv420p, w, h);
    im.src_w = frame.width_px;
    im.src_h = frame.height_px;
    im.src_format = frame.format;
    out_w_ = w;
    out_h_ = h;
  }

  Frame& pic = im.scaled;
  sws_scale(im.sws.get(), frame.planes.data(), frame.strides.data(), 0, frame.height_px, pic.planes.data(),
            pic.strides.data());

  if (const Mark m = ball_mark(track, crop, pic.width_px, pic.height_px); m.visible) {
    const double radius = std::max(7.0, pic.width_px * 0.022);
    const double thickness = std::max(2.0, pic.width_px / 320.0);
    // Full-range YUV: yellow while a detection confirms the ball, cyan while
    // the tracker predicts.
    if (track.mode == TrackMode::kTracking) {
      draw_ring(pic, m.x, m.y, radius, thickness, 226, 0, 149);
    } else {
      draw_ring(pic, m.x, m.y, radius, thickness, 179, 171, 0);
    }
  }

  AVFrame* f = im.av_frame.get();
  av_frame_unref(f);
  f->format = AV_PIX_FMT_YUVJ420P;
  f->width = pic.width_px;
  f->height = pic.height_px;
  f->color_range = AVCOL_RANGE_JPEG;
  for (std::size_t i = 0; i < 3; ++i) {
    f->data[i] = pic.planes[i];
    f->linesize[i] = pic.strides[i];
  }
  f->pts = im.pts++;
  f->quality = im.codec->global_quality;
  if (int rc = avcodec_send_frame(im.codec.get(), f); rc < 0) {
    return error(ErrorCode::kInternal, "preview: mjpeg encode failed (" + std::to_string(rc) + ")");
  }
  std::vector<std::uint8_t> jpeg;
  while (true) {
    const int rc = avcodec_receive_packet(im.codec.get(), im.packet.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) break;
    if (rc < 0) return error(ErrorCode::kInternal, "preview: mjpeg encode failed (" + std::to_string(rc) + ")");
    jpeg.assign(im.packet->data, im.packet->data + im.packet->size);
    av_packet_unref(im.packet.get());
  }
  if (jpeg.empty()) return error(ErrorCode::kInternal, "preview: the mjpeg encoder returned no picture");
  return jpeg;
}

}  // namespace ballcam::preview
