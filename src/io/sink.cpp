#include "io/sink.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <cmath>
#include <cstdio>
#include <vector>

#include "io/ffmpeg_raii.hpp"
#include "io/hwdecode.hpp"
#include "io/media_internal.hpp"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/time.h>
}

namespace ballcam::io {
namespace {

constexpr AVRational kVideoTimeBase{1, 90000};  // fine enough for VFR timing

struct Deadline {
  std::atomic<std::int64_t> deadline_us{0};
  std::atomic<bool> stop{false};
  std::shared_ptr<const std::atomic<bool>> cancel;
  static int callback(void* opaque) {
    auto* self = static_cast<Deadline*>(opaque);
    if (self->stop.load(std::memory_order_relaxed)) return 1;
    if (self->cancel && self->cancel->load(std::memory_order_relaxed)) return 1;
    const std::int64_t d = self->deadline_us.load(std::memory_order_relaxed);
    return d != 0 && av_gettime_relative() > d ? 1 : 0;
  }
  void arm(std::int64_t timeout_ms) {
    deadline_us.store(timeout_ms > 0 ? av_gettime_relative() + timeout_ms * 1000 : 0, std::memory_order_relaxed);
  }
};

// x264's preset names on NVENC's p1 (fastest) ... p7 (best); NVENC's own
// names (p1..p7) pass through.
std::string nvenc_preset(const std::string& x264) {
  static constexpr std::array<const char*, 9> kNames = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                                        "medium",    "slow",      "slower",   "veryslow"};
  static constexpr std::array<const char*, 9> kP = {"p1", "p2", "p3", "p3", "p4", "p4", "p5", "p6", "p7"};
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (x264 == kNames[i]) return kP[i];
  return x264;
}

int aac_sample_rate(int in) {
  static constexpr std::array<int, 13> kRates = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                                 22050, 16000, 12000, 11025, 8000,  7350};
  return std::find(kRates.begin(), kRates.end(), in) != kRates.end() ? in : 48000;
}

class FfmpegSink final : public Sink {
 public:
  ~FfmpegSink() override { (void)finish(); }

  Status open(const SinkOptions& options, AudioStreamDescPtr audio) {
    options_ = options;
    url_redacted_ = redact_url(options.url);
    if (options.url.empty()) return out_error("no output given");
    const std::string scheme = url_scheme(options.url);
    network_ = !scheme.empty() && scheme != "file";

    std::string format = options.format;
    if (format.empty()) {
      if (scheme == "rtmp" || scheme == "rtmps") format = "flv";
      else if (scheme == "srt" || scheme == "udp" || scheme == "tcp") format = "mpegts";
      else if (scheme == "rtp") format = "rtp_mpegts";
      else if (scheme == "rtsp") format = "rtsp";
    }
    AVFormatContext* raw = nullptr;
    int rc = avformat_alloc_output_context2(&raw, nullptr, format.empty() ? nullptr : format.c_str(), options.url.c_str());
    if (rc < 0 || raw == nullptr) {
      return out_error(format.empty() ? "cannot choose a container from the name (use .mp4, .mkv, .mov, .ts or set a format)"
                                      : "unknown output format '" + format + "'");
    }
    fmt_.reset(raw);
    deadline_.cancel = options.cancel;
    fmt_->interrupt_callback.callback = &Deadline::callback;
    fmt_->interrupt_callback.opaque = &deadline_;
    const std::string muxer = fmt_->oformat->name;
    is_file_ = !network_ && (fmt_->oformat->flags & AVFMT_NOFILE) == 0;
    path_ = scheme == "file" ? options.url.substr(7) : options.url;

    BALLCAM_RETURN_IF_ERROR(open_video());
    if (audio && options.audio != AudioPolicy::kNone) BALLCAM_RETURN_IF_ERROR(open_audio(std::move(audio)));

    if ((fmt_->oformat->flags & AVFMT_NOFILE) == 0) {
      ff::Dict io_opts;
      if (network_) io_opts.set("rw_timeout", std::to_string(std::max<std::int64_t>(options.write_timeout_ms, 1) * 1000));
      if (scheme == "udp") io_opts.set("pkt_size", "1316");  // 7 TS packets per datagram
      // A file that is already there (an earlier run) is moved aside, not
      // truncated: a run that fails restores it (discard_output), one that
      // succeeds deletes it (finish).
      struct stat st {};
      if (is_file_ && ::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          std::rename(path_.c_str(), (path_ + ".ballcam-old").c_str()) == 0) {
        previous_ = path_ + ".ballcam-old";
      }
      deadline_.arm(network_ ? options.open_timeout_ms : 0);
      rc = avio_open2(&fmt_->pb, options.url.c_str(), AVIO_FLAG_WRITE, &fmt_->interrupt_callback, io_opts.get());
      deadline_.arm(0);
      if (rc < 0) {
        restore_previous();
        return out_error("cannot open for writing: " + ff::error_string(rc));
      }
    }
    ff::Dict mux_opts;
    if (muxer == "mp4" || muxer == "mov" || muxer == "ipod" || muxer == "ismv") mux_opts.set("movflags", "+faststart");
    deadline_.arm(network_ ? options.write_timeout_ms : 0);
    rc = avformat_write_header(fmt_.get(), mux_opts.get());
    deadline_.arm(0);
    if (rc < 0) {
      discard_output();
      return out_error("cannot write the header: " + ff::error_string(rc));
    }
    header_written_ = true;
    return Status::Ok();
  }

