#include "app/options.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace ballcam::app {

using pipeline::PipelineConfig;

namespace {

template <typename T>
using Field = std::function<T&(PipelineConfig&)>;

Status invalid(const std::string& key, const std::string& value, const std::string& why) {
  return error(ErrorCode::kInvalidArgument, fmt::format("invalid value '{}' for {}: {}", value, key, why));
}

// Whole numbers of type T in [lo, hi].
template <typename T>
OptionSpec integer_option(std::string key, std::string flag, std::string help, Field<T> field, T lo, T hi) {
  OptionSpec s{std::move(key), std::move(flag), std::move(help), {}, {}, {}};
  s.set = [field, lo, hi, k = s.key](PipelineConfig& c, const std::string& v) -> Status {
    T parsed = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
    if (ec != std::errc() || ptr != v.data() + v.size()) return invalid(k, v, "expected an integer");
    if (parsed < lo || parsed > hi) return invalid(k, v, fmt::format("must be between {} and {}", lo, hi));
    field(c) = parsed;
    return Status::Ok();
  };
  s.get = [field](const PipelineConfig& c) { return std::to_string(field(const_cast<PipelineConfig&>(c))); };
  return s;
}

OptionSpec int_option(std::string key, std::string flag, std::string help, Field<int> field, int lo, int hi) {
  return integer_option<int>(std::move(key), std::move(flag), std::move(help), std::move(field), lo, hi);
}

OptionSpec int64_option(std::string key, std::string flag, std::string help, Field<std::int64_t> field,
                        std::int64_t lo, std::int64_t hi) {
  return integer_option<std::int64_t>(std::move(key), std::move(flag), std::move(help), std::move(field), lo, hi);
}

OptionSpec double_option(std::string key, std::string flag, std::string help, Field<double> field, double lo,
                         double hi) {
  OptionSpec s{std::move(key), std::move(flag), std::move(help), {}, {}, {}};
  s.set = [field, lo, hi, k = s.key](PipelineConfig& c, const std::string& v) -> Status {
    char* end = nullptr;
    errno = 0;
    const double parsed = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || errno != 0 || !std::isfinite(parsed)) {
      return invalid(k, v, "expected a number");
    }
    if (parsed < lo || parsed > hi) return invalid(k, v, fmt::format("must be between {} and {}", lo, hi));
    field(c) = parsed;
    return Status::Ok();
  };
  s.get = [field](const PipelineConfig& c) { return fmt::format("{}", field(const_cast<PipelineConfig&>(c))); };
  return s;
}

Result<bool> parse_bool(const std::string& v) {
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (l == "true" || l == "yes" || l == "on" || l == "1") return true;
  if (l == "false" || l == "no" || l == "off" || l == "0") return false;
  return error(ErrorCode::kInvalidArgument, "expected true or false");
}

OptionSpec bool_option(std::string key, std::string flag, std::string help, Field<bool> field,
                       std::string flag_value = "true") {
  OptionSpec s{std::move(key), std::move(flag), std::move(help), std::move(flag_value), {}, {}};
  s.set = [field, k = s.key](PipelineConfig& c, const std::string& v) -> Status {
    auto b = parse_bool(v);
    if (!b.ok()) return invalid(k, v, b.status().message());
    field(c) = *b;
    return Status::Ok();
  };
  s.get = [field](const PipelineConfig& c) { return field(const_cast<PipelineConfig&>(c)) ? "true" : "false"; };
  return s;
}

OptionSpec string_option(std::string key, std::string flag, std::string help, Field<std::string> field,
                         std::vector<std::string> allowed = {}) {
  OptionSpec s{std::move(key), std::move(flag), std::move(help), {}, {}, {}};
  if (!allowed.empty()) s.help += fmt::format(" (one of: {})", fmt::join(allowed, ", "));
  s.set = [field, allowed, k = s.key](PipelineConfig& c, const std::string& v) -> Status {
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      return invalid(k, v, fmt::format("expected one of {}", fmt::join(allowed, ", ")));
    }
    field(c) = v;
    return Status::Ok();
  };
  s.get = [field](const PipelineConfig& c) { return field(const_cast<PipelineConfig&>(c)); };
  return s;
}

