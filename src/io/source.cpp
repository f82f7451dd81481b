#include "io/source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "gpu/probe.hpp"
#include "io/ffmpeg_raii.hpp"
#include "io/media_internal.hpp"

extern "C" {
#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>
#include <libavutil/time.h>
}

namespace ballcam::io {
namespace {

bool is_local_path(const std::string& url) {
  const std::string scheme = url_scheme(url);
  return scheme.empty() || scheme == "file";
}

std::string local_path(const std::string& url) {
  return url_scheme(url) == "file" ? url.substr(std::string_view("file://").size()) : url;
}

// Protocols that are live by nature; http(s) is live only without a duration.
bool is_live_scheme(const std::string& scheme) {
  static constexpr std::array<std::string_view, 8> kLive = {"rtsp", "rtsps", "rtmp", "rtmps", "srt", "udp", "rtp", "tcp"};
  return std::find(kLive.begin(), kLive.end(), scheme) != kLive.end();
}

// Shared by the AVIOInterruptCB and interrupt(): a user stop and a deadline.
struct InterruptState {
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> deadline_us{0};  // av_gettime_relative() clock; 0 = none
  std::atomic<bool> timed_out{false};

  static int callback(void* opaque) {
    auto* s = static_cast<InterruptState*>(opaque);
    if (s->stop.load(std::memory_order_relaxed)) return 1;
    const std::int64_t d = s->deadline_us.load(std::memory_order_relaxed);
    if (d != 0 && av_gettime_relative() > d) {
      s->timed_out.store(true, std::memory_order_relaxed);
      return 1;
    }
    return 0;
  }
  void arm(std::int64_t timeout_ms) {
    timed_out.store(false, std::memory_order_relaxed);
    deadline_us.store(timeout_ms > 0 ? av_gettime_relative() + timeout_ms * 1000 : 0, std::memory_order_relaxed);
  }
};

Status input_error(const std::string& url_redacted, const std::string& what) {
  return error(ErrorCode::kInputError, "input '" + url_redacted + "': " + what);
}

class FfmpegSource final : public Source {
 public:
  explicit FfmpegSource(SourceOptions options) : options_(std::move(options)) {}

