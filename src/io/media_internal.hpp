// FFmpeg-side definitions of the opaque types in media.hpp, shared by
// source.cpp and sink.cpp only (not part of the public interface).
#pragma once

#include <cstdint>

#include "io/ffmpeg_raii.hpp"
#include "io/media.hpp"

namespace ballcam::io {

// Microseconds: the time base of Frame and AudioPacket timestamps.
constexpr AVRational kMicros{1, 1000000};

class AudioStreamDesc {
 public:
  enum class Kind : std::uint8_t {
    kCompressed,       // packets from a Source (AudioPacket)
    kPcmFloatInterleaved,  // samples via Sink::write_audio_samples
  };
  Kind kind = Kind::kCompressed;
  ff::CodecParametersPtr par;  // codec id, rate, layout, extradata
  AVRational time_base{1, 1000000};  // time base of AudioPacket timestamps
};

// Installs (once) the FFmpeg log callback that redacts credentials.
void install_log_filter();

struct AudioPacket::Impl {
  ff::PacketPtr packet;  // timestamps in time_base, already relative to the Source's origin
  AVRational time_base{1, 1000000};
};

}  // namespace ballcam::io