std::vector<OptionSpec> build_options() {
  std::vector<OptionSpec> o;
  // --- input / output --------------------------------------------------------
  o.push_back(string_option("input.url", "input", "Input file or URL (mp4, mkv, ts, rtsp://, rtmp://, srt://, http://)",
                            [](PipelineConfig& c) -> std::string& { return c.source.url; }));
  o.push_back(string_option("input.rtsp_transport", "rtsp-transport", "RTSP transport",
                            [](PipelineConfig& c) -> std::string& { return c.source.rtsp_transport; }, {"tcp", "udp"}));
  {
    OptionSpec s = int64_option("input.timeout_ms", "input-timeout-ms",
                                "Open and read timeout for network inputs, milliseconds (a stalled live input reconnects after this)",
                                [](PipelineConfig& c) -> std::int64_t& { return c.source.read_timeout_ms; }, 100, 600000);
    s.set = [set = s.set](PipelineConfig& c, const std::string& v) -> Status {
      BALLCAM_RETURN_IF_ERROR(set(c, v));
      c.source.open_timeout_ms = c.source.read_timeout_ms;
      return Status::Ok();
    };
    o.push_back(std::move(s));
  }
  o.push_back(bool_option("input.reconnect", "",
                          "Live network inputs: reopen a lost, ended or stalled stream (with backoff) instead of ending the run",
                          [](PipelineConfig& c) -> bool& { return c.source.reconnect; }));
  o.push_back(int64_option("input.reconnect_initial_ms", "", "First delay before reopening a lost input, milliseconds (doubles each try, with jitter)",
                           [](PipelineConfig& c) -> std::int64_t& { return c.source.reconnect_backoff.initial_ms; }, 1, 600000));
  o.push_back(int64_option("input.reconnect_max_ms", "", "Longest delay between input reconnect attempts, milliseconds",
                           [](PipelineConfig& c) -> std::int64_t& { return c.source.reconnect_backoff.max_ms; }, 1, 600000));
  {
    OptionSpec s{"input.live", "live", "Treat the input as live (drop frames instead of waiting): auto, yes or no", {}, {}, {}};
    s.set = [](PipelineConfig& c, const std::string& v) -> Status {
      if (v == "auto") c.source.live = io::LiveMode::kAuto;
      else if (auto b = parse_bool(v); b.ok()) c.source.live = *b ? io::LiveMode::kLive : io::LiveMode::kFile;
      else return invalid("input.live", v, "expected auto, yes or no");
      return Status::Ok();
    };
    s.get = [](const PipelineConfig& c) {
      return c.source.live == io::LiveMode::kAuto ? "auto" : c.source.live == io::LiveMode::kLive ? "yes" : "no";
    };
    o.push_back(std::move(s));
  }
  o.push_back(string_option("output.url", "output",
                            "Output file or URL (.mp4, .mkv, .mov, .ts, .flv, rtmp://, srt://, udp://)",
                            [](PipelineConfig& c) -> std::string& { return c.sink.url; }));
  o.push_back(string_option("output.record", "record",
                            "Also record to this local file (.mp4, .mkv...) while streaming; finalised even if the stream is lost",
                            [](PipelineConfig& c) -> std::string& { return c.record_url; }));
  o.push_back(bool_option("output.reconnect", "",
                          "Network outputs (rtmp://, srt://...): reconnect with backoff when the server drops us",
                          [](PipelineConfig& c) -> bool& { return c.output_reconnect.enabled; }));
  o.push_back(int64_option("output.reconnect_max_ms", "", "Longest delay between output reconnect attempts, milliseconds",
                           [](PipelineConfig& c) -> std::int64_t& { return c.output_reconnect.backoff.max_ms; }, 1, 600000));
  o.push_back(int_option("output.buffer_frames", "",
                         "Network outputs: frames buffered for the sending thread; older ones are dropped (and counted)",
                         [](PipelineConfig& c) -> int& { return c.output_reconnect.buffer_frames; }, 1, 3000));
  o.push_back(int64_option("output.timeout_ms", "", "Network outputs: connect and write timeout, milliseconds",
                           [](PipelineConfig& c) -> std::int64_t& { return c.sink.write_timeout_ms; }, 100, 600000));
  o.push_back(bool_option("live.fill_gaps", "",
                          "Live inputs: keep the output going while the input is away (repeat the last picture, then a slate)",
                          [](PipelineConfig& c) -> bool& { return c.fill_gaps; }));
  o.push_back(int64_option("live.repeat_after_ms", "", "Live inputs: repeat the last picture once no frame came for this long, milliseconds",
                           [](PipelineConfig& c) -> std::int64_t& { return c.gap_repeat_after_ms; }, 50, 600000));
  o.push_back(double_option("live.slate_after_s", "slate-after", "Live inputs: show the slate (colour bars) once the input has been away this long, seconds",
                            [](PipelineConfig& c) -> double& { return c.gap_slate_after_s; }, 0.0, 86400.0));
  o.push_back(int_option("live.queue_capacity", "", "Live inputs: decoded frames waiting for analysis, the oldest dropped beyond this (later queues hold one; bounds the latency)",
                         [](PipelineConfig& c) -> int& { return c.live_queue_capacity; }, 1, 256));
  o.push_back(string_option("output.format", "format", "Container override (mp4, matroska, flv, mpegts...); empty = from the URL",
                            [](PipelineConfig& c) -> std::string& { return c.sink.format; }));
  {
    OptionSpec s{"output.size", "size", "Output picture size WxH (even numbers)", {}, {}, {}};
    s.set = [](PipelineConfig& c, const std::string& v) -> Status {
      int w = 0, h = 0;
      BALLCAM_RETURN_IF_ERROR(parse_size(v, w, h));
      c.camera.output_width_px = w;
      c.camera.output_height_px = h;
      return Status::Ok();
    };
    s.get = [](const PipelineConfig& c) {
      return fmt::format("{}x{}", c.camera.output_width_px, c.camera.output_height_px);
    };
    o.push_back(std::move(s));
  }
  {
    OptionSpec s{"output.audio", "no-audio",
                 "Write audio (copied when the container takes it, else AAC); --no-audio drops it", "false", {}, {}};
    s.set = [](PipelineConfig& c, const std::string& v) -> Status {
      auto b = parse_bool(v);
      if (!b.ok()) return invalid("output.audio", v, b.status().message());
      c.sink.audio = *b ? io::AudioPolicy::kAuto : io::AudioPolicy::kNone;
      return Status::Ok();
    };
    s.get = [](const PipelineConfig& c) { return c.sink.audio == io::AudioPolicy::kNone ? "false" : "true"; };
    o.push_back(std::move(s));
  }

  // --- encoder -----------------------------------------------------------------
  o.push_back(string_option("encoder.name", "encoder",
                            "Video encoder: auto (h264_nvenc when the GPU has NVENC, reading the zero-copy path's device "
                            "pictures; else libx264), or one by name",
                            [](PipelineConfig& c) -> std::string& { return c.encoder; },
                            {"auto", "libx264", "h264_nvenc", "hevc_nvenc"}));
  o.push_back(string_option("encoder.preset", "preset", "x264 preset (NVENC: p1 for ultrafast ... p7 for veryslow)",
                            [](PipelineConfig& c) -> std::string& { return c.sink.video.preset; },
                            {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                             "veryslow"}));
  o.push_back(int_option("encoder.crf", "crf", "x264 constant rate factor (quality; lower is better; NVENC: its cq), used when bitrate is 0",
                         [](PipelineConfig& c) -> int& { return c.sink.video.crf; }, 0, 51));
  o.push_back(int_option("encoder.bitrate_kbps", "bitrate", "Target bitrate in kbit/s (0 = CRF mode)",
                         [](PipelineConfig& c) -> int& { return c.sink.video.bitrate_kbps; }, 0, 200000));
  o.push_back(int_option("encoder.gop", "gop", "Keyframe interval in frames (0 = 2 seconds)",
                         [](PipelineConfig& c) -> int& { return c.sink.video.gop_frames; }, 0, 3000));
  o.push_back(bool_option("encoder.zerolatency", "zerolatency", "x264 tune=zerolatency, NVENC tune=ull (for live streaming)",
                          [](PipelineConfig& c) -> bool& { return c.sink.video.zerolatency; }));
  o.push_back(int_option("encoder.threads", "encoder-threads", "x264 threads (0 = automatic)",
                         [](PipelineConfig& c) -> int& { return c.sink.video.threads; }, 0, 64));

  // --- device / detector ---------------------------------------------------------
  {
    OptionSpec s{"device", "device", "Where to run: auto, cpu or cuda (auto picks per stage and logs why)", {}, {}, {}};
    s.set = [](PipelineConfig& c, const std::string& v) -> Status {
      if (v == "auto") c.device = pipeline::Device::kAuto;
      else if (v == "cpu") c.device = pipeline::Device::kCpu;
      else if (v == "cuda") c.device = pipeline::Device::kCuda;
      else return invalid("device", v, "expected auto, cpu or cuda");
      return Status::Ok();
    };
    s.get = [](const PipelineConfig& c) { return std::string(pipeline::to_string(c.device)); };
    o.push_back(std::move(s));
  }
  {
    OptionSpec s{"decode", "decode", "Video decode: auto (NVDEC when the GPU takes the stream), cpu or nvdec", {}, {}, {}};
    s.set = [](PipelineConfig& c, const std::string& v) -> Status {
      if (v == "auto") c.decode = io::DecodeMode::kAuto;
      else if (v == "cpu") c.decode = io::DecodeMode::kCpu;
      else if (v == "nvdec") c.decode = io::DecodeMode::kNvdec;
      else return invalid("decode", v, "expected auto, cpu or nvdec");
      return Status::Ok();
    };
    s.get = [](const PipelineConfig& c) { return std::string(io::to_string(c.decode)); };
    o.push_back(std::move(s));
  }
  o.push_back(bool_option("gpu.reference_path", "",
                          "Testing: run the zero-copy GPU path's stages on their CPU references (host NV12 frames, no GPU; "
                          "needs a neural detector; slow)",
                          [](PipelineConfig& c) -> bool& { return c.gpu_reference_path; }));
  o.push_back(string_option("detector.name", "detector", "Ball detector backend (see `ballcam run --help` for the list)",
                            [](PipelineConfig& c) -> std::string& { return c.detector.name; }));
  o.push_back(string_option("detector.model", "model", "Model file for neural detectors",
                            [](PipelineConfig& c) -> std::string& { return c.detector.model_path; }));
  o.push_back(int_option("detector.threads", "detector-threads", "Detector threads (0 = backend default)",
                         [](PipelineConfig& c) -> int& { return c.detector.threads; }, 0, 256));
  o.push_back(double_option("detector.min_score", "min-score", "Drop ball candidates scoring below this (0..1)",
                            [](PipelineConfig& c) -> double& { return c.detector.min_score; }, 0.0, 1.0));
  o.push_back(int_option("detector.max_candidates", "", "Ball candidates kept per frame",
                         [](PipelineConfig& c) -> int& { return c.detector.max_candidates; }, 1, 100));
  o.push_back(double_option("detector.min_ball_radius_px", "", "Smallest ball radius considered, source pixels",
                            [](PipelineConfig& c) -> double& { return c.detector.min_ball_radius_px; }, 0.5, 200.0));
  o.push_back(double_option("detector.max_ball_radius_px", "", "Largest ball radius considered, source pixels",
                            [](PipelineConfig& c) -> double& { return c.detector.max_ball_radius_px; }, 1.0, 400.0));
  o.push_back(double_option("detector.player_min_score", "", "Neural detectors: drop player boxes scoring below this (0..1)",
                            [](PipelineConfig& c) -> double& { return c.detector.player_min_score; }, 0.0, 1.0));
  o.push_back(int_option("detector.ball_class", "ball-class",
                         "rfdetr: logit index of the ball class (-1 = the model's sidecar, 37 = COCO sports ball)",
                         [](PipelineConfig& c) -> int& { return c.detector.ball_class; }, -1, 100000));
  // The ROI/tile planner of the neural detectors (detect/planner.hpp).
  o.push_back(bool_option("detector.planner", "no-planner",
                          "Neural detectors: plan per frame (ROI around the prediction + tiled scan); "
                          "false (--no-planner) = the whole frame every frame",
                          [](PipelineConfig& c) -> bool& { return c.detector.planner.enabled; }, "false"));
  o.push_back(double_option("detector.input_scale", "input-scale",
                            "Neural detectors: network pixels per source pixel (2 enlarges a 2-5 px ball)",
                            [](PipelineConfig& c) -> double& { return c.detector.planner.input_scale; }, 0.25, 4.0));
  o.push_back(int_option("detector.tile_px", "tile-px", "Planner tile side in network pixels (multiple of 32)",
                         [](PipelineConfig& c) -> int& { return c.detector.planner.tile_px; }, 32, 2048));
  o.push_back(int_option("detector.tile_overlap_px", "", "Overlap of neighbouring scan tiles, network pixels",
                         [](PipelineConfig& c) -> int& { return c.detector.planner.tile_overlap_px; }, 0, 512));
  o.push_back(double_option("detector.roi_margin_px", "", "Planner: source pixels added around the tracker's search radius",
                            [](PipelineConfig& c) -> double& { return c.detector.planner.roi_margin_px; }, 0.0, 1000.0));
  o.push_back(int_option("detector.max_roi_tiles", "", "Planner: tiles spent on the region of interest at most",
                         [](PipelineConfig& c) -> int& { return c.detector.planner.max_roi_tiles; }, 1, 64));
  o.push_back(int_option("detector.max_watch_tiles", "",
                         "Planner: tiles spent at most on the other objects the tracker is weighing (one each)",
                         [](PipelineConfig& c) -> int& { return c.detector.planner.max_watch_tiles; }, 0, 16));
  o.push_back(int_option("detector.full_search_interval", "full-search-interval",
                         "Planner: while tracking, scan the whole frame every N frames (0 = only when lost)",
                         [](PipelineConfig& c) -> int& { return c.detector.planner.full_search_interval_frames; }, 0,
                         100000));
  o.push_back(int_option("detector.stride", "detect-stride",
                         "Run the neural detector on every Nth frame; the tracker predicts between",
                         [](PipelineConfig& c) -> int& { return c.detector.planner.stride_frames; }, 1, 1000));
  o.push_back(string_option("detector.precision", "precision",
                            "Neural detectors on CUDA: weights and input precision (the CPU always runs fp32)",
                            [](PipelineConfig& c) -> std::string& { return c.detector.precision; },
                            {"fp32", "fp16", "bf16"}));
  o.push_back(bool_option("detector.cuda_graphs", "cuda-graphs",
                          "Neural detectors on CUDA: replay the network from a CUDA graph captured per input shape",
                          [](PipelineConfig& c) -> bool& { return c.detector.cuda_graphs; }));
  o.push_back(double_option("detector.budget_ms", "detect-budget-ms",
                            "Neural detectors: per-frame time budget in ms; frames it cannot pay for are skipped (0 = none)",
                            [](PipelineConfig& c) -> double& { return c.detector.planner.budget_ms; }, 0.0, 10000.0));

  // --- run outputs / pipeline -------------------------------------------------------
  o.push_back(string_option("track_out", "track-out", "Write the per-frame ball track (JSONL) to this file",
                            [](PipelineConfig& c) -> std::string& { return c.track_out; }));
  o.push_back(string_option("metrics_json", "metrics-json", "Write the end-of-run metrics summary (JSON) to this file",
                            [](PipelineConfig& c) -> std::string& { return c.metrics_json; }));
  o.push_back(int_option("metrics_port", "metrics-port",
                         "Serve Prometheus /metrics and /healthz on 127.0.0.1:PORT during the run (0 = off)",
                         [](PipelineConfig& c) -> int& { return c.metrics_port; }, 0, 65535));
  o.push_back(int_option("preview_port", "preview-port",
                         "Serve a live preview page (picture + metrics) on 127.0.0.1:PORT during the run (0 = off)",
                         [](PipelineConfig& c) -> int& { return c.preview_port; }, 0, 65535));
  o.push_back(bool_option("overlay", "overlay", "Draw the ball estimate and detections on the output",
                          [](PipelineConfig& c) -> bool& { return c.overlay; }));
  o.push_back(int_option("pipeline.queue_capacity", "", "Frames each inter-stage queue holds",
                         [](PipelineConfig& c) -> int& { return c.queue_capacity; }, 1, 256));
  o.push_back(double_option("pipeline.report_interval_s", "", "Live inputs: seconds between progress lines (0 = never)",
                            [](PipelineConfig& c) -> double& { return c.report_interval_s; }, 0.0, 3600.0));
  o.push_back(int64_option("pipeline.max_frames", "max-frames", "Stop after this many input frames (-1 = all)",
                           [](PipelineConfig& c) -> std::int64_t& { return c.max_frames; }, -1,
                           std::numeric_limits<std::int64_t>::max()));

  add_tracker_camera_options(o);
  return o;
}

}  // namespace

