// The `ballcam` command line: run, demo, synth, eval, options.
//
// Exit codes (docs/CLI.md): 0 success; 1 internal error; 2 invalid usage or
// config; 3 input error; 4 output error; 5 backend/device unavailable;
// 6 eval threshold missed; 130 stopped by a signal (outputs finalised).
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <unistd.h>

#include "app/doctor.hpp"
#include "pipeline/stage_bench.hpp"
#include "app/options.hpp"
#include "core/records.hpp"
#include "detect/detector.hpp"
#include "eval/evaluate.hpp"
#include "io/media.hpp"
#include "metrics/http_exporter.hpp"
#include "metrics/prometheus.hpp"
#include "report/report.hpp"
#include "pipeline/pipeline.hpp"
#include "preview/preview_server.hpp"
#include "synth/synth.hpp"

namespace ballcam::app {
namespace {

std::atomic<pipeline::Pipeline*> g_running{nullptr};
std::atomic<int> g_signals{0};

extern "C" void on_signal(int) {
  // First signal: finish what is in flight and finalise the outputs.
  // Second: leave at once.
  if (g_signals.fetch_add(1) >= 1) _exit(130);
  if (auto* p = g_running.load()) p->request_stop();
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// spdlog flag %* : the message, escaped for a JSON string.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    for (const char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            const std::string esc = fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            dest.append(std::string_view(esc));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

// Every log line passes through redact_urls_in() before it is formatted, so
// no credential in a URL (user:password@, an RTMP stream key, an SRT
// passphrase) reaches the terminal or a log collector, whoever logs it.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (payload.find("://") == std::string_view::npos) {
      inner_->log(msg);
      return;
    }
    const std::string clean = io::redact_urls_in(std::string(payload));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }
  void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  spdlog::sink_ptr inner_;
};

int report_status(const Status& st) {
  if (st.ok()) return 0;
  if (st.code() == ErrorCode::kCancelled) {
    spdlog::warn("{}", st.message());
  } else {
    std::fprintf(stderr, "ballcam: error: %s\n", io::redact_urls_in(st.message()).c_str());
  }
  return static_cast<int>(st.code());
}