  Status write_video(const Frame& frame) override {
    if (finished_) return error(ErrorCode::kInternal, "write_video after finish()");
    const bool host = frame.host_420();
    const bool device = frame.memory == MemoryLocation::kCuda && frame.format == PixelFormat::kNv12;
    if (frame.empty() || (!host && !device) || (device && !options_.video.cuda_frames)) {
      return error(ErrorCode::kInvalidArgument, std::string("Sink::write_video takes host yuv420p or nv12 frames") +
                                                    (options_.video.cuda_frames ? " or CUDA nv12" : "") + ", not " +
                                                    (frame.memory == MemoryLocation::kCuda ? "CUDA " : "") +
                                                    to_string(frame.format));
    }
    if (device && !frame.storage) {
      return error(ErrorCode::kInvalidArgument, "Sink::write_video: a CUDA frame needs an owner (Frame::storage)");
    }
    if (frame.width_px != venc_->width || frame.height_px != venc_->height) {
      return error(ErrorCode::kInvalidArgument, "Sink::write_video: frame is " + std::to_string(frame.width_px) + "x" +
                                                    std::to_string(frame.height_px) + ", encoder is " +
                                                    std::to_string(venc_->width) + "x" + std::to_string(venc_->height));
    }
    std::int64_t pts = av_rescale_q(frame.pts_us, kMicros, venc_->time_base);
    if (last_video_pts_ != AV_NOPTS_VALUE && pts <= last_video_pts_) pts = last_video_pts_ + video_nudge_;
    last_video_pts_ = pts;

    AVFrame* f = vframe_.get();
    const bool wrap = frame.storage && (device || (!options_.video.cuda_frames && frame.format == options_.video.input));
    if (wrap) {
      // Zero-copy: the AVFrame references the caller's planes and keeps them
      // alive through a reference to Frame::storage for as long as the encoder
      // holds it (libx264 copies the picture on input; NVENC maps the device
      // NV12 buffer, Y then UV at pitch * height, until it is encoded).
      av_frame_unref(f);
      f->format = device ? AV_PIX_FMT_CUDA : sw_format_;
      f->width = frame.width_px;
      f->height = frame.height_px;
      for (int p = 0; p < 4; ++p) {
        f->data[p] = frame.planes[p];
        f->linesize[p] = frame.strides[p];
      }
      auto* keep = new std::shared_ptr<void>(frame.storage);
      f->buf[0] = av_buffer_create(
          frame.planes[0], static_cast<std::size_t>(frame.strides[0]) * static_cast<std::size_t>(frame.height_px),
          [](void* opaque, std::uint8_t*) { delete static_cast<std::shared_ptr<void>*>(opaque); }, keep,
          AV_BUFFER_FLAG_READONLY);
      if (f->buf[0] == nullptr) {
        delete keep;
        return error(ErrorCode::kInternal, "out of memory");
      }
      if (device) {
        f->hw_frames_ctx = av_buffer_ref(venc_->hw_frames_ctx);
        if (f->hw_frames_ctx == nullptr) return error(ErrorCode::kInternal, "out of memory");
      }
    } else {
      BALLCAM_ASSIGN_OR_RETURN(f, convert(frame));
    }
    f->pts = pts;
    f->pict_type = AV_PICTURE_TYPE_NONE;
    if (frame.arrival_ns != 0 && options_.on_packet_latency_ms) {
      arrivals_.emplace_back(pts, frame.arrival_ns);
      if (arrivals_.size() > 256) arrivals_.pop_front();  // an encoder never holds this many
    }
    const int rc = avcodec_send_frame(venc_.get(), f);
    av_frame_unref(f);
    if (rc < 0) return out_error("video encoder refused a frame: " + ff::error_string(rc));
    ++frames_written_;
    return drain(venc_.get(), vstream_);
  }

