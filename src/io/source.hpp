// Source: demux + decode any file or URL libavformat opens.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "core/frame.hpp"
#include "core/status.hpp"
#include "io/backoff.hpp"
#include "io/hwdecode.hpp"
#include "io/media.hpp"

namespace ballcam::io {

enum class LiveMode : std::uint8_t { kAuto, kLive, kFile };

struct SourceOptions {
  std::string url;
  LiveMode live = LiveMode::kAuto;       // kAuto: rtsp/rtmp/srt/udp/... are live, files are not
  std::int64_t open_timeout_ms = 10000;  // connect/open timeout for network inputs
  std::int64_t read_timeout_ms = 10000;  // no data for this long -> error
  std::string rtsp_transport = "tcp";    // "tcp" or "udp"
  bool want_audio = true;                // demux the first audio stream as packets
  int decoder_threads = 0;               // 0 = libavcodec's choice
  // Video decode path (io/hwdecode.hpp). kAuto falls back to the CPU when
  // NVDEC cannot take the stream; info().decoder says which ran and why.
  DecodeMode decode = DecodeMode::kCpu;
  int hw_frames_in_flight = 16;          // NVDEC frame pool surfaces beyond the decoder's own
  // NVDEC frames stay in device memory (Frame kNv12 / MemoryLocation::kCuda,
  // planes are device pointers) instead of being downloaded to host yuv420p.
  // 8-bit only: 10-bit (P010) frames are still downloaded.
  bool keep_device_frames = false;
  // Live network inputs (rtsp, rtmp, srt, udp, ...; never files): once the
  // first open succeeded, a lost, ended or stalled stream is reopened with
  // this backoff until interrupt(). The first open fails fast instead (a
  // wrong URL, 401 or 404 is an error, not a wait).
  bool reconnect = true;
  BackoffPolicy reconnect_backoff;
};

struct EndOfStream {};

// What read() produces: a decoded video frame (host, yuv420p), an audio
// packet, or the end of the input.
using SourceItem = std::variant<Frame, AudioPacket, EndOfStream>;

class Source {
 public:
  virtual ~Source() = default;

  // Opens, probes and prepares the decoder. Errors name the problem in one
  // line (missing file, not a video, no video stream, unreachable URL...).
  static Result<std::unique_ptr<Source>> open(const SourceOptions& options);

  virtual const StreamInfo& info() const = 0;
  // Null when the input has no audio or audio was not wanted.
  virtual AudioStreamDescPtr audio() const = 0;

  // Next item. Corrupt packets are skipped and counted; EAGAIN/EOF are flow
  // control. A Status is returned only for failures the caller must report.
  virtual Result<SourceItem> read() = 0;

  // Thread-safe: makes a blocked read() return promptly (with EndOfStream),
  // also one waiting to reconnect.
  virtual void interrupt() = 0;

  // Reconnecting live inputs: how many times the stream came back. Frames of
  // a new session may have another size; their timestamps continue the
  // first session's timeline (gap = the wall-clock time it was away).
  virtual std::uint64_t reconnects() const { return 0; }

  virtual std::uint64_t corrupt_packets() const = 0;
  virtual std::uint64_t bytes_read() const = 0;
  // Bytes copied from device to host memory (NVDEC frames downloaded).
  virtual std::uint64_t bytes_device_to_host() const { return 0; }
};

}  // namespace ballcam::io
