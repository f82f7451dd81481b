#include "detect/torch_backends.hpp"

#include "detect/footandball.hpp"
#include "detect/rfdetr.hpp"

namespace ballcam::detect {

void add_torch_detectors(std::vector<DetectorInfo>& infos) {
  infos.push_back(footandball_detector_info());
  infos.push_back(rfdetr_detector_info());
}

}  // namespace ballcam::detect
