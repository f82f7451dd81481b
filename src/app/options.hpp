// The run configuration's single source of truth: one table of options, each
// with its YAML key, optional CLI flag, help text and a validating setter.
// The CLI, the YAML loader and docs/CONFIG.md are all derived from it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "pipeline/pipeline.hpp"

namespace ballcam::app {

struct OptionSpec {
  std::string key;         // YAML key, dotted for nesting: "encoder.crf"
  std::string flag;        // CLI long flag without dashes ("crf"); empty = YAML only
  std::string help;
  std::string flag_value;  // for flags that take no argument: the value they set ("true")
  std::function<Status(pipeline::PipelineConfig&, const std::string&)> set;
  std::function<std::string(const pipeline::PipelineConfig&)> get;
};

const std::vector<OptionSpec>& run_options();
const OptionSpec* find_option(const std::string& key);

// Applies a YAML file (nested maps of scalars) on top of `config`. Unknown
// keys and invalid values are errors naming the key and the file.
Status apply_yaml_file(const std::string& path, pipeline::PipelineConfig& config);
Status apply_yaml_text(const std::string& text, const std::string& origin, pipeline::PipelineConfig& config);

// Appends tracker.* and camera.* (options_track_camera.cpp).
void add_tracker_camera_options(std::vector<OptionSpec>& options);

// Checks relations between options (e.g. a model file for neural detectors).
Status validate(const pipeline::PipelineConfig& config);

// Markdown table of every option (docs/CONFIG.md is generated from this).
std::string options_markdown();

// "1280x720" -> width, height (positive, even).
Status parse_size(const std::string& text, int& width, int& height);

}  // namespace ballcam::app
