// Outputs that outlive their server: a network output (rtmp://, srt://, ...)
// whose connection drops is reopened with backoff while the pipeline goes on.
// Frames are handed to a writer thread through a bounded buffer, so a slow or
// vanished server never stalls the pipeline (nor a recording beside it);
// frames that cannot go out are dropped and counted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.hpp"
#include "io/backoff.hpp"
#include "io/media.hpp"
#include "io/sink.hpp"

namespace ballcam::io {

struct OutputReconnect {
  bool enabled = true;      // network outputs only; files are never reopened
  BackoffPolicy backoff;
  int buffer_frames = 4;    // frames waiting for the writer thread (latency); the oldest is dropped beyond this
};

// True for URLs with a network scheme (rtmp, srt, udp, tcp, rtp, http...).
bool is_network_url(const std::string& url);

// Sink::open, wrapped for network URLs when `reconnect.enabled`. The first
// connection is made here and fails fast (a wrong URL is an error, not a
// wait); later losses are reconnected until finish(). Each new connection
// starts a new encoder (so it begins with a keyframe) and a new container:
// RTMP/FLV restarts its clock at zero per connection as ingest servers
// expect; MPEG-TS keeps the pipeline's timestamps.
Result<std::unique_ptr<Sink>> open_output(const SinkOptions& options, AudioStreamDescPtr audio,
                                          const OutputReconnect& reconnect);

// A second reference to the same compressed audio (for a second output).
AudioPacket copy_audio_packet(const AudioPacket& packet);
// Moves the packet's timestamps by delta_us.
void shift_audio_packet(AudioPacket& packet, std::int64_t delta_us);

}  // namespace ballcam::io
