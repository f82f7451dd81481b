// The `ballcam` command line: run, demo, synth, eval, options.
//
// Exit codes (docs/CLI.md): 0 success; 1 internal error; 2 invalid usage or
// config; 3 input error; 4 output error; 5 backend/device unavailable;
// 6 eval threshold missed; 130 stopped by a signal (outputs finalised).
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

#include "app/options.hpp"
#include "core/records.hpp"
#include "detect/detector.hpp"
#include "eval/evaluate.hpp"
#include "io/media.hpp"
#include "pipeline/pipeline.hpp"
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

int report(const Status& st) {
  if (st.ok()) return 0;
  if (st.code() == ErrorCode::kCancelled) {
    spdlog::warn("{}", st.message());
  } else {
    std::fprintf(stderr, "ballcam: error: %s\n", st.message().c_str());
  }
  return static_cast<int>(st.code());
}

// Runs one pipeline with signal handling; prints and optionally writes the summary.
Status run_pipeline(const pipeline::PipelineConfig& config, bool quiet) {
  BALLCAM_RETURN_IF_ERROR(validate(config));
  pipeline::Pipeline p(config);
  g_running.store(&p);
  if (g_signals.load() > 0) p.request_stop();
  Status st = p.run();
  g_running.store(nullptr);
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
  BALLCAM_ASSIGN_OR_RETURN(auto report, evaluate(gt, track, ec.options));
  // The naive baseline needs the source size: given, or the extent of the
  // crops (the camera starts on the widest crop, centred, which spans it).
  int source_w = ec.source_width_px, source_h = ec.source_height_px;
  if (source_w <= 0 || source_h <= 0) {
    double w = 0, h = 0;
    for (const auto& r : track) {
      w = std::max(w, r.crop.x + r.crop.w);
      h = std::max(h, r.crop.y + r.crop.h);
    }
    source_w = static_cast<int>(std::lround(w));
    source_h = static_cast<int>(std::lround(h));
  }
  CameraConfig camera_config;
  BALLCAM_ASSIGN_OR_RETURN(const EvalReport naive,
                           evaluate_naive_baseline(gt, track, ec.options, source_w, source_h, camera_config));
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
  cmd->add_option("--source-width", ec.source_width_px, "Source width for the naive baseline (default: from the crops)");
  cmd->add_option("--source-height", ec.source_height_px, "Source height for the naive baseline (default: from the crops)");
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
  spdlog::set_default_logger(spdlog::stderr_color_mt("ballcam"));
  spdlog::set_pattern("[%H:%M:%S.%e] %^%l%$ %v");
  install_signal_handlers();

  CLI::App app{"ballcam: follow the ball in football video with a virtual camera"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")->capture_default_str();
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

  // options
  auto* options_cmd = app.add_subcommand("options", "Print every run option (YAML key, flag, default) as Markdown");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ErrorCode::kInvalidArgument);
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  // FFmpeg's own messages (x264's summary, decoder chatter) only when debugging.
  io::set_library_log_level(spdlog::get_level() <= spdlog::level::debug ? io::LibraryLogLevel::kInfo
                                                                        : io::LibraryLogLevel::kError);

  if (*options_cmd) {
    std::printf("%s", options_markdown().c_str());
    return 0;
  }
  if (*run_cmd) {
    Status st = resolve_run_config(run_cmd, rc);
    if (!st.ok()) return report(st);
    return report(run_pipeline(rc.config, rc.quiet));
  }
  if (*synth_cmd) {
    so.audio = !synth_no_audio;
    Status st = prepare_synth(so, synth_size);
    if (!st.ok()) return report(st);
    if (synth_truth.empty()) synth_truth = std::filesystem::path(synth_out).replace_extension(".jsonl").string();
    st = synth::synthesize(so, synth_out, synth_truth);
    if (st.ok()) spdlog::info("wrote {} and {}", synth_out, synth_truth);
    return report(st);
  }
  if (*eval_cmd) return report(run_eval(ec, true));
  if (*demo_cmd) {
    std::error_code fs_err;
    std::filesystem::create_directories(demo_dir, fs_err);
    if (fs_err) return report(error(ErrorCode::kOutputError, "cannot create '" + demo_dir + "': " + fs_err.message()));
    const std::string input = demo_dir + "/demo_input.mp4";
    const std::string truth = demo_dir + "/demo_truth.jsonl";
    synth::SynthOptions demo_synth;
    demo_synth.duration_s = demo_duration;
    spdlog::info("demo: synthesising {:.0f} s of 1080p match footage -> {}", demo_duration, input);
    Status st = synth::synthesize(demo_synth, input, truth);
    if (!st.ok()) return report(st);
    pipeline::PipelineConfig config;
    config.source.url = input;
    config.sink.url = demo_dir + "/demo.mp4";
    config.track_out = demo_dir + "/demo_track.jsonl";
    config.metrics_json = demo_dir + "/demo_metrics.json";
    spdlog::info("demo: following the ball -> {}", config.sink.url);
    st = run_pipeline(config, false);
    if (!st.ok()) return report(st);
    EvalCommand demo_eval;
    demo_eval.truth = truth;
    demo_eval.track = config.track_out;
    demo_eval.json_out = demo_dir + "/demo_eval.json";
    st = run_eval(demo_eval, true);
    if (st.ok()) {
      spdlog::info("demo: wrote {}/demo.mp4, demo_track.jsonl, demo_metrics.json, demo_eval.json", demo_dir);
    }
    return report(st);
  }
  return 0;
}

}  // namespace ballcam::app

int main(int argc, char** argv) { return ballcam::app::main(argc, argv); }
