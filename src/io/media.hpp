// Types io/ hands to the rest of the program without exposing FFmpeg.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace ballcam::io {

struct Rational {
  int num = 0;
  int den = 1;
  double value() const { return den == 0 ? 0.0 : static_cast<double>(num) / den; }
};

// Description of the input's audio stream (opaque: owns AVCodecParameters and
// the stream time base). Shared between the Source that produced it and the
// Sink that copies or transcodes it.
class AudioStreamDesc;
using AudioStreamDescPtr = std::shared_ptr<const AudioStreamDesc>;

// Description of raw PCM audio a producer (the synthesiser) will hand to a Sink.
AudioStreamDescPtr make_pcm_audio_desc(int sample_rate_hz, int channels);

// One compressed audio packet (opaque, move-only; owns an AVPacket).
// pts is already expressed relative to the Source's start (same origin as
// Frame::pts_us), so video and audio stay in sync.
class AudioPacket {
 public:
  struct Impl;
  AudioPacket();
  explicit AudioPacket(std::unique_ptr<Impl> impl);
  AudioPacket(AudioPacket&&) noexcept;
  AudioPacket& operator=(AudioPacket&&) noexcept;
  ~AudioPacket();
  std::int64_t pts_us() const;
  Impl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

struct StreamInfo {
  std::string url_redacted;  // credentials removed; safe to log
  std::string format_name;   // demuxer name
  std::string video_codec;
  int width_px = 0;
  int height_px = 0;
  Rational frame_rate;          // average/nominal; {0,1} when unknown
  std::int64_t duration_us = -1;  // -1 when unknown (live)
  std::int64_t frame_count = -1;  // estimated number of video frames; -1 when unknown
  bool live = false;
  bool has_audio = false;
  std::string audio_codec;
  std::string decoder = "cpu";  // video decode path that runs: "cpu" or "nvdec"
  std::string decoder_note;     // why (e.g. why --decode auto stayed on the CPU)
};

// The URL's scheme in lower case ("rtmp" for RTMP://host/app), or "" for a
// plain path.
std::string url_scheme(const std::string& url);

// Returns the URL safe to print: user:password@ removed, an RTMP stream key
// (rtmp://host/app/KEY) replaced by ***, and the values of secret query
// parameters replaced by *** (passphrase and streamid for SRT, password, pwd,
// secret, token, auth, key, sig, and any name containing pass, secret, token,
// key, auth, signature or credential), and an http(s) #fragment.
std::string redact_url(const std::string& url);

// redact_url() applied to every URL inside a free-form line (log lines,
// error messages).
std::string redact_urls_in(std::string line);

// FFmpeg's own log output. Opening a Source or Sink installs a log callback
// that strips user:password@ from any URL FFmpeg prints; this sets how much it
// prints (FFmpeg's default is kInfo, which includes x264's summary).
enum class LibraryLogLevel : std::uint8_t { kQuiet, kError, kWarning, kInfo, kDebug };
void set_library_log_level(LibraryLogLevel level);

}  // namespace ballcam::io