const std::vector<OptionSpec>& run_options() {
  static const std::vector<OptionSpec> options = build_options();
  return options;
}

const OptionSpec* find_option(const std::string& key) {
  for (const auto& o : run_options()) {
    if (o.key == key) return &o;
  }
  return nullptr;
}

Status parse_size(const std::string& text, int& width, int& height) {
  const auto x = text.find_first_of("xX");
  auto bad = [&](const std::string& why) { return invalid("output.size", text, why); };
  if (x == std::string::npos) return bad("expected WxH, e.g. 1280x720");
  int w = 0, h = 0;
  auto r1 = std::from_chars(text.data(), text.data() + x, w);
  auto r2 = std::from_chars(text.data() + x + 1, text.data() + text.size(), h);
  if (r1.ec != std::errc() || r1.ptr != text.data() + x || r2.ec != std::errc() ||
      r2.ptr != text.data() + text.size()) {
    return bad("expected WxH, e.g. 1280x720");
  }
  if (w < 16 || h < 16 || w > 8192 || h > 8192) return bad("width and height must be between 16 and 8192");
  if (w % 2 != 0 || h % 2 != 0) return bad("width and height must be even");
  width = w;
  height = h;
  return Status::Ok();
}

namespace {

Status apply_node(const YAML::Node& node, const std::string& prefix, const std::string& origin,
                  PipelineConfig& config) {
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& value = kv.second;
    if (value.IsMap()) {
      BALLCAM_RETURN_IF_ERROR(apply_node(value, key, origin, config));
      continue;
    }
    const OptionSpec* spec = find_option(key);
    if (spec == nullptr) {
      return error(ErrorCode::kInvalidArgument, fmt::format("{}: unknown option '{}'", origin, key));
    }
    if (!value.IsScalar()) {
      return error(ErrorCode::kInvalidArgument, fmt::format("{}: option '{}' needs a single value", origin, key));
    }
    BALLCAM_RETURN_IF_ERROR(spec->set(config, value.Scalar()).with_context(origin));
  }
  return Status::Ok();
}

}  // namespace

