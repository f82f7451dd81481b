// ballcam._ballcam: the pybind11 layer under the pure-Python package in
// python/ballcam (which is the documented API; see docs/PYTHON.md).
//
// Kept thin on purpose: configs go through the option table
// (app::run_options(), the same setters as the CLI and YAML), runs go through
// pipeline::Pipeline, and every Status becomes a Python exception carrying the
// same one-line message.
//
// Threads and the GIL: run_pipeline() releases the GIL for Pipeline::run().
// The per-frame callback runs on the pipeline's analyse thread and takes the
// GIL for each call; the progress hook runs on the calling thread every 50 ms
// and also checks for Ctrl-C. A Python exception in either stops the run
// (Status error or request_stop) and is re-raised once run() has returned.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "core/records.hpp"
#include "eval/evaluate.hpp"
#include "io/media.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/pipeline.hpp"
#include "synth/synth.hpp"

namespace py = pybind11;

namespace ballcam::bindings {
namespace {

bool is_url(const std::string& s) { return s.find("://") != std::string::npos; }

// Status -> Python exception. `input_path`: a local input whose absence turns
// an input error into FileNotFoundError.
[[noreturn]] void raise_status(const Status& st, const std::string& input_path = {}) {
  PyObject* type = PyExc_RuntimeError;
  switch (st.code()) {
    case ErrorCode::kInvalidArgument: type = PyExc_ValueError; break;
    case ErrorCode::kInputError: {
      std::error_code ec;
      const bool missing = !input_path.empty() && !is_url(input_path) && !std::filesystem::exists(input_path, ec);
      type = missing ? PyExc_FileNotFoundError : PyExc_OSError;
      break;
    }
    case ErrorCode::kOutputError: type = PyExc_OSError; break;
    case ErrorCode::kCancelled: type = PyExc_KeyboardInterrupt; break;
    default: type = PyExc_RuntimeError; break;
  }
  py::object exc = py::reinterpret_borrow<py::object>(type)(st.message());
  exc.attr("ballcam_code") = static_cast<int>(st.code());
  PyErr_SetObject(type, exc.ptr());
  throw py::error_already_set();
}

void check(const Status& st, const std::string& input_path = {}) {
  if (!st.ok()) raise_status(st, input_path);
}

py::object json_to_python(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

const app::OptionSpec& option(const std::string& key) {
  const app::OptionSpec* spec = app::find_option(key);
  if (spec == nullptr) raise_status(error(ErrorCode::kInvalidArgument, "unknown option '" + key + "'"));
  return *spec;
}

struct Config {
  pipeline::PipelineConfig config;

  void set(const std::string& key, const std::string& value) { check(option(key).set(config, value)); }
  std::string get(const std::string& key) const { return option(key).get(config); }
  void apply_yaml_file(const std::string& path) { check(app::apply_yaml_file(path, config)); }
  void apply_yaml_text(const std::string& text, const std::string& origin) {
    check(app::apply_yaml_text(text, origin, config));
  }
};

py::dict frame_info(const TrackRecord& r) {
  const TrackState& t = r.track;
  py::dict d;
  d["frame_index"] = r.frame_index;
  d["pts"] = static_cast<double>(r.pts_us) * 1e-6;
  d["mode"] = to_string(t.mode);
  if (t.has_estimate) {
    d["ball_x"] = t.position.x;
    d["ball_y"] = t.position.y;
    d["velocity"] = py::make_tuple(t.velocity_px_per_frame.x, t.velocity_px_per_frame.y);
    d["uncertainty"] = t.uncertainty_px;
  } else {
    d["ball_x"] = py::none();
    d["ball_y"] = py::none();
    d["velocity"] = py::none();
    d["uncertainty"] = py::none();
  }
  d["measured"] = t.measurement.has_value();
  d["crop_x"] = r.crop.x;
  d["crop_y"] = r.crop.y;
  d["crop_w"] = r.crop.w;
  d["crop_h"] = r.crop.h;
  py::list dets;
  for (const auto& c : r.detections) {
    py::dict cd;
    cd["x"] = c.center.x;
    cd["y"] = c.center.y;
    cd["r"] = c.radius_px;
    cd["score"] = c.score;
    dets.append(std::move(cd));
  }
  d["detections"] = std::move(dets);
  py::list players;
  for (const auto& p : r.players) {
    py::dict pd;
    pd["x"] = p.box.x;
    pd["y"] = p.box.y;
    pd["w"] = p.box.w;
    pd["h"] = p.box.h;
    pd["score"] = p.score;
    players.append(std::move(pd));
  }
  d["players"] = std::move(players);
  return d;
}

// Runs one pipeline. `on_frame(dict)` per analysed frame, `on_progress(done,
// total)` about every 50 ms; either may be None. Returns the run summary
// (the --metrics-json document) as a dict.
py::object run_pipeline(const Config& cfg, const std::string& input, const std::string& output,
                        const std::string& device, const py::object& on_frame, const py::object& on_progress) {
  pipeline::PipelineConfig config = cfg.config;
  if (!input.empty()) check(option("input.url").set(config, input));
  if (!output.empty()) check(option("output.url").set(config, output));
  if (!device.empty()) check(option("device").set(config, device));
  check(app::validate(config));

  pipeline::Pipeline p(config);
  std::exception_ptr py_error;  // read and written with the GIL held
  if (!on_frame.is_none()) {
    p.on_record = [&](const TrackRecord& record) -> Status {
      py::gil_scoped_acquire gil;
      if (py_error) return Status::Ok();  // on_progress raised: a stop was requested, the frames in flight finish
      try {
        on_frame(frame_info(record));
        return Status::Ok();
      } catch (...) {
        py_error = std::current_exception();
        return error(ErrorCode::kCancelled, "on_frame raised an exception");
      }
    };
  }
  p.on_progress = [&](std::int64_t done, std::int64_t total) {
    py::gil_scoped_acquire gil;
    if (py_error) return;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C: finish cleanly, then raise
      if (!on_progress.is_none()) on_progress(done, total);
    } catch (...) {
      py_error = std::current_exception();
      p.request_stop();
    }
  };

  Status st;
  {
    py::gil_scoped_release nogil;
    st = p.run();
  }
  p.on_record = nullptr;
  p.on_progress = nullptr;
  if (py_error) std::rethrow_exception(py_error);
  check(st, config.source.url);
  return json_to_python(metrics::to_json(p.summary()));
}

void synthesize(const std::string& output, const std::string& truth, int width, int height, int fps,
                double duration_s, std::uint64_t seed, const std::string& scenario, bool audio, int crf) {
  synth::SynthOptions so;
  so.width_px = width;
  so.height_px = height;
  so.fps = fps;
  so.duration_s = duration_s;
  so.seed = seed;
  so.scenario = scenario;
  so.audio = audio;
  so.crf = crf;
  if (crf < 0 || crf > 51) raise_status(error(ErrorCode::kInvalidArgument, "crf must be between 0 and 51"));
  check(synth::validate(so));
  Status st;
  {
    py::gil_scoped_release nogil;
    st = synth::synthesize(so, output, truth);
  }
  check(st);
}

py::object evaluate(const std::string& truth, const std::string& track, double match_radius_px,
                    double view_margin_frac, int warmup_frames, bool baseline) {
  EvalOptions options;
  options.match_radius_px = match_radius_px;
  options.view_margin_frac = view_margin_frac;
  options.warmup_frames = warmup_frames;
  if (!(match_radius_px > 0)) raise_status(error(ErrorCode::kInvalidArgument, "match_radius_px must be positive"));
  if (!(view_margin_frac >= 0 && view_margin_frac <= 0.45)) {
    raise_status(error(ErrorCode::kInvalidArgument, "view_margin_frac must be between 0 and 0.45"));
  }
  if (warmup_frames < 0) raise_status(error(ErrorCode::kInvalidArgument, "warmup_frames must not be negative"));
  auto gt = load_ground_truth(truth);
  check(gt.status(), truth);
  auto records = load_track(track);
  check(records.status(), track);
  // The source size from the crops, as `ballcam eval` without --source-*.
  options = with_source_size(options, *records);
  auto report = ballcam::evaluate(*gt, *records, options);
  check(report.status());
  if (!baseline) return json_to_python(to_json(*report));
  auto naive = evaluate_naive_baseline(*gt, *records, options, options.source_width_px, options.source_height_px,
                                       CameraConfig{});
  check(naive.status());
  return json_to_python(nlohmann::json{{"ballcam", to_json(*report)}, {"naive_baseline", to_json(*naive)}});
}

py::list option_table() {
  const pipeline::PipelineConfig defaults;
  py::list out;
  for (const auto& o : app::run_options()) {
    py::dict d;
    d["key"] = o.key;
    d["flag"] = o.flag;
    d["help"] = o.help;
    d["default"] = o.get(defaults);
    out.append(std::move(d));
  }
  return out;
}

// As the CLI: FFmpeg's own messages (x264's summary, decoder chatter) only when debugging.
void apply_log_level(spdlog::level::level_enum level) {
  spdlog::set_level(level);
  io::set_library_log_level(level <= spdlog::level::debug ? io::LibraryLogLevel::kInfo : io::LibraryLogLevel::kError);
}

void set_log_level(const std::string& level) {
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    raise_status(error(ErrorCode::kInvalidArgument,
                       "invalid log level '" + level + "': expected trace, debug, info, warning, error, critical or off"));
  }
  apply_log_level(lvl);
}

}  // namespace
}  // namespace ballcam::bindings

