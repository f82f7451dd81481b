// synthesize(): MatchRenderer + CrowdAudio → io::Sink, ground truth → JSONL.
#include <cstdio>
#include <fstream>

#include "io/sink.hpp"
#include "synth/synth.hpp"

namespace ballcam::synth {

Status synthesize(const SynthOptions& options, const std::string& video_path,
                  const std::string& ground_truth_path) {
  BALLCAM_RETURN_IF_ERROR(validate(options));
  constexpr int kAudioRateHz = 48000;
  constexpr int kAudioChannels = 2;

  std::ofstream truth_out;
  if (!ground_truth_path.empty()) {
    truth_out.open(ground_truth_path, std::ios::out | std::ios::trunc);
    if (!truth_out) return error(ErrorCode::kOutputError, "cannot write ground truth to " + ground_truth_path);
  }

  io::SinkOptions sink_options;
  sink_options.url = video_path;
  sink_options.video.width_px = options.width_px;
  sink_options.video.height_px = options.height_px;
  sink_options.video.frame_rate = {options.fps, 1};
  sink_options.video.preset = options.preset;
  sink_options.video.crf = options.crf;
  sink_options.audio = options.audio ? io::AudioPolicy::kAuto : io::AudioPolicy::kNone;
  io::AudioStreamDescPtr audio_desc;
  if (options.audio) audio_desc = io::make_pcm_audio_desc(kAudioRateHz, kAudioChannels);
  std::unique_ptr<io::Sink> sink;
  BALLCAM_ASSIGN_OR_RETURN(sink, io::Sink::open(sink_options, audio_desc));

  MatchRenderer renderer(options);
  CrowdAudio crowd(kAudioRateHz, kAudioChannels, options.seed);
  Frame frame = Frame::allocate(PixelFormat::kYuv420p, options.width_px, options.height_px);
  GroundTruthFrame truth;
  std::vector<float> pcm;
  std::int64_t audio_samples_written = 0;
  const int frames = renderer.frame_count();
  for (int i = 0; i < frames; ++i) {
    renderer.render_next_into(frame, &truth);
    BALLCAM_RETURN_IF_ERROR(sink->write_video(frame).with_context("synth: writing video"));
    if (options.audio) {
      // Audio up to the end of this frame, sample-exact over the whole clip.
      const std::int64_t target = (static_cast<std::int64_t>(i) + 1) * kAudioRateHz / options.fps;
      const int n = static_cast<int>(target - audio_samples_written);
      pcm.clear();
      crowd.generate(n, renderer.last_events().whistle, pcm);
      const std::int64_t pts_us = audio_samples_written * 1000000 / kAudioRateHz;
      BALLCAM_RETURN_IF_ERROR(
          sink->write_audio_samples(pcm.data(), n, pts_us).with_context("synth: writing audio"));
      audio_samples_written = target;
    }
    if (truth_out.is_open()) {
      truth_out << to_json_line(truth) << '\n';
      if (!truth_out) return error(ErrorCode::kOutputError, "writing ground truth to " + ground_truth_path);
    }
  }
  BALLCAM_RETURN_IF_ERROR(sink->finish());
  if (truth_out.is_open()) {
    truth_out.close();
    if (!truth_out) return error(ErrorCode::kOutputError, "closing ground truth " + ground_truth_path);
  }
  return Status::Ok();
}

}  // namespace ballcam::synth
