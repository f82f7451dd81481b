// Live preview for operators (`ballcam run --preview-port N`): a small web
// page on 127.0.0.1:N that shows the output picture with the ball estimate
// marked, and the run's live numbers (docs/PREVIEW.md).
//
//   GET /            the page (HTML + a few lines of JS, no external files)
//   GET /frame.jpg   the latest preview picture (JPEG; 503 until the first one)
//   GET /stream.mjpg the same as an MJPEG stream (multipart/x-mixed-replace)
//   GET /stats.json  live numbers: FPS, frames, dropped, tracker mode, per-stage p95
//
// Cost to the pipeline: push() is called on the render thread for every
// output frame. It never waits on the preview: frames arriving sooner than
// 1/max_fps after the last accepted one return at once, an accepted one only
// takes a reference to the frame's pixels (no copy) and replaces whatever
// the preview thread has not picked up yet. Downscaling, marking and JPEG
// encoding (libavcodec mjpeg) happen on the preview's own thread.
//
// This module knows nothing of the pipeline: pipeline numbers come from a
// callback, frames from push().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/frame.hpp"
#include "core/geometry.hpp"
#include "core/status.hpp"

namespace ballcam::metrics {
class Registry;
}

namespace ballcam::preview {

struct PreviewOptions {
  int port = 0;                             // 0 picks a free port (tests)
  std::string bind_address = "127.0.0.1";   // secure by default: local only
  int width_px = 640;                       // preview picture width (height keeps the aspect)
  double max_fps = 5.0;                     // at most this many pictures per second
  int quality = 5;                          // mjpeg qscale, 2 (best) .. 31
  int max_streams = 4;                      // concurrent /stream.mjpg clients
};

struct PreviewCallbacks {
  // Pipeline numbers for /stats.json (an object; merged at the top level).
  std::function<nlohmann::json()> stats;
};

// The pipeline numbers the page shows, from a metrics registry and the
// pipeline's gauges: fps, frames_in/out, dropped, cpu_percent, queues, and
// stages.{name}.{p95_ms,p50_ms,mean_ms,count}.
nlohmann::json pipeline_stats(const metrics::Registry& registry, const std::map<std::string, double>& gauges);

class PreviewServer {
 public:
  static Result<std::unique_ptr<PreviewServer>> start(PreviewOptions options, PreviewCallbacks callbacks);
  ~PreviewServer();
  PreviewServer(const PreviewServer&) = delete;
  PreviewServer& operator=(const PreviewServer&) = delete;

  int port() const { return port_; }

  // Any thread; never blocks on encoding or clients (see the file comment).
  // `frame` is a host yuv420p or NV12 picture (the output); `crop` is the source
  // rectangle it shows and `track` is in source pixels, so the ball mark is
  // placed at (track.position - crop.xy) * frame.width / crop.w.
  void push(const Frame& frame, const TrackState& track, const CropRect& crop);
  // Whether push() would take a picture now (the rate limit): a caller whose
  // picture is costly to get (a GPU download) asks first.
  bool wants_frame() const;

  // Test helpers: the latest JPEG (empty until one is encoded) and how many
  // have been encoded.
  std::vector<std::uint8_t> latest_jpeg() const;
  std::uint64_t pictures_encoded() const;
  // Blocks until at least `count` pictures were encoded or `timeout_ms` passed.
  bool wait_for_pictures(std::uint64_t count, int timeout_ms) const;

  // The page served at "/".
  static const std::string& page_html();

 private:
  struct Impl;
  PreviewServer(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_;
};

}  // namespace ballcam::preview