// A one-line progress bar on stderr, only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
  void update(std::int64_t done, std::int64_t total) {
    if (!enabled_ || total <= 0) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double fps = elapsed > 0 ? done / elapsed : 0.0;
    const double frac = std::min(1.0, static_cast<double>(done) / total);
    const int filled = static_cast<int>(frac * 30);
    const double eta = fps > 0 ? (total - done) / fps : 0.0;
    std::fprintf(stderr, "\r[%s%s] %lld/%lld frames  %.1f fps  ETA %d:%02d ", std::string(filled, '#').c_str(),
                 std::string(30 - filled, '.').c_str(), static_cast<long long>(done), static_cast<long long>(total),
                 fps, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    drawn_ = true;
  }
  void finish() {
    if (drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
  }
  ~ProgressBar() { finish(); }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

// Runs one pipeline with signal handling; prints and optionally writes the summary.
Status run_pipeline(const pipeline::PipelineConfig& config, bool quiet) {
  BALLCAM_RETURN_IF_ERROR(validate(config));
  pipeline::Pipeline p(config);
  std::unique_ptr<metrics::HttpExporter> exporter;
  if (config.metrics_port > 0) {
    metrics::HttpExporterCallbacks callbacks;
    callbacks.metrics_text = [&p] { return metrics::to_prometheus(p.registry(), p.gauges()); };
    callbacks.healthy = [&p] { return p.healthy(); };
    BALLCAM_ASSIGN_OR_RETURN(exporter, metrics::HttpExporter::start(config.metrics_port, std::move(callbacks)));
    spdlog::info("metrics on http://127.0.0.1:{}/metrics and /healthz", exporter->port());
  }
  std::unique_ptr<preview::PreviewServer> preview;  // declared after p: stops before p goes
  if (config.preview_port > 0) {
    preview::PreviewOptions options;
    options.port = config.preview_port;
    preview::PreviewCallbacks callbacks;
    callbacks.stats = [&p] { return preview::pipeline_stats(p.registry(), p.gauges()); };
    BALLCAM_ASSIGN_OR_RETURN(preview, preview::PreviewServer::start(options, std::move(callbacks)));
    p.on_output_frame = [srv = preview.get()](const Frame& f, const TrackState& t, const CropRect& c) {
      srv->push(f, t, c);
    };
    p.output_frame_wanted = [srv = preview.get()] { return srv->wants_frame(); };
    spdlog::info("preview on http://127.0.0.1:{}/", preview->port());
  }
  ProgressBar progress;
  if (!quiet) p.on_progress = [&progress](std::int64_t done, std::int64_t total) { progress.update(done, total); };
  g_running.store(&p);
  if (g_signals.load() > 0) p.request_stop();
  Status st = p.run();
  g_running.store(nullptr);
  p.on_progress = nullptr;
  progress.finish();
  if (p.summary().wall_s > 0 && !quiet) std::fprintf(stderr, "%s", metrics::to_text(p.summary()).c_str());
  return st;
}

// ---------------------------------------------------------------- run ----
struct RunCommand {
  pipeline::PipelineConfig config;
  std::string config_file;
  std::map<std::string, std::string> values;  // flag -> value as typed
  std::map<std::string, bool> flags;
  bool quiet = false;
};

void add_run_options(CLI::App* cmd, RunCommand& rc) {
  cmd->add_option("-c,--config", rc.config_file, "YAML config file (command-line flags override it)")
      ->check(CLI::ExistingFile);
  for (const auto& spec : run_options()) {
    if (spec.flag.empty()) continue;
    std::string names = "--" + spec.flag;
    if (spec.flag == "input") names = "-i,--input";
    if (spec.flag == "output") names = "-o,--output";
    if (!spec.flag_value.empty()) {
      cmd->add_flag(names, rc.flags[spec.flag], spec.help + fmt::format(" [config: {}]", spec.key));
    } else {
      cmd->add_option(names, rc.values[spec.flag], spec.help + fmt::format(" [config: {}]", spec.key));
    }
  }
  cmd->add_flag("-q,--quiet", rc.quiet, "Do not print the metrics summary");
}

Status resolve_run_config(CLI::App* cmd, RunCommand& rc) {
  if (!rc.config_file.empty()) BALLCAM_RETURN_IF_ERROR(apply_yaml_file(rc.config_file, rc.config));
  for (const auto& spec : run_options()) {
    if (spec.flag.empty()) continue;
    if (cmd->count("--" + spec.flag) == 0) continue;
    const std::string value = spec.flag_value.empty() ? rc.values[spec.flag] : spec.flag_value;
    BALLCAM_RETURN_IF_ERROR(spec.set(rc.config, value).with_context("--" + spec.flag));
  }
  return Status::Ok();
}

// --------------------------------------------------------------- eval ----
struct EvalCommand {
  std::string truth;
  std::string track;
  std::string json_out;
  EvalOptions options;
  double min_recall = -1, min_precision = -1, min_in_view = -1;
  int source_width_px = 0, source_height_px = 0;  // 0 = inferred from the crops
};

Status run_eval(const EvalCommand& ec, bool print) {
  BALLCAM_ASSIGN_OR_RETURN(auto gt, load_ground_truth(ec.truth));
  BALLCAM_ASSIGN_OR_RETURN(auto track, load_track(ec.track));
  // The source size, for the naive baseline and for waiving the view margin
  // at the frame's edges.
  const EvalOptions options = with_source_size(ec.options, track, ec.source_width_px, ec.source_height_px);
  BALLCAM_ASSIGN_OR_RETURN(auto report, evaluate(gt, track, options));
  CameraConfig camera_config;
  BALLCAM_ASSIGN_OR_RETURN(const EvalReport naive,
                           evaluate_naive_baseline(gt, track, options, options.source_width_px,
                                                   options.source_height_px, camera_config));
  if (print) {
    std::printf("%s\n", to_text(report).c_str());
    std::printf("naive baseline camera (crop centred on the raw detection):\n%s\n", to_text(naive).c_str());
  }
  if (!ec.json_out.empty()) {
    std::ofstream out(ec.json_out);
    if (!out) return error(ErrorCode::kOutputError, "cannot write '" + ec.json_out + "'");
    nlohmann::json j = {{"ballcam", to_json(report)}, {"naive_baseline", to_json(naive)}};
    out << j.dump(2) << '\n';
  }
  std::string missed;
  if (ec.min_recall >= 0 && report.detection_recall < ec.min_recall)
    missed += fmt::format(" recall {:.3f} < {:.3f};", report.detection_recall, ec.min_recall);
  if (ec.min_precision >= 0 && report.detection_precision < ec.min_precision)
    missed += fmt::format(" precision {:.3f} < {:.3f};", report.detection_precision, ec.min_precision);
  if (ec.min_in_view >= 0 && report.ball_in_view < ec.min_in_view)
    missed += fmt::format(" ball-in-view {:.3f} < {:.3f};", report.ball_in_view, ec.min_in_view);
  if (!missed.empty()) return error(ErrorCode::kThresholdNotMet, "eval thresholds missed:" + missed);
  return Status::Ok();
}

void add_eval_options(CLI::App* cmd, EvalCommand& ec, bool need_files) {
  if (need_files) {
    cmd->add_option("--truth", ec.truth, "Ground-truth JSONL (from `ballcam synth`)")->required();
    cmd->add_option("--track", ec.track, "Track JSONL (from `ballcam run --track-out`)")->required();
  }
  cmd->add_option("--json", ec.json_out, "Also write the report as JSON");
  cmd->add_option("--radius", ec.options.match_radius_px, "A detection is correct within this many pixels")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--margin", ec.options.view_margin_frac, "Ball-in-view margin, fraction of the crop")
      ->capture_default_str()->check(CLI::Range(0.0, 0.45));
  cmd->add_option("--warmup", ec.options.warmup_frames, "Ignore this many frames at the start")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--source-width", ec.source_width_px, "Source width for the naive baseline and the view margin at frame edges (default: from the crops)");
  cmd->add_option("--source-height", ec.source_height_px, "Source height for the naive baseline and the view margin at frame edges (default: from the crops)");
  cmd->add_option("--min-recall", ec.min_recall, "Exit 6 when detection recall is below this");
  cmd->add_option("--min-precision", ec.min_precision, "Exit 6 when detection precision is below this");
  cmd->add_option("--min-in-view", ec.min_in_view, "Exit 6 when ball-in-view is below this");
}

// -------------------------------------------------------------- synth ----
void add_synth_options(CLI::App* cmd, synth::SynthOptions& so, std::string& size) {
  cmd->add_option("--size", size, "Picture size WxH")->capture_default_str();
  cmd->add_option("--fps", so.fps, "Frames per second")->capture_default_str()->check(CLI::Range(1, 240));
  cmd->add_option("--duration", so.duration_s, "Seconds of footage")->capture_default_str()->check(CLI::Range(0.04, 7200.0));
  cmd->add_option("--seed", so.seed, "Random seed (same seed, same clip)")->capture_default_str();
  cmd->add_option("--scenario", so.scenario,
                  fmt::format("What the clip stresses: {}", fmt::join(synth::scenario_names(), ", ")))
      ->capture_default_str();
  cmd->add_option("--crf", so.crf, "x264 CRF of the synthetic clip")->capture_default_str()->check(CLI::Range(0, 51));
}

Status prepare_synth(synth::SynthOptions& so, const std::string& size) {
  BALLCAM_RETURN_IF_ERROR(parse_size(size, so.width_px, so.height_px).with_context("--size"));
  return synth::validate(so);
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "ballcam", std::make_shared<RedactingSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>())));
  spdlog::set_pattern("[%H:%M:%S.%e] %^%l%$ %v");
  install_signal_handlers();

  CLI::App app{"ballcam: follow the ball in football video with a virtual camera"};
  app.require_subcommand(1);
  app.fallthrough();  // --log-level and --log-format may follow the subcommand
  std::string log_level = "info";
  std::string log_format = "text";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--log-format", log_format, "text (for people) or json (one object per line, for machines)")
      ->capture_default_str()->check(CLI::IsMember({"text", "json"}));
  app.footer("Exit codes: 0 ok, 1 internal, 2 usage/config, 3 input, 4 output, 5 unavailable, 6 eval threshold missed, "
             "130 stopped by a signal (outputs finalised).");

  // run
  RunCommand rc;
  auto* run_cmd = app.add_subcommand("run", "Follow the ball in a video and write the virtual-camera video");
  add_run_options(run_cmd, rc);
  run_cmd->footer(fmt::format("Detectors: {}. Every option can also be set in the YAML config (keys in brackets; "
                              "`ballcam options` lists all, including YAML-only ones).",
                              fmt::join(detect::detector_names(), ", ")));

  // demo
  std::string demo_dir = "out";
  double demo_duration = 10.0;
  auto* demo_cmd = app.add_subcommand("demo", "Synthesise a match clip, follow the ball, write out/demo.mp4 and a report");
  demo_cmd->add_option("--out-dir", demo_dir, "Where to write the demo files")->capture_default_str();
  demo_cmd->add_option("--duration", demo_duration, "Seconds of synthetic footage")->capture_default_str()->check(CLI::Range(1.0, 600.0));

  // synth
  synth::SynthOptions so;
  std::string synth_size = "1920x1080";
  std::string synth_out, synth_truth;
  bool synth_no_audio = false;
  auto* synth_cmd = app.add_subcommand("synth", "Render a synthetic match clip with per-frame ground truth");
  synth_cmd->add_option("-o,--output", synth_out, "Video file to write (.mp4, .mkv)")->required();
  synth_cmd->add_option("--truth", synth_truth, "Ground-truth JSONL to write (default: OUTPUT with .jsonl)");
  synth_cmd->add_flag("--no-audio", synth_no_audio, "No audio track");
  add_synth_options(synth_cmd, so, synth_size);

  // eval
  EvalCommand ec;
  auto* eval_cmd = app.add_subcommand("eval", "Score a track JSONL against ground truth");
  add_eval_options(eval_cmd, ec, true);

  // report
  report::ReportOptions ro;
  bool report_source_video = false;
  auto* report_cmd = app.add_subcommand("report", "Contact sheet and plots (PNG + HTML) of a run");
  report_cmd->add_option("--video", ro.video_path, "The run's output video (or its input with --source-video)")->required();
  report_cmd->add_option("--track", ro.track_path, "Track JSONL of the run (--track-out)")->required();
  report_cmd->add_option("--truth", ro.truth_path, "Ground-truth JSONL, when the input was synthetic");
  report_cmd->add_option("--metrics", ro.metrics_path, "The run's --metrics-json file: adds per-stage latency over time");
  report_cmd->add_option("--out-dir", ro.out_dir, "Where to write contact_sheet.png, paths.png, zoom.png, index.html")->required();
  report_cmd->add_option("--columns", ro.sheet_columns, "Contact-sheet columns")->capture_default_str();
  report_cmd->add_option("--rows", ro.sheet_rows, "Contact-sheet rows")->capture_default_str();
  report_cmd->add_flag("--source-video", report_source_video, "--video is the input: draw the crop on it");

  // doctor
  DoctorOptions doctor;
  bool doctor_no_self_test = false;
  auto* doctor_cmd = app.add_subcommand("doctor", "Report the GPU, driver, NVDEC/NVENC, libtorch CUDA and FFmpeg support, "
                                                  "self-test each path; exit 0 if the --device path works, else 5");
  doctor_cmd->add_option("--device", doctor.device, "Path to check: cuda, auto or cpu")->capture_default_str()
      ->check(CLI::IsMember({"cuda", "auto", "cpu"}));
  doctor_cmd->add_flag("--no-self-test", doctor_no_self_test, "Only report, run nothing");

  // bench
  RunCommand bc;
  std::int64_t bench_frames = 300;
  int bench_keep = 16;
  std::string bench_json;
  auto* bench_cmd = app.add_subcommand(
      "bench", "Time each stage alone (decode, detect, render, encode) with the run options' input, device and "
               "detector; prints a table (docs/GPU.md). Writes no output video, track or metrics file: encode goes "
               "to a scratch file in /tmp");
  add_run_options(bench_cmd, bc);
  bench_cmd->add_option("--frames", bench_frames, "Frames per stage")->capture_default_str()->check(CLI::Range(1, 1000000));
  bench_cmd->add_option("--keep", bench_keep, "Decoded frames kept for the later stages (cycled)")
      ->capture_default_str()->check(CLI::Range(1, 256));
  bench_cmd->add_option("--bench-json", bench_json, "Write the rates as JSON here too");

  // options
  auto* options_cmd = app.add_subcommand("options", "Print every run option (YAML key, flag, default) as Markdown");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ErrorCode::kInvalidArgument);
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  if (log_format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%*"})");
    spdlog::set_formatter(std::move(formatter));
  }
  // FFmpeg's own messages (x264's summary, decoder chatter) only when debugging.
  io::set_library_log_level(spdlog::get_level() <= spdlog::level::debug ? io::LibraryLogLevel::kInfo
                                                                        : io::LibraryLogLevel::kError);

  if (*options_cmd) {
    std::printf("%s", options_markdown().c_str());
    return 0;
  }
  if (*doctor_cmd) {
    doctor.self_test = !doctor_no_self_test;
    return run_doctor(doctor);
  }
  if (*run_cmd) {
    Status st = resolve_run_config(run_cmd, rc);
    if (!st.ok()) return report_status(st);
    return report_status(run_pipeline(rc.config, rc.quiet));
  }
  if (*bench_cmd) {
    Status st = resolve_run_config(bench_cmd, bc);
    if (!st.ok()) return report_status(st);
    if (bc.config.source.url.empty()) return report_status(error(ErrorCode::kInvalidArgument, "bench needs --input"));
    std::string scratch_template = "/tmp/ballcam-bench-XXXXXX";
    const int fd = ::mkstemp(scratch_template.data());
    if (fd < 0) return report_status(error(ErrorCode::kOutputError, "bench: cannot create a scratch file in /tmp"));
    ::close(fd);
    const std::string scratch = scratch_template + ".mp4";
    ::unlink(scratch_template.c_str());
    auto bench = pipeline::bench_stages(bc.config, bench_frames, bench_keep, scratch);
    ::unlink(scratch.c_str());
    if (!bench.ok()) return report_status(bench.status());
    std::printf("%s\n\n%s", bench->device_line.c_str(), bench->to_markdown().c_str());
    if (const auto* w = bench->slowest()) std::printf("\nslowest stage alone: %s, %.1f fps\n", w->stage.c_str(), w->fps());
    std::printf("bytes host->device %llu, device->host %llu\n",
                static_cast<unsigned long long>(bench->bytes_host_to_device),
                static_cast<unsigned long long>(bench->bytes_device_to_host));
    if (!bench_json.empty()) {
      std::ofstream out(bench_json);
      if (!out) return report_status(error(ErrorCode::kOutputError, "cannot write '" + bench_json + "'"));
      out << bench->to_json().dump(2) << '\n';
    }
    return 0;
  }
  if (*synth_cmd) {
    so.audio = !synth_no_audio;
    Status st = prepare_synth(so, synth_size);
    if (!st.ok()) return report_status(st);
    if (synth_truth.empty()) synth_truth = std::filesystem::path(synth_out).replace_extension(".jsonl").string();
    st = synth::synthesize(so, synth_out, synth_truth);
    if (st.ok()) spdlog::info("wrote {} and {}", synth_out, synth_truth);
    return report_status(st);
  }
  if (*eval_cmd) return report_status(run_eval(ec, true));
  if (*report_cmd) {
    ro.video_is_output = !report_source_video;
    Status st = report::write_report(ro);
    if (st.ok()) spdlog::info("report written to {}/index.html", ro.out_dir);
    return report_status(st);
  }
  if (*demo_cmd) {
    std::error_code fs_err;
    std::filesystem::create_directories(demo_dir, fs_err);
    if (fs_err) return report_status(error(ErrorCode::kOutputError, "cannot create '" + demo_dir + "': " + fs_err.message()));
    const std::string input = demo_dir + "/demo_input.mp4";
    const std::string truth = demo_dir + "/demo_truth.jsonl";
    synth::SynthOptions demo_synth;
    demo_synth.duration_s = demo_duration;
    spdlog::info("demo: synthesising {:.0f} s of 1080p match footage -> {}", demo_duration, input);
    Status st = synth::synthesize(demo_synth, input, truth);
    if (!st.ok()) return report_status(st);
    pipeline::PipelineConfig config;
    config.source.url = input;
    config.sink.url = demo_dir + "/demo.mp4";
    config.track_out = demo_dir + "/demo_track.jsonl";
    config.metrics_json = demo_dir + "/demo_metrics.json";
    spdlog::info("demo: following the ball -> {}", config.sink.url);
    st = run_pipeline(config, false);
    if (!st.ok()) return report_status(st);
    EvalCommand demo_eval;
    demo_eval.truth = truth;
    demo_eval.track = config.track_out;
    demo_eval.json_out = demo_dir + "/demo_eval.json";
    st = run_eval(demo_eval, true);
    if (!st.ok()) return report_status(st);
    report::ReportOptions demo_report;
    demo_report.video_path = config.sink.url;
    demo_report.track_path = config.track_out;
    demo_report.truth_path = truth;
    demo_report.metrics_path = config.metrics_json;
    demo_report.out_dir = demo_dir + "/report";
    st = report::write_report(demo_report);
    if (st.ok()) {
      spdlog::info("demo: wrote {0}/demo.mp4, demo_track.jsonl, demo_metrics.json, demo_eval.json, {0}/report/index.html",
                   demo_dir);
    }
    return report_status(st);
  }
  return 0;
}

}  // namespace ballcam::app

int main(int argc, char** argv) {
  try {
    return ballcam::app::main(argc, argv);
  } catch (const std::exception& e) {
    // Errors travel as Status; an exception here is a bug or memory running
    // out: one line and exit 1, not std::terminate.
    std::fprintf(stderr, "ballcam: error: internal: %s\n", ballcam::io::redact_urls_in(e.what()).c_str());
    return static_cast<int>(ballcam::ErrorCode::kInternal);
  }
}