  Status write_audio(AudioPacket packet) override {
    if (finished_) return error(ErrorCode::kInternal, "write_audio after finish()");
    if (astream_ == nullptr || packet.impl() == nullptr || !packet.impl()->packet) return Status::Ok();  // no audio wanted
    AudioPacket::Impl& in = *packet.impl();
    if (audio_copy_) {
      AVPacket* p = in.packet.get();
      av_packet_rescale_ts(p, in.time_base, astream_->time_base);
      if (p->dts == AV_NOPTS_VALUE) p->dts = p->pts;
      if (p->dts != AV_NOPTS_VALUE && last_audio_dts_ != AV_NOPTS_VALUE && p->dts <= last_audio_dts_) {
        ++audio_dropped_;  // would break the muxer's monotonic dts rule
        return Status::Ok();
      }
      if (p->dts != AV_NOPTS_VALUE) last_audio_dts_ = p->dts;
      p->stream_index = astream_->index;
      p->pos = -1;
      return write_packet(p);
    }
    if (!adec_) return error(ErrorCode::kInvalidArgument, "Sink::write_audio: sink was opened for PCM samples");
    int rc = avcodec_send_packet(adec_.get(), in.packet.get());
    if (rc < 0 && rc != AVERROR(EAGAIN)) {
      ++audio_dropped_;  // a corrupt audio packet is not worth stopping for
      return Status::Ok();
    }
    return receive_decoded_audio();
  }

  Status write_audio_samples(const float* interleaved, int sample_frames, std::int64_t pts_us) override {
    if (finished_) return error(ErrorCode::kInternal, "write_audio_samples after finish()");
    if (astream_ == nullptr) return Status::Ok();
    if (!pcm_input_) return error(ErrorCode::kInvalidArgument, "Sink::write_audio_samples: sink was not opened with make_pcm_audio_desc()");
    if (sample_frames <= 0) return Status::Ok();
    if (audio_start_ == AV_NOPTS_VALUE) audio_start_ = av_rescale_q(pts_us, kMicros, aenc_->time_base);
    const auto* in = reinterpret_cast<const std::uint8_t*>(interleaved);
    BALLCAM_RETURN_IF_ERROR(resample_into_fifo(&in, sample_frames));
    return encode_fifo(false);
  }

  Status finish() override {
    if (finished_) return finish_status_;
    finished_ = true;
    if (!header_written_) return finish_status_;
    if (frames_written_ == 0) {
      discard_output();
      finish_status_ = out_error("no video frames were written");
      return finish_status_;
    }
    Status first;
    auto keep = [&first](Status s) {
      if (first.ok() && !s.ok()) first = std::move(s);
    };
    if (avcodec_send_frame(venc_.get(), nullptr) >= 0) keep(drain(venc_.get(), vstream_));
    if (aenc_) {
      if (adec_ && avcodec_send_packet(adec_.get(), nullptr) >= 0) keep(receive_decoded_audio());
      if (swr_ && fifo_) {
        // Whatever the resampler still holds.
        keep(resample_into_fifo(nullptr, 0));
      }
      keep(encode_fifo(true));
      if (avcodec_send_frame(aenc_.get(), nullptr) >= 0) keep(drain(aenc_.get(), astream_));
    }
    deadline_.arm(network_ ? options_.write_timeout_ms : 0);
    const int rc = av_write_trailer(fmt_.get());
    deadline_.arm(0);
    if (rc < 0) keep(out_error("cannot finalise: " + ff::error_string(rc)));
    if ((fmt_->oformat->flags & AVFMT_NOFILE) == 0 && fmt_->pb != nullptr) avio_closep(&fmt_->pb);
    if (!previous_.empty()) std::remove(previous_.c_str());
    finish_status_ = first;
    return finish_status_;
  }

