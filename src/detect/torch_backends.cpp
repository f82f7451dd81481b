#include "detect/torch_backends.hpp"

#include "detect/footandball.hpp"

namespace ballcam::detect {

void add_torch_detectors(std::vector<DetectorInfo>& infos) {
  infos.push_back(footandball_detector_info());
}

}  // namespace ballcam::detect