Status apply_yaml_text(const std::string& text, const std::string& origin, PipelineConfig& config) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return error(ErrorCode::kInvalidArgument, fmt::format("{}: not valid YAML: {}", origin, e.what()));
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) return error(ErrorCode::kInvalidArgument, origin + ": expected a mapping of options");
  try {
    return apply_node(root, "", origin, config);
  } catch (const YAML::Exception& e) {
    return error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", origin, e.what()));
  }
}

Status apply_yaml_file(const std::string& path, PipelineConfig& config) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return error(ErrorCode::kInvalidArgument, "cannot read config file '" + path + "'");
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return apply_yaml_text(text, path, config);
}

Status validate(const PipelineConfig& config) {
  if (config.source.url.empty()) return error(ErrorCode::kInvalidArgument, "no input given (--input or input.url)");
  if (config.sink.url.empty()) return error(ErrorCode::kInvalidArgument, "no output given (--output or output.url)");
  BALLCAM_RETURN_IF_ERROR(config.tracker.validate().with_context("tracker"));
  BALLCAM_RETURN_IF_ERROR(config.camera.validate().with_context("camera"));
  if (config.detector.min_ball_radius_px >= config.detector.max_ball_radius_px) {
    return error(ErrorCode::kInvalidArgument, "detector.min_ball_radius_px must be below detector.max_ball_radius_px");
  }
  if (config.detector.planner.tile_px % 32 != 0) {
    return error(ErrorCode::kInvalidArgument, "detector.tile_px must be a multiple of 32");
  }
  return Status::Ok();
}

std::string options_markdown() {
  pipeline::PipelineConfig defaults;
  std::string out = "| YAML key | CLI flag | default | meaning |\n|---|---|---|---|\n";
  for (const auto& o : run_options()) {
    std::string def = o.get(defaults);
    if (def.empty()) def = "(none)";
    out += fmt::format("| `{}` | {} | `{}` | {} |\n", o.key, o.flag.empty() ? "" : "`--" + o.flag + "`", def, o.help);
  }
  return out;
}

}  // namespace ballcam::app
