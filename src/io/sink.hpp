// Sink: encode (libx264, or NVENC on a GPU that has it) + mux to a file or
// URL chosen by its scheme/extension.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/frame.hpp"
#include "core/status.hpp"
#include "io/media.hpp"

namespace ballcam::io {

struct VideoEncodeOptions {
  int width_px = 1280;
  int height_px = 720;
  Rational frame_rate{25, 1};   // nominal rate (metadata and default GOP)
  // FFmpeg encoder: libx264, h264_nvenc or hevc_nvenc.
  std::string encoder = "libx264";
  // The pictures most frames come as, which the encoder is opened for:
  // kYuv420p or kNv12 (host), or with `cuda_frames` CUDA NV12 (NVENC reads
  // them in device memory; the zero-copy path). Frames of another format
  // are converted (and uploaded) one by one: the gap slate, repeats.
  PixelFormat input = PixelFormat::kYuv420p;
  bool cuda_frames = false;
  // x264 preset names; for NVENC mapped onto p1 (ultrafast) ... p7 (veryslow).
  std::string preset = "veryfast";
  int crf = 23;                 // used when bitrate_kbps == 0 (NVENC: constant quality cq)
  int bitrate_kbps = 0;         // > 0: ABR with this target (and VBV of 2x)
  int gop_frames = 0;           // 0 = 2 seconds
  bool zerolatency = false;     // x264 tune=zerolatency (no B-frames, no lookahead)
  int threads = 0;              // 0 = x264's choice
};

enum class AudioPolicy : std::uint8_t {
  kAuto,  // copy when the container takes the codec, else transcode to AAC
  kNone,  // write no audio
};

struct SinkOptions {
  std::string url;           // file path or rtmp://, srt://, udp://, ...
  std::string format;        // muxer name override; empty = from URL (mp4, mkv, flv for rtmp, mpegts for srt/udp)
  VideoEncodeOptions video;
  AudioPolicy audio = AudioPolicy::kAuto;
  // Network outputs only: connect timeout, and the longest a write may block
  // (an unreachable or stalled server fails instead of hanging).
  std::int64_t open_timeout_ms = 5000;
  std::int64_t write_timeout_ms = 5000;
  // Called on the writing thread after each video packet went out, with the
  // time since its frame's Frame::arrival_ns (frames with 0 are skipped).
  std::function<void(double latency_ms)> on_packet_latency_ms;
  // When set and true, blocking network opens/writes give up at once
  // (shared with whoever may cancel: a reconnect loop at shutdown).
  std::shared_ptr<const std::atomic<bool>> cancel;
};

// Not thread-safe: one thread calls write_video/write_audio*/finish.
class Sink {
 public:
  virtual ~Sink() = default;  // without finish(): finalises what was written (never leaves a broken file)

  // `audio` may be null (no audio). Fails with kOutputError for an
  // unwritable path/URL; in that case nothing is left on disk.
  static Result<std::unique_ptr<Sink>> open(const SinkOptions& options, AudioStreamDescPtr audio);

  // A frame of exactly the configured size: host yuv420p or NV12, or CUDA
  // NV12 for a sink opened with cuda_frames. pts_us must increase; a
  // non-increasing timestamp is nudged forward, never written backwards.
  virtual Status write_video(const Frame& frame) = 0;
  // A packet from the Source whose AudioStreamDesc was given to open().
  virtual Status write_audio(AudioPacket packet) = 0;
  // Interleaved float PCM, for a sink opened with make_pcm_audio_desc().
  virtual Status write_audio_samples(const float* interleaved, int sample_frames, std::int64_t pts_us) = 0;

  // Flush encoders, write the trailer (mp4: faststart), close. Idempotent.
  virtual Status finish() = 0;

  // Thread-safe: a blocked network open/write returns at once (with an
  // error); later writes fail. For shutdown while a server does not answer.
  virtual void interrupt() {}
  // The connection is gone: close without flushing or writing a trailer
  // (for network outputs; a file would be left unfinished).
  virtual void abort() {}

  // Frames given to write_video() that never went out (reconnecting
  // outputs: dropped while disconnected or when the buffer was full).
  virtual std::uint64_t frames_dropped() const { return 0; }
  virtual std::uint64_t reconnects() const { return 0; }

  virtual std::uint64_t frames_written() const = 0;
  virtual std::uint64_t bytes_written() const = 0;
};

}  // namespace ballcam::io