  Status open() {
    info_.url_redacted = redact_url(options_.url);
    const std::string scheme = url_scheme(options_.url);
    if (options_.url.empty()) return input_error(info_.url_redacted, "no input given");

    if (is_local_path(options_.url)) {
      struct stat st {};
      const std::string path = local_path(options_.url);
      if (::stat(path.c_str(), &st) != 0) return input_error(info_.url_redacted, "no such file");
      if (S_ISDIR(st.st_mode)) return input_error(info_.url_redacted, "is a directory, not a video file");
      if (S_ISREG(st.st_mode) && st.st_size == 0) return input_error(info_.url_redacted, "file is empty");
    }

    AVFormatContext* raw = avformat_alloc_context();
    if (raw == nullptr) return error(ErrorCode::kInternal, "out of memory");
    raw->interrupt_callback.callback = &InterruptState::callback;
    raw->interrupt_callback.opaque = &interrupt_;

    ff::Dict opts;
    if (!is_local_path(options_.url)) {
      const std::string rw_us = std::to_string(std::max<std::int64_t>(options_.read_timeout_ms, 1) * 1000);
      opts.set("rw_timeout", rw_us);
      if (scheme == "rtsp" || scheme == "rtsps") {
        opts.set("rtsp_transport", options_.rtsp_transport);
        opts.set("timeout", rw_us);
      }
      if (scheme == "http" || scheme == "https") opts.set("reconnect", "1");
    }

    interrupt_.arm(options_.open_timeout_ms);
    int rc = avformat_open_input(&raw, options_.url.c_str(), nullptr, opts.get());
    if (rc < 0) {  // avformat_open_input frees `raw` on failure
      if (interrupt_.stop) return input_error(info_.url_redacted, "open interrupted");
      if (interrupt_.timed_out) return input_error(info_.url_redacted, "timed out opening (no answer in " + std::to_string(options_.open_timeout_ms) + " ms)");
      if (rc == AVERROR_INVALIDDATA) return input_error(info_.url_redacted, "not a recognised media file (unknown or corrupt format)");
      if (rc == AVERROR_HTTP_UNAUTHORIZED) return input_error(info_.url_redacted, "the server refused the credentials (401 Unauthorized); check user and password in the URL");
      if (rc == AVERROR_HTTP_FORBIDDEN) return input_error(info_.url_redacted, "access forbidden by the server (403 Forbidden)");
      if (rc == AVERROR_HTTP_NOT_FOUND) return input_error(info_.url_redacted, "no such stream on the server (404 Not Found); check the path");
      return input_error(info_.url_redacted, "cannot open: " + ff::error_string(rc));
    }
    fmt_.reset(raw);
    info_.format_name = fmt_->iformat->name;
    if (info_.format_name == "tty") return input_error(info_.url_redacted, "not a video file (looks like text)");

    rc = avformat_find_stream_info(fmt_.get(), nullptr);
    if (rc < 0) {
      if (interrupt_.timed_out) return input_error(info_.url_redacted, "timed out reading stream information");
      return input_error(info_.url_redacted, "cannot read stream information: " + ff::error_string(rc));
    }

    video_index_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    const int audio_index = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (video_index_ < 0) {
      if (audio_index >= 0) return input_error(info_.url_redacted, "has audio but no video stream");
      return input_error(info_.url_redacted, "not a video file (no video stream)");
    }
    AVStream* vs = fmt_->streams[video_index_];
    if ((vs->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0) {
      return input_error(info_.url_redacted, "has only a cover picture, no video stream");
    }
    const AVCodec* codec = avcodec_find_decoder(vs->codecpar->codec_id);
    if (codec == nullptr) {
      return input_error(info_.url_redacted, std::string("no decoder for video codec ") + avcodec_get_name(vs->codecpar->codec_id));
    }
    if (vs->codecpar->width <= 0 || vs->codecpar->height <= 0) {
      return input_error(info_.url_redacted, "video stream cannot be decoded (corrupt or truncated)");
    }
    // A 1x1 (or 3x200...) picture has nothing to follow a ball in; the
    // detector and the crop need a few pixels each way.
    if (vs->codecpar->width < 16 || vs->codecpar->height < 16) {
      return input_error(info_.url_redacted, "picture " + std::to_string(vs->codecpar->width) + "x" +
                                                 std::to_string(vs->codecpar->height) +
                                                 " is too small (at least 16x16 pixels)");
    }

    dec_.reset(avcodec_alloc_context3(codec));
    if (!dec_) return error(ErrorCode::kInternal, "out of memory");
    rc = avcodec_parameters_to_context(dec_.get(), vs->codecpar);
    if (rc < 0) return input_error(info_.url_redacted, "bad codec parameters: " + ff::error_string(rc));
    dec_->pkt_timebase = vs->time_base;
    if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0) info_.duration_us = fmt_->duration;
    switch (options_.live) {
      case LiveMode::kLive: info_.live = true; break;
      case LiveMode::kFile: info_.live = false; break;
      case LiveMode::kAuto:
        info_.live = is_live_scheme(scheme) ||
                     ((scheme == "http" || scheme == "https" || scheme == "hls") && info_.duration_us < 0);
        break;
    }
    dec_->thread_count = options_.decoder_threads;  // 0 = auto
    // Frame threads hold back one frame per thread: live inputs decode with
    // slice threads only, so a frame leaves the decoder as soon as it is in.
    dec_->thread_type = info_.live ? FF_THREAD_SLICE : FF_THREAD_FRAME | FF_THREAD_SLICE;
    BALLCAM_RETURN_IF_ERROR(setup_hw_decode());
    rc = avcodec_open2(dec_.get(), codec, nullptr);
    if (rc < 0) return input_error(info_.url_redacted, "cannot open video decoder: " + ff::error_string(rc));

    // Stream information.
    info_.video_codec = avcodec_get_name(vs->codecpar->codec_id);
    info_.width_px = vs->codecpar->width;
    info_.height_px = vs->codecpar->height;
    AVRational fr = vs->avg_frame_rate;
    if (fr.num <= 0 || fr.den <= 0) fr = vs->r_frame_rate;
    if (fr.num > 0 && fr.den > 0) info_.frame_rate = Rational{fr.num, fr.den};
    if (info_.live) info_.duration_us = -1;
    if (!info_.live) {
      if (vs->nb_frames > 0) {
        info_.frame_count = vs->nb_frames;
      } else if (info_.duration_us > 0 && info_.frame_rate.num > 0) {
        info_.frame_count = static_cast<std::int64_t>(static_cast<double>(info_.duration_us) / 1e6 * info_.frame_rate.value() + 0.5);
      }
    }
    frame_duration_ = info_.frame_rate.num > 0 ? av_rescale_q(1, AVRational{info_.frame_rate.den, info_.frame_rate.num}, kMicros) : 40000;

    if (audio_index >= 0) {
      AVStream* as = fmt_->streams[audio_index];
      info_.has_audio = true;
      info_.audio_codec = avcodec_get_name(as->codecpar->codec_id);
      if (options_.want_audio) {
        audio_index_ = audio_index;
        auto desc = std::make_shared<AudioStreamDesc>();
        desc->kind = AudioStreamDesc::Kind::kCompressed;
        desc->par.reset(avcodec_parameters_alloc());
        if (!desc->par || avcodec_parameters_copy(desc->par.get(), as->codecpar) < 0) {
          return error(ErrorCode::kInternal, "out of memory");
        }
        desc->time_base = as->time_base;
        audio_desc_ = std::move(desc);
      }
    }
    // Drop the packets of streams we don't use at the demuxer.
    for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
      if (static_cast<int>(i) != video_index_ && static_cast<int>(i) != audio_index_) fmt_->streams[i]->discard = AVDISCARD_ALL;
    }