  std::uint64_t frames_written() const override { return frames_written_; }
  std::uint64_t bytes_written() const override { return bytes_written_; }

  void interrupt() override { deadline_.stop.store(true); }

  void abort() override {
    if (finished_) return;
    finished_ = true;
    finish_status_ = out_error("connection lost");
    deadline_.stop.store(true);  // nothing more goes to the dead peer
    if (header_written_ && (fmt_->oformat->flags & AVFMT_NOFILE) == 0 && fmt_->pb != nullptr) avio_closep(&fmt_->pb);
  }

 private:
  Status out_error(const std::string& what) const {
    return error(ErrorCode::kOutputError, "output '" + url_redacted_ + "': " + what);
  }

  // Close and delete a local output that must not be left behind.
  void discard_output() {
    if ((fmt_->oformat->flags & AVFMT_NOFILE) == 0 && fmt_->pb != nullptr) avio_closep(&fmt_->pb);
    if (is_file_) std::remove(path_.c_str());
    restore_previous();
  }

  // Puts back the file that was at the output path before this run.
  void restore_previous() {
    if (!previous_.empty()) std::rename(previous_.c_str(), path_.c_str());
    previous_.clear();
  }

  Status open_video() {
    const VideoEncodeOptions& v = options_.video;
    if (v.width_px <= 0 || v.height_px <= 0 || (v.width_px % 2) != 0 || (v.height_px % 2) != 0) {
      return error(ErrorCode::kInvalidArgument, "output size must be positive and even");
    }
    const std::string name = v.encoder.empty() ? std::string("libx264") : v.encoder;
    const bool nvenc = is_nvenc(name);
    if (name != "libx264" && !nvenc) {
      return error(ErrorCode::kInvalidArgument, "unknown video encoder '" + name + "' (libx264, h264_nvenc, hevc_nvenc)");
    }
    if (v.cuda_frames && (!nvenc || v.input != PixelFormat::kNv12)) {
      return error(ErrorCode::kInvalidArgument, "CUDA frames go to an NVENC encoder, as NV12");
    }
    if (v.input != PixelFormat::kYuv420p && v.input != PixelFormat::kNv12) {
      return error(ErrorCode::kInvalidArgument, "the encoder takes yuv420p or nv12 pictures");
    }
    const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
    if (codec == nullptr) return error(ErrorCode::kUnavailable, name + " encoder is not available in this FFmpeg");
    venc_.reset(avcodec_alloc_context3(codec));
    if (!venc_) return error(ErrorCode::kInternal, "out of memory");
    AVRational fr{v.frame_rate.num, v.frame_rate.den};
    if (fr.num <= 0 || fr.den <= 0) fr = AVRational{25, 1};
    venc_->width = v.width_px;
    venc_->height = v.height_px;
    sw_format_ = ff::av_format_420(v.input);
    venc_->pix_fmt = sw_format_;
    // NVENC reads the pipeline's device frames, allocated on the primary CUDA context.
    if (v.cuda_frames) BALLCAM_RETURN_IF_ERROR(use_cuda_nv12_frames(venc_.get()));
    venc_->sample_aspect_ratio = AVRational{1, 1};
    venc_->time_base = kVideoTimeBase;
    venc_->framerate = fr;
    venc_->gop_size = v.gop_frames > 0 ? v.gop_frames : std::max(1, static_cast<int>(std::lround(2.0 * av_q2d(fr))));
    venc_->thread_count = v.threads;
    if (v.bitrate_kbps > 0) {
      venc_->bit_rate = static_cast<std::int64_t>(v.bitrate_kbps) * 1000;
      venc_->rc_max_rate = venc_->bit_rate;
      venc_->rc_buffer_size = static_cast<int>(std::min<std::int64_t>(venc_->bit_rate * 2, INT32_MAX));
    }
    if ((fmt_->oformat->flags & AVFMT_GLOBALHEADER) != 0) venc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    ff::Dict opts;
    const std::string preset = v.preset.empty() ? std::string("veryfast") : v.preset;
    if (nvenc) {
      opts.set("preset", nvenc_preset(preset));
      if (v.bitrate_kbps <= 0) {
        opts.set("rc", "vbr");
        opts.set("cq", std::to_string(v.crf));
      }
      if (v.zerolatency) {
        opts.set("tune", "ull");
        opts.set("zerolatency", "1");
        opts.set("delay", "0");
        venc_->max_b_frames = 0;
      }
    } else {
      opts.set("preset", preset);
      if (v.bitrate_kbps <= 0) opts.set("crf", std::to_string(v.crf));
      if (v.zerolatency) opts.set("tune", "zerolatency");
    }
    int rc = avcodec_open2(venc_.get(), codec, opts.get());
    if (rc < 0) {
      if (nvenc) return error(ErrorCode::kUnavailable, "cannot open " + name + " (no NVENC here?): " + ff::error_string(rc));
      return out_error("cannot open libx264 (check preset/options): " + ff::error_string(rc));
    }
    // Nudge non-increasing timestamps by at least a millisecond so coarse
    // muxer time bases (flv: 1/1000) still see them increase.
    video_nudge_ = std::max<std::int64_t>(1, av_rescale_q(1, AVRational{1, 1000}, venc_->time_base));

    vstream_ = avformat_new_stream(fmt_.get(), nullptr);
    if (vstream_ == nullptr) return error(ErrorCode::kInternal, "out of memory");
    rc = avcodec_parameters_from_context(vstream_->codecpar, venc_.get());
    if (rc < 0) return out_error("cannot set video stream parameters");
    vstream_->time_base = venc_->time_base;
    vstream_->avg_frame_rate = fr;
    vframe_ = ff::make_frame();
    swframe_ = ff::make_frame();
    packet_ = ff::make_packet();
    if (!vframe_ || !swframe_ || !packet_) return error(ErrorCode::kInternal, "out of memory");
    return Status::Ok();
  }

