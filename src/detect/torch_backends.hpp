// The libtorch backends of this build. torch_backends.cpp (built with
// libtorch) registers them; torch_backends_none.cpp (without) registers
// stand-ins under the same names that say this build has no libtorch.
#pragma once

#include <vector>

#include "detect/detector.hpp"

namespace ballcam::detect {

void add_torch_detectors(std::vector<DetectorInfo>& infos);

}  // namespace ballcam::detect