    if (fmt_->start_time != AV_NOPTS_VALUE) origin_us_ = fmt_->start_time;
    packet_ = ff::make_packet();
    if (!packet_) return error(ErrorCode::kInternal, "out of memory");
    return Status::Ok();
  }

  const StreamInfo& info() const override { return info_; }
  AudioStreamDescPtr audio() const override { return audio_desc_; }
  void interrupt() override { interrupt_.stop.store(true); }
  std::uint64_t corrupt_packets() const override { return corrupt_packets_; }
  std::uint64_t bytes_read() const override { return bytes_read_; }
  std::uint64_t bytes_device_to_host() const override { return bytes_device_to_host_; }

  Result<SourceItem> read() override {
    for (;;) {
      if (interrupt_.stop.load()) return SourceItem{EndOfStream{}};
      if (decoder_drained_) return end_of_stream();

      // Drain the decoder before feeding it more.
      if (!spare_) spare_ = ff::make_frame();  // handed out with each Frame, so one per picture
      if (!spare_) return error(ErrorCode::kInternal, "out of memory");
      int rc = avcodec_receive_frame(dec_.get(), spare_.get());
      if (rc == 0) {
        auto out = to_frame(std::move(spare_));
        if (!out.ok()) return out.status();
        return SourceItem{std::move(out).value()};
      }
      if (rc == AVERROR_EOF) {
        decoder_drained_ = true;
        continue;
      }
      if (rc != AVERROR(EAGAIN)) {  // a frame that failed to decode: skip it
        ++corrupt_packets_;
        continue;
      }
      if (demux_eof_) {  // decoder wants input but there is none: flush
        if (avcodec_send_packet(dec_.get(), nullptr) < 0) decoder_drained_ = true;
        continue;
      }

      interrupt_.arm(info_.live ? options_.read_timeout_ms : 0);
      rc = av_read_frame(fmt_.get(), packet_.get());
      if (rc < 0) {
        if (interrupt_.stop.load()) return SourceItem{EndOfStream{}};
        if (interrupt_.timed_out.load()) {
          return input_error(info_.url_redacted, "no data for " + std::to_string(options_.read_timeout_ms) + " ms");
        }
        if (rc != AVERROR_EOF && info_.live) return input_error(info_.url_redacted, "read failed: " + ff::error_string(rc));
        // Files: a read error past the start is a truncated file; deliver what was decodable.
        demux_eof_ = true;
        continue;
      }
      bytes_read_ += static_cast<std::uint64_t>(packet_->size);
      if (origin_us_ == AV_NOPTS_VALUE) {
        const std::int64_t ts = packet_->dts != AV_NOPTS_VALUE ? packet_->dts : packet_->pts;
        if (ts != AV_NOPTS_VALUE) origin_us_ = av_rescale_q(ts, fmt_->streams[packet_->stream_index]->time_base, kMicros);
      }
      if (packet_->stream_index == video_index_) {
        rc = avcodec_send_packet(dec_.get(), packet_.get());
        av_packet_unref(packet_.get());
        if (rc < 0 && rc != AVERROR(EAGAIN)) ++corrupt_packets_;
        continue;
      }
      if (packet_->stream_index == audio_index_) {
        auto impl = std::make_unique<AudioPacket::Impl>();
        impl->time_base = fmt_->streams[audio_index_]->time_base;
        impl->packet = ff::make_packet();
        if (!impl->packet) return error(ErrorCode::kInternal, "out of memory");
        av_packet_move_ref(impl->packet.get(), packet_.get());
        const std::int64_t origin = origin_us_ == AV_NOPTS_VALUE ? 0 : av_rescale_q(origin_us_, kMicros, impl->time_base);
        if (impl->packet->pts != AV_NOPTS_VALUE) impl->packet->pts -= origin;
        if (impl->packet->dts != AV_NOPTS_VALUE) impl->packet->dts -= origin;
        return SourceItem{AudioPacket(std::move(impl))};
      }
      av_packet_unref(packet_.get());
    }
  }