  Status open_audio(AudioStreamDescPtr desc) {
    desc_ = std::move(desc);
    if (!desc_->par) return Status::Ok();
    const AVCodecParameters* par = desc_->par.get();
    pcm_input_ = desc_->kind == AudioStreamDesc::Kind::kPcmFloatInterleaved;
    if (!pcm_input_ && avformat_query_codec(fmt_->oformat, par->codec_id, FF_COMPLIANCE_NORMAL) == 1) {
      audio_copy_ = true;
      astream_ = avformat_new_stream(fmt_.get(), nullptr);
      if (astream_ == nullptr) return error(ErrorCode::kInternal, "out of memory");
      if (avcodec_parameters_copy(astream_->codecpar, par) < 0) return error(ErrorCode::kInternal, "out of memory");
      astream_->codecpar->codec_tag = 0;
      astream_->time_base = desc_->time_base;
      return Status::Ok();
    }
    if (!pcm_input_) {
      const AVCodec* dcodec = avcodec_find_decoder(par->codec_id);
      if (dcodec == nullptr) return out_error(std::string("no decoder for audio codec ") + avcodec_get_name(par->codec_id));
      adec_.reset(avcodec_alloc_context3(dcodec));
      if (!adec_) return error(ErrorCode::kInternal, "out of memory");
      if (avcodec_parameters_to_context(adec_.get(), par) < 0) return out_error("bad audio parameters");
      adec_->pkt_timebase = desc_->time_base;
      const int rc = avcodec_open2(adec_.get(), dcodec, nullptr);
      if (rc < 0) return out_error("cannot open audio decoder: " + ff::error_string(rc));
    }
    const AVCodec* ecodec = avcodec_find_encoder_by_name("aac");
    if (ecodec == nullptr) return error(ErrorCode::kUnavailable, "FFmpeg's aac encoder is not available");
    aenc_.reset(avcodec_alloc_context3(ecodec));
    if (!aenc_) return error(ErrorCode::kInternal, "out of memory");
    const int in_channels = par->ch_layout.nb_channels > 0 ? par->ch_layout.nb_channels : 2;
    const int in_rate = par->sample_rate > 0 ? par->sample_rate : 48000;
    aenc_->sample_rate = aac_sample_rate(in_rate);
    aenc_->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&aenc_->ch_layout, std::min(in_channels, 2));
    aenc_->bit_rate = 64000LL * aenc_->ch_layout.nb_channels;
    aenc_->time_base = AVRational{1, aenc_->sample_rate};
    if ((fmt_->oformat->flags & AVFMT_GLOBALHEADER) != 0) aenc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int rc = avcodec_open2(aenc_.get(), ecodec, nullptr);
    if (rc < 0) return out_error("cannot open the aac encoder: " + ff::error_string(rc));
    astream_ = avformat_new_stream(fmt_.get(), nullptr);
    if (astream_ == nullptr) return error(ErrorCode::kInternal, "out of memory");
    if (avcodec_parameters_from_context(astream_->codecpar, aenc_.get()) < 0) return out_error("cannot set audio parameters");
    astream_->time_base = aenc_->time_base;
    fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, aenc_->ch_layout.nb_channels, 4 * std::max(aenc_->frame_size, 1024)));
    aframe_ = ff::make_frame();
    if (!fifo_ || !aframe_) return error(ErrorCode::kInternal, "out of memory");
    aframe_->format = AV_SAMPLE_FMT_FLTP;
    aframe_->nb_samples = aenc_->frame_size > 0 ? aenc_->frame_size : 1024;
    aframe_->sample_rate = aenc_->sample_rate;
    if (av_channel_layout_copy(&aframe_->ch_layout, &aenc_->ch_layout) < 0 || av_frame_get_buffer(aframe_.get(), 0) < 0) {
      return error(ErrorCode::kInternal, "out of memory");
    }
    if (pcm_input_) {
      AVChannelLayout in_layout{};
      av_channel_layout_default(&in_layout, in_channels);
      BALLCAM_RETURN_IF_ERROR(make_resampler(in_layout, AV_SAMPLE_FMT_FLT, in_rate));
    }
    return Status::Ok();
  }

  Status make_resampler(AVChannelLayout in_layout, AVSampleFormat in_fmt, int in_rate) {
    SwrContext* raw = nullptr;
    int rc = swr_alloc_set_opts2(&raw, &aenc_->ch_layout, AV_SAMPLE_FMT_FLTP, aenc_->sample_rate, &in_layout, in_fmt,
                                 in_rate, 0, nullptr);
    swr_.reset(raw);
    if (rc < 0 || !swr_ || (rc = swr_init(swr_.get())) < 0) return out_error("cannot set up audio resampling: " + ff::error_string(rc));
    return Status::Ok();
  }

  Status receive_decoded_audio() {
    ff::FramePtr f = ff::make_frame();
    if (!f) return error(ErrorCode::kInternal, "out of memory");
    for (;;) {
      const int rc = avcodec_receive_frame(adec_.get(), f.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) {
        ++audio_dropped_;
        return Status::Ok();
      }
      if (!swr_) {
        AVChannelLayout layout{};
        if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&layout, f->ch_layout.nb_channels);
        else av_channel_layout_copy(&layout, &f->ch_layout);
        Status st = make_resampler(layout, static_cast<AVSampleFormat>(f->format), f->sample_rate);
        av_channel_layout_uninit(&layout);
        BALLCAM_RETURN_IF_ERROR(st);
      }
      if (audio_start_ == AV_NOPTS_VALUE) {
        const std::int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : 0;
        audio_start_ = av_rescale_q(ts, desc_->time_base, aenc_->time_base);
      }
      const auto** in = const_cast<const std::uint8_t**>(f->extended_data);
      Status st = resample_into_fifo(in, f->nb_samples);
      av_frame_unref(f.get());
      BALLCAM_RETURN_IF_ERROR(st);
      BALLCAM_RETURN_IF_ERROR(encode_fifo(false));
    }
  }

  // in == nullptr flushes the resampler.
  Status resample_into_fifo(const std::uint8_t** in, int in_samples) {
    const int channels = aenc_->ch_layout.nb_channels;
    const int max_out = swr_get_out_samples(swr_.get(), in_samples);
    if (max_out <= 0) return Status::Ok();
    planar_.resize(static_cast<std::size_t>(channels));
    std::array<std::uint8_t*, 8> out{};
    for (int c = 0; c < channels; ++c) {
      auto& buf = planar_[static_cast<std::size_t>(c)];
      if (buf.size() < static_cast<std::size_t>(max_out)) buf.resize(static_cast<std::size_t>(max_out));
      out[static_cast<std::size_t>(c)] = reinterpret_cast<std::uint8_t*>(buf.data());
    }
    const int got = swr_convert(swr_.get(), out.data(), max_out, in, in_samples);
    if (got < 0) return out_error("audio resampling failed: " + ff::error_string(got));
    if (got > 0 && av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(out.data()), got) < got) {
      return error(ErrorCode::kInternal, "out of memory (audio fifo)");
    }
    return Status::Ok();
  }

  Status encode_fifo(bool flush) {
    const int frame_size = aframe_->nb_samples;
    for (;;) {
      const int available = av_audio_fifo_size(fifo_.get());
      if (available == 0 || (!flush && available < frame_size)) return Status::Ok();
      const int n = std::min(available, frame_size);
      if (av_frame_make_writable(aframe_.get()) < 0) return error(ErrorCode::kInternal, "out of memory");
      if (av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(aframe_->data), n) < n) {
        return error(ErrorCode::kInternal, "audio fifo read failed");
      }
      // A short last frame is allowed (aac has AV_CODEC_CAP_SMALL_LAST_FRAME).
      const int full = aframe_->nb_samples;
      aframe_->nb_samples = n;
      aframe_->pts = (audio_start_ == AV_NOPTS_VALUE ? 0 : audio_start_) + audio_samples_sent_;
      audio_samples_sent_ += n;
      const int rc = avcodec_send_frame(aenc_.get(), aframe_.get());
      aframe_->nb_samples = full;
      if (rc < 0) return out_error("aac encoder refused audio: " + ff::error_string(rc));
      BALLCAM_RETURN_IF_ERROR(drain(aenc_.get(), astream_));
    }
  }

  Status drain(AVCodecContext* enc, AVStream* st) {
    for (;;) {
      const int rc = avcodec_receive_packet(enc, packet_.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return out_error("encoder failed: " + ff::error_string(rc));
      const std::int64_t enc_pts = packet_->pts;
      av_packet_rescale_ts(packet_.get(), enc->time_base, st->time_base);
      packet_->stream_index = st->index;
      BALLCAM_RETURN_IF_ERROR(write_packet(packet_.get()));
      if (st == vstream_ && !arrivals_.empty()) report_latency(enc_pts);
    }
  }

  // The packet of the frame with encoder pts `pts` went out: its latency.
  void report_latency(std::int64_t pts) {
    // Packets leave in decode order (B-frames): find the frame by its pts.
    const auto it = std::find_if(arrivals_.begin(), arrivals_.end(), [pts](const auto& a) { return a.first == pts; });
    if (it == arrivals_.end()) return;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    options_.on_packet_latency_ms(static_cast<double>(now - it->second) / 1e6);
    arrivals_.erase(it);
  }

  // A host frame that is not the encoder's picture as it comes (another
  // format, or no owner to reference): copied, converted by swscale when the
  // formats differ, and uploaded into a frame of the encoder's CUDA pool for
  // a cuda_frames sink. Returns the reused frame to send.
  Result<AVFrame*> convert(const Frame& frame) {
    AVFrame* sw = swframe_.get();
    if (sw->data[0] == nullptr) {
      sw->format = sw_format_;
      sw->width = venc_->width;
      sw->height = venc_->height;
      if (av_frame_get_buffer(sw, 0) < 0) return error(ErrorCode::kInternal, "out of memory");
    }
    if (av_frame_make_writable(sw) < 0) return error(ErrorCode::kInternal, "out of memory");
    const AVPixelFormat from = ff::av_format_420(frame.format);
    std::array<const std::uint8_t*, 4> src{frame.planes[0], frame.planes[1], frame.planes[2], nullptr};
    if (from == sw_format_) {
      av_image_copy(sw->data, sw->linesize, src.data(), frame.strides.data(), sw_format_, frame.width_px,
                    frame.height_px);
    } else {
      sws_.reset(sws_getCachedContext(sws_.release(), frame.width_px, frame.height_px, from, venc_->width,
                                      venc_->height, sw_format_, SWS_POINT, nullptr, nullptr, nullptr));
      if (!sws_) return error(ErrorCode::kInternal, "swscale: cannot convert the output picture");
      sws_scale(sws_.get(), src.data(), frame.strides.data(), 0, frame.height_px, sw->data, sw->linesize);
    }
    if (!options_.video.cuda_frames) return sw;
    AVFrame* hw = vframe_.get();
    av_frame_unref(hw);
    int rc = av_hwframe_get_buffer(venc_->hw_frames_ctx, hw, 0);
    if (rc >= 0) rc = av_hwframe_transfer_data(hw, sw, 0);
    if (rc < 0) return out_error("cannot upload a picture to the encoder: " + ff::error_string(rc));
    return hw;
  }

  Status write_packet(AVPacket* p) {
    bytes_written_ += static_cast<std::uint64_t>(p->size);
    deadline_.arm(network_ ? options_.write_timeout_ms : 0);
    const int rc = av_interleaved_write_frame(fmt_.get(), p);  // takes the packet's reference
    deadline_.arm(0);
    if (rc < 0) return out_error("write failed: " + ff::error_string(rc));
    return Status::Ok();
  }

  SinkOptions options_;
  std::string url_redacted_;
  std::string path_;
  std::string previous_;  // the earlier file at path_, moved aside until finish()
  bool network_ = false;
  bool is_file_ = false;
  Deadline deadline_;  // outlives fmt_
  ff::OutputFormatPtr fmt_;
  ff::CodecContextPtr venc_;
  AVStream* vstream_ = nullptr;  // owned by fmt_
  AVPixelFormat sw_format_ = AV_PIX_FMT_YUV420P;  // the encoder's picture in host memory (NV12 for CUDA frames)
  ff::FramePtr vframe_;   // the frame sent to the encoder
  ff::FramePtr swframe_;  // conversions (and uploads' host side)
  ff::SwsPtr sws_;
  ff::PacketPtr packet_;
  std::int64_t last_video_pts_ = AV_NOPTS_VALUE;
  std::int64_t video_nudge_ = 1;
  std::deque<std::pair<std::int64_t, std::int64_t>> arrivals_;  // (encoder pts, Frame::arrival_ns) awaiting their packet

  AudioStreamDescPtr desc_;
  AVStream* astream_ = nullptr;  // owned by fmt_
  bool audio_copy_ = false;
  bool pcm_input_ = false;
  ff::CodecContextPtr adec_;
  ff::CodecContextPtr aenc_;
  ff::SwrPtr swr_;
  ff::AudioFifoPtr fifo_;
  ff::FramePtr aframe_;
  std::vector<std::vector<float>> planar_;
  std::int64_t audio_start_ = AV_NOPTS_VALUE;  // in aenc_->time_base
  std::int64_t audio_samples_sent_ = 0;
  std::int64_t last_audio_dts_ = AV_NOPTS_VALUE;
  std::uint64_t audio_dropped_ = 0;

  bool header_written_ = false;
  bool finished_ = false;
  Status finish_status_;
  std::uint64_t frames_written_ = 0;
  std::uint64_t bytes_written_ = 0;
};

}  // namespace

Result<std::unique_ptr<Sink>> Sink::open(const SinkOptions& options, AudioStreamDescPtr audio) {
  install_log_filter();
  auto sink = std::make_unique<FfmpegSink>();
  Status st = sink->open(options, std::move(audio));
  if (!st.ok()) return st;  // the destructor sees no header and leaves nothing
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace ballcam::io
