// Synthetic football footage with exact ground truth.
//
// A fixed, high, wide camera looks at a full pitch (slight perspective). A
// small simulation moves 22 players, a referee and the ball (rolling passes,
// lofted kicks, shots with motion blur, occlusion behind players, balls out
// of play and restarts). Everything is deterministic per seed, so tests and
// `ballcam eval` can replay the same clip.
//
// Two ways in:
//  - MatchRenderer: frames in memory (yuv420p host Frames) + GroundTruthFrame,
//    for detector tests and benchmarks without any codec;
//  - synthesize(): an H.264 MP4 (io::Sink, PCM crowd noise + whistles as
//    audio) and the per-frame ground truth as JSON Lines (core/records.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/records.hpp"
#include "core/status.hpp"

namespace ballcam::synth {

struct SynthOptions {
  int width_px = 1920;
  int height_px = 1080;
  int fps = 25;
  double duration_s = 10.0;
  std::uint64_t seed = 1;
  // "match" (everything mixed), or a preset that stresses one thing:
  // "passes", "lofted", "shots", "occlusion", "out_of_play", "distractors";
  // "empty" (pitch only: no ball, no players) for background tests.
  std::string scenario = "match";
  bool audio = true;
  // Encoder settings for synthesize().
  std::string preset = "veryfast";
  int crf = 18;
};

// Names accepted in SynthOptions::scenario.
std::vector<std::string> scenario_names();

// kInvalidArgument for an unknown scenario, odd/too-small sizes, fps <= 0 or
// a non-positive duration.
Status validate(const SynthOptions& options);

// What happened in the last rendered frame (drives the audio track).
struct SimEvents {
  bool whistle = false;  // ball went out of play, or a restart was taken
  bool kick = false;     // somebody kicked the ball this frame
  bool shot = false;     // the kick was a shot at goal
};

class MatchRenderer {
 public:
  // Options must pass validate(); an unknown scenario falls back to "match".
  explicit MatchRenderer(const SynthOptions& options);
  ~MatchRenderer();
  MatchRenderer(MatchRenderer&&) noexcept;
  MatchRenderer& operator=(MatchRenderer&&) noexcept;
  MatchRenderer(const MatchRenderer&) = delete;
  MatchRenderer& operator=(const MatchRenderer&) = delete;

  // Advances the simulation by one frame and renders it into a freshly
  // allocated host yuv420p Frame (index and pts_us set). `truth` may be null.
  Frame render_next(GroundTruthFrame* truth);
  // Renders into an existing yuv420p frame of the configured size (no
  // allocation; lets a caller reuse buffers).
  void render_next_into(Frame& frame, GroundTruthFrame* truth);

  // Total number of frames for options.duration_s (render_next keeps going past it).
  int frame_count() const;
  int frames_rendered() const;
  const SimEvents& last_events() const;
  const SynthOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Renders options.duration_s of footage to `video_path` (H.264 in MP4 or
// whatever the extension asks for, via io::Sink) and writes one JSON line per
// frame to `ground_truth_path` (empty path: no ground truth).
Status synthesize(const SynthOptions& options, const std::string& video_path,
                  const std::string& ground_truth_path);

// Crowd-noise generator (filtered noise with a slow swell, whistles on
// demand); deterministic per seed. Exposed for tests.
class CrowdAudio {
 public:
  CrowdAudio(int sample_rate_hz, int channels, std::uint64_t seed);
  // Appends `sample_frames` interleaved float samples in [-1, 1] to `out`.
  void generate(int sample_frames, bool start_whistle, std::vector<float>& out);

 private:
  int rate_hz_;
  int channels_;
  std::uint64_t state_;
  double lp1_ = 0, lp2_ = 0, lp3_ = 0, swell_phase_ = 0, swell_target_ = 0.5, swell_ = 0.5;
  double whistle_left_s_ = 0, whistle_phase_ = 0, whistle_t_ = 0;
  double next_random_double();
};

}  // namespace ballcam::synth