 private:
  Result<SourceItem> end_of_stream() {
    if (frames_decoded_ == 0) {
      return input_error(info_.url_redacted, "no video frame could be decoded (corrupt or truncated file)");
    }
    return SourceItem{EndOfStream{}};
  }

  // --decode nvdec|auto: NVDEC through FFmpeg's CUDA hwaccel (io/hwdecode).
  Status setup_hw_decode() {
    info_.decoder = "cpu";
    if (options_.decode == DecodeMode::kCpu) return Status::Ok();
    // The driver's own answer first (codec, size, bit depth), so a stream
    // NVDEC cannot take is named here rather than failing inside FFmpeg.
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(dec_->pix_fmt);
    const int depth = desc != nullptr ? desc->comp[0].depth : 8;
    std::string why;
    Status st = nvdec_codec(dec_->codec_id)
                    ? (gpu::nvdec_supports(gpu::probe_driver(), 0, avcodec_get_name(dec_->codec_id), dec_->width,
                                           dec_->height, depth, &why)
                           ? enable_nvdec(dec_.get(), options_.hw_frames_in_flight)
                           : error(ErrorCode::kUnavailable, why))
                    : error(ErrorCode::kUnavailable, std::string("NVDEC does not take ") + avcodec_get_name(dec_->codec_id));
    if (st.ok()) {
      info_.decoder = "nvdec";
      return st;
    }
    if (options_.decode == DecodeMode::kNvdec) {
      return error(ErrorCode::kUnavailable, "--decode nvdec: " + st.message());
    }
    info_.decoder_note = st.message();
    return Status::Ok();
  }

