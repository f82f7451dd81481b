// Detector registry. Built-in backends are registered on first use, once
// (std::call_once), by direct calls rather than static initialisers: a static
// library drops object files nobody references, and with them any
// self-registering globals.
#include <algorithm>
#include <mutex>

#include "detect/builtin.hpp"
#include "detect/detector.hpp"

namespace ballcam::detect {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<DetectorInfo> entries;
};

Registry& registry() {
  static Registry r;
  return r;
}

void add_entry(DetectorInfo info) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = std::find_if(r.entries.begin(), r.entries.end(),
                         [&](const DetectorInfo& e) { return e.name == info.name; });
  if (it != r.entries.end()) *it = std::move(info);  // re-registering replaces
  else r.entries.push_back(std::move(info));
}

void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (DetectorInfo& info : builtin_detectors()) add_entry(std::move(info));
  });
}

}  // namespace

void register_detector(DetectorInfo info) {
  ensure_builtins();
  add_entry(std::move(info));
}

std::vector<std::string> detector_names() {
  ensure_builtins();
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& e : r.entries) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::unique_ptr<Detector>> create_detector(const DetectorConfig& config) {
  ensure_builtins();
  DetectorFactory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& e : r.entries)
      if (e.name == config.name) factory = e.factory;
  }
  if (!factory) {
    std::string known;
    for (const auto& n : detector_names()) known += (known.empty() ? "" : ", ") + n;
    return error(ErrorCode::kInvalidArgument,
                 "unknown detector '" + config.name + "' (known: " + known + ")");
  }
  return factory(config);
}

}  // namespace ballcam::detect
