#include "detect/cuda_probe.hpp"

namespace ballcam::detect {

bool torch_cuda_available(std::string* note) {
  if (note != nullptr) *note = "built without libtorch";
  return false;
}

bool torch_cuda_self_test(std::string* detail) { return torch_cuda_available(detail); }

}  // namespace ballcam::detect