  // Points f's first `planes` planes at av's and makes f own av (no copy).
  static void adopt_planes(Frame& f, ff::FramePtr av, int planes) {
    for (int p = 0; p < planes; ++p) {
      f.planes[p] = av->data[p];
      f.strides[p] = av->linesize[p];
    }
    f.storage = std::shared_ptr<void>(av.release(), [](void* p) {
      auto* fr = static_cast<AVFrame*>(p);
      av_frame_free(&fr);
    });
  }

  Result<Frame> to_frame(ff::FramePtr av) {
    Frame f;
    f.format = PixelFormat::kYuv420p;
    f.memory = MemoryLocation::kHost;
    f.width_px = av->width;
    f.height_px = av->height;
    f.index = static_cast<std::int64_t>(frames_decoded_++);

    // Timestamp: the decoder's best guess, else synthesised from the frame rate.
    const std::int64_t ts = av->best_effort_timestamp;
    std::int64_t pts_us;
    if (ts != AV_NOPTS_VALUE) {
      pts_us = av_rescale_q(ts, fmt_->streams[video_index_]->time_base, kMicros) -
               (origin_us_ == AV_NOPTS_VALUE ? 0 : origin_us_);
    } else {
      pts_us = last_pts_us_ == AV_NOPTS_VALUE ? 0 : last_pts_us_ + frame_duration_;
    }
    last_pts_us_ = pts_us;
    f.pts_us = pts_us;

    if (info_.decoder == "nvdec" && av->format != AV_PIX_FMT_CUDA && !warned_hw_fallback_) {
      // FFmpeg falls back to its software decoder when the hwaccel fails to
      // initialise (it logs why); say so once rather than claim NVDEC.
      warned_hw_fallback_ = true;
      spdlog::warn("input {}: NVDEC did not start (see FFmpeg's message above); decoding on the CPU",
                   info_.url_redacted);
    }
    if (av->format == AV_PIX_FMT_CUDA) {
      const AVHWFramesContext* hwf = reinterpret_cast<const AVHWFramesContext*>(av->hw_frames_ctx->data);
      if (options_.keep_device_frames && (hwf->sw_format == AV_PIX_FMT_NV12 || hwf->sw_format == AV_PIX_FMT_P010)) {
        // The GPU path takes both on the device (10-bit is converted to NV12
        // there, pipeline/gpu_frames.hpp).
        f.format = hwf->sw_format == AV_PIX_FMT_NV12 ? PixelFormat::kNv12 : PixelFormat::kP010;
        f.memory = MemoryLocation::kCuda;
        adopt_planes(f, std::move(av), 2);
        return f;
      }
      // The CPU pipeline, or a device format the GPU path does not take: one
      // download, then -> yuv420p below (the GPU path uploads it again,
      // counted).
      auto host = download_hw_frame(av.get(), &bytes_device_to_host_);
      if (!host.ok()) return host.status();
      av = std::move(host).value();
    }
    const auto fmt = static_cast<AVPixelFormat>(av->format);
    if (fmt == AV_PIX_FMT_YUV420P || fmt == AV_PIX_FMT_YUVJ420P) {
      adopt_planes(f, std::move(av), 3);
      return f;
    }
    // Any other pixel format: one swscale conversion into a fresh host frame.
    sws_.reset(sws_getCachedContext(sws_.release(), av->width, av->height, fmt, av->width, av->height,
                                    AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!sws_) {
      return input_error(info_.url_redacted, std::string("cannot convert pixel format ") +
                                                 (av_get_pix_fmt_name(fmt) ? av_get_pix_fmt_name(fmt) : "?"));
    }
    Frame out = Frame::allocate(PixelFormat::kYuv420p, av->width, av->height);
    out.pts_us = f.pts_us;
    out.index = f.index;
    sws_scale(sws_.get(), av->data, av->linesize, 0, av->height, out.planes.data(), out.strides.data());
    av_frame_unref(av.get());
    spare_ = std::move(av);  // the picture was copied: reuse the AVFrame
    return out;
  }

  SourceOptions options_;
  StreamInfo info_;
  InterruptState interrupt_;  // must outlive fmt_ (declared before it)
  ff::InputFormatPtr fmt_;
  ff::CodecContextPtr dec_;
  ff::PacketPtr packet_;
  ff::FramePtr spare_;
  ff::SwsPtr sws_;
  AudioStreamDescPtr audio_desc_;
  int video_index_ = -1;
  int audio_index_ = -1;
  std::int64_t origin_us_ = AV_NOPTS_VALUE;
  std::int64_t last_pts_us_ = AV_NOPTS_VALUE;
  std::int64_t frame_duration_ = 40000;
  bool demux_eof_ = false;
  bool decoder_drained_ = false;
  std::uint64_t frames_decoded_ = 0;
  std::uint64_t corrupt_packets_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t bytes_device_to_host_ = 0;
  bool warned_hw_fallback_ = false;
};


std::int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A live network input that survives the camera going away: a lost, ended or
// stalled session is closed and the URL reopened with backoff until
// interrupt(). Each session's timestamps are shifted so the timeline
// continues: the first item of a new session lands at the wall-clock time it
// arrived (never before the last one), so the gap keeps its real length.
class ReconnectingSource final : public Source {
 public:
  ReconnectingSource(SourceOptions options, std::unique_ptr<FfmpegSource> first)
      : options_(std::move(options)),
        info_(first->info()),
        audio_(first->audio()),
        backoff_(options_.reconnect_backoff),
        current_(std::move(first)) {
    frame_us_ = info_.frame_rate.num > 0 ? static_cast<std::int64_t>(1e6 / info_.frame_rate.value()) : 40000;
  }

