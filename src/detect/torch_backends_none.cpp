#include "detect/torch_backends.hpp"

namespace ballcam::detect {

void add_torch_detectors(std::vector<DetectorInfo>& infos) {
  for (const char* name : {"footandball", "rfdetr"}) {
    const std::string n = name;
    infos.push_back({n, "(unavailable: this build has no libtorch)",
                     [n](const DetectorConfig&) -> Result<std::unique_ptr<Detector>> {
                       return error(ErrorCode::kUnavailable,
                                    "detector '" + n +
                                        "' needs libtorch, and this build has none (run scripts/setup.sh, which "
                                        "installs PyTorch into .venv, then reconfigure)");
                     }});
  }
}

}  // namespace ballcam::detect