PYBIND11_MODULE(_ballcam, m) {
  using namespace ballcam::bindings;
  m.doc() = "ballcam native layer; use the `ballcam` package instead (docs/PYTHON.md)";
  apply_log_level(spdlog::get_level());

  py::class_<Config>(m, "_Config")
      .def(py::init<>())
      .def(py::init<const Config&>())
      .def("set", &Config::set, py::arg("key"), py::arg("value"))
      .def("get", &Config::get, py::arg("key"))
      .def("apply_yaml_file", &Config::apply_yaml_file, py::arg("path"))
      .def("apply_yaml_text", &Config::apply_yaml_text, py::arg("text"), py::arg("origin"))
      .def("validate", [](const Config& c) { check(ballcam::app::validate(c.config)); });

  m.def("option_table", &option_table, "Every run option: key, CLI flag, help, default (as text).");
  m.def("run_pipeline", &run_pipeline, py::arg("config"), py::arg("input"), py::arg("output"), py::arg("device"),
        py::arg("on_frame"), py::arg("on_progress"));
  m.def("synthesize", &synthesize, py::arg("output"), py::arg("truth"), py::arg("width"), py::arg("height"),
        py::arg("fps"), py::arg("duration_s"), py::arg("seed"), py::arg("scenario"), py::arg("audio"), py::arg("crf"));
  m.def("scenario_names", &ballcam::synth::scenario_names);
  m.def("evaluate", &evaluate, py::arg("truth"), py::arg("track"), py::arg("match_radius_px"),
        py::arg("view_margin_frac"), py::arg("warmup_frames"), py::arg("baseline"));
  m.def("set_log_level", &set_log_level, py::arg("level"));
  m.def("cuda_pipeline_available", [] { return false; },
        "True once a CUDA pipeline exists in this build (none yet: the GPU kernels are not wired in).");
  m.attr("__version__") = BALLCAM_VERSION;
}