  const StreamInfo& info() const override { return info_; }
  AudioStreamDescPtr audio() const override { return audio_; }
  std::uint64_t corrupt_packets() const override {
    std::lock_guard lock(mutex_);
    return corrupt_done_ + (current_ ? current_->corrupt_packets() : 0);
  }
  std::uint64_t bytes_read() const override {
    std::lock_guard lock(mutex_);
    return bytes_done_ + (current_ ? current_->bytes_read() : 0);
  }
  std::uint64_t reconnects() const override { return reconnects_.load(); }

  void interrupt() override {
    wait_.cancel();
    std::lock_guard lock(mutex_);
    if (current_) current_->interrupt();
    if (opening_ != nullptr) opening_->interrupt();
  }

  Result<SourceItem> read() override {
    for (;;) {
      if (wait_.cancelled()) return SourceItem{EndOfStream{}};
      if (!current_ && !reconnect()) return SourceItem{EndOfStream{}};
      auto item = current_->read();
      if (wait_.cancelled()) return SourceItem{EndOfStream{}};
      if (item.ok() && !std::holds_alternative<EndOfStream>(*item)) {
        if (retime(*item)) return item;
        continue;  // audio of a session whose audio the output cannot take
      }
      spdlog::warn("input {}: {}; reconnecting", info_.url_redacted,
                   item.ok() ? std::string("stream ended") : item.status().message());
      close_session();
    }
  }

 private:
  void close_session() {
    std::unique_ptr<FfmpegSource> old;
    {
      std::lock_guard lock(mutex_);
      corrupt_done_ += current_->corrupt_packets();
      bytes_done_ += current_->bytes_read();
      current_->interrupt();  // close without waiting on a dead peer (no RTSP TEARDOWN round trip)
      old = std::move(current_);
    }
    lost_at_us_ = steady_us();
  }

