// The backends compiled into this build, in registration order. Each backend
// contributes one function here; registry.cpp calls builtin_detectors() once.
#pragma once

#include <vector>

#include "detect/classical.hpp"
#include "detect/detector.hpp"
#include "detect/torch_backends.hpp"

namespace ballcam::detect {

inline std::vector<DetectorInfo> builtin_detectors() {
  std::vector<DetectorInfo> infos;
  infos.push_back(classical_detector_info());
  add_torch_detectors(infos);  // libtorch backends, or stand-ins that say there is no libtorch
  return infos;
}

}  // namespace ballcam::detect
