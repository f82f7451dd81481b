// The pipeline scheduler: owns the stage threads and the queues between
// them. Stages know nothing of each other; this file is the only place that
// wires them.
//
//   source ──frames──▶ analyse ──frames+crop──▶ render ──frames──▶ sink
//   (demux+decode)     (detect, track, camera)   (crop+scale,        (encode+mux)
//        └──────────────────────audio packets───────overlay)──────────▶┘
//
// Track and camera run on the analyse thread: the detector needs the
// tracker's prediction for the very next frame, and both cost microseconds.
//
// Frame ownership: a Frame is moved from queue to queue; exactly one stage
// holds it at a time. Its pixels are shared (reference counted) with the
// decoder's AVFrame until render produces the output picture.
//
// End of stream: a producer closes its output queue after its last item; the
// consumer drains what is queued and then sees the end. A fatal error aborts:
// every queue is closed at once and the first error is reported. Files apply
// back-pressure (blocking queues); live inputs drop the oldest frame waiting
// for analysis when the pipeline falls behind, and count it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>

#include "camera/virtual_camera.hpp"
#include "core/records.hpp"
#include "core/status.hpp"
#include "detect/detector.hpp"
#include "io/output.hpp"
#include "io/sink.hpp"
#include "io/source.hpp"
#include "metrics/metrics.hpp"
#include "track/ball_tracker.hpp"

namespace ballcam::pipeline {

enum class Device : std::uint8_t { kAuto, kCpu, kCuda };
const char* to_string(Device device);

struct PipelineConfig {
  io::SourceOptions source;
  io::SinkOptions sink;              // sink.video size is taken from camera's output size
  detect::DetectorConfig detector;
  TrackerConfig tracker;            // pixel values for a 1920-px, 25 fps view; scaled to the input
  CameraConfig camera;
  Device device = Device::kAuto;
  // Video decode: auto = NVDEC when --device is not cpu and the GPU's NVDEC
  // takes the stream, else libavcodec (pipeline/device_choice.hpp).
  io::DecodeMode decode = io::DecodeMode::kAuto;
  // Video encoder: auto = h264_nvenc when the GPU has NVENC (fed device
  // pictures on the zero-copy path), else libx264; or libx264, h264_nvenc,
  // hevc_nvenc by name (pipeline/device_choice.hpp).
  std::string encoder = "auto";
  // Tests: run the zero-copy GPU path's stages on their CPU references
  // (pipeline/gpu_frames.hpp) instead of choosing a device.
  bool gpu_reference_path = false;
  std::string track_out;             // JSONL of TrackRecord per frame; empty = none
  std::string metrics_json;          // end-of-run summary; empty = none
  bool overlay = false;              // draw the ball estimate on the output
  int queue_capacity = 8;            // frames per queue
  double report_interval_s = 5.0;    // live inputs: a progress line this often (0 = never)
  std::int64_t max_frames = -1;      // stop after this many input frames (-1 = all)
  int metrics_port = 0;              // serve /metrics and /healthz on 127.0.0.1:port (0 = off)
  int preview_port = 0;              // serve the live preview page on 127.0.0.1:port (0 = off)
  // Live operation (docs/ARCHITECTURE.md, "Live operation").
  std::string record_url;            // a local recording written beside the main output; empty = none
  io::OutputReconnect output_reconnect;  // network outputs: reconnect, buffer
  int live_queue_capacity = 2;       // live inputs: decoded frames waiting (oldest dropped); later queues hold 1
  bool fill_gaps = true;             // live: keep the output going while the input is away
  std::int64_t gap_repeat_after_ms = 500;  // no input frame for this long: repeat the last picture
  double gap_slate_after_s = 5.0;    // ... and after this long show the slate (colour bars)
};

class Pipeline {
 public:
  explicit Pipeline(PipelineConfig config);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Opens everything, runs to the end of the input (or a stop request), and
  // finalises the outputs. Returns the first error, or kCancelled when stopped.
  Status run();

  // Thread-safe and async-signal-tolerant (only sets flags): finish the
  // frames in flight, finalise the outputs, return from run().
  void request_stop();

  const metrics::RunSummary& summary() const { return summary_; }

  // Live view of the run's metrics, safe to read from any thread while run()
  // is going (the HTTP exporter reads it).
  const metrics::Registry& registry() const;
  // Gauges sampled by run()'s monitor loop: queue depths, recent FPS, CPU %.
  std::map<std::string, double> gauges() const;
  // True while frames flow: an output frame within `stall_after_s`, or the
  // pipeline is still starting (no frame yet, less than that since start).
  bool healthy(double stall_after_s = 3.0) const;

  // Called on the render thread with each output picture and the track state
  // and crop it shows (live preview). Set it before run(). It must return at
  // once (take a reference to the frame, work elsewhere): render waits for it.
  std::function<void(const Frame&, const TrackState&, const CropRect&)> on_output_frame;
  // When set, on_output_frame is called only while this says yes: a picture
  // NVENC encodes from GPU memory is downloaded for it only then.
  std::function<bool()> output_frame_wanted;

  // Called from run()'s thread after each output frame (progress bars).
  std::function<void(std::int64_t frames_out, std::int64_t frames_total)> on_progress;

  // Called on the analyse thread for every analysed frame, after the camera
  // update, with what --track-out would write (Python bindings, live tools).
  // A non-OK status aborts the run, which then returns that status. Set it
  // before run(); keep it cheap, the analyse stage waits for it.
  std::function<Status(const TrackRecord&)> on_record;

 private:
  struct Impl;
  PipelineConfig config_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
  metrics::RunSummary summary_;
  mutable std::mutex gauges_mutex_;
  std::map<std::string, double> gauges_;
  std::atomic<std::int64_t> started_ns_{0};
  std::atomic<std::int64_t> last_output_ns_{0};
};

}  // namespace ballcam::pipeline