  bool reconnect() {
    std::uint64_t failures = 0;
    for (;;) {
      if (!wait_.wait_ms(backoff_.next_delay_ms())) return false;
      auto src = std::make_unique<FfmpegSource>(options_);
      {
        std::lock_guard lock(mutex_);
        if (wait_.cancelled()) return false;
        opening_ = src.get();
      }
      Status st = src->open();
      {
        std::lock_guard lock(mutex_);
        opening_ = nullptr;
      }
      if (wait_.cancelled()) return false;
      if (!st.ok()) {
        if (failures++ % 10 == 0) spdlog::warn("input reconnect failed: {}", st.message());
        continue;
      }
      const StreamInfo& ni = src->info();
      spdlog::info("input {} back after {:.1f} s: {} {}x{}", info_.url_redacted, (steady_us() - lost_at_us_) / 1e6,
                   ni.video_codec, ni.width_px, ni.height_px);
      same_audio_ = ni.has_audio && ni.audio_codec == info_.audio_codec;
      anchored_ = false;
      backoff_.reset();
      reconnects_.fetch_add(1);
      std::lock_guard lock(mutex_);
      current_ = std::move(src);
      return true;
    }
  }

  // Shifts the item onto the continuous timeline; false = drop it.
  bool retime(SourceItem& item) {
    auto* frame = std::get_if<Frame>(&item);
    auto* packet = std::get_if<AudioPacket>(&item);
    if (packet != nullptr && reconnects_.load() > 0 && !same_audio_) return false;
    const std::int64_t pts = frame != nullptr ? frame->pts_us : packet->pts_us();
    if (!anchored_) {
      const std::int64_t now = steady_us();
      if (wall0_us_ == AV_NOPTS_VALUE) {
        wall0_us_ = now - pts;  // first session: keep its own times
        offset_us_ = 0;
      } else {
        offset_us_ = std::max(now - wall0_us_, last_pts_us_ + frame_us_) - pts;
      }
      anchored_ = true;
    }
    if (frame != nullptr) {
      frame->pts_us += offset_us_;
      frame->index = next_index_++;
      last_pts_us_ = std::max(last_pts_us_, frame->pts_us);
    } else if (offset_us_ != 0 && packet->impl() != nullptr && packet->impl()->packet) {
      AVPacket* p = packet->impl()->packet.get();
      const std::int64_t shift = av_rescale_q(offset_us_, kMicros, packet->impl()->time_base);
      if (p->pts != AV_NOPTS_VALUE) p->pts += shift;
      if (p->dts != AV_NOPTS_VALUE) p->dts += shift;
    }
    return true;
  }

  SourceOptions options_;
  StreamInfo info_;  // the first session's; frames carry their own size
  AudioStreamDescPtr audio_;
  Backoff backoff_;
  CancellableWait wait_;
  mutable std::mutex mutex_;  // current_ and opening_ against interrupt() and the counters
  std::unique_ptr<FfmpegSource> current_;
  FfmpegSource* opening_ = nullptr;
  std::uint64_t corrupt_done_ = 0;
  std::uint64_t bytes_done_ = 0;
  std::atomic<std::uint64_t> reconnects_{0};
  bool same_audio_ = true;
  bool anchored_ = false;
  std::int64_t wall0_us_ = AV_NOPTS_VALUE;
  std::int64_t offset_us_ = 0;
  std::int64_t last_pts_us_ = 0;
  std::int64_t frame_us_ = 40000;
  std::int64_t lost_at_us_ = 0;
  std::int64_t next_index_ = 0;
};

}  // namespace

Result<std::unique_ptr<Source>> Source::open(const SourceOptions& options) {
  install_log_filter();
  auto src = std::make_unique<FfmpegSource>(options);
  BALLCAM_RETURN_IF_ERROR(src->open());
  if (options.reconnect && src->info().live && !is_local_path(options.url)) {
    return std::unique_ptr<Source>(std::make_unique<ReconnectingSource>(options, std::move(src)));
  }
  return std::unique_ptr<Source>(std::move(src));
}

}  // namespace ballcam::io
