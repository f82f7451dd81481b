// TorchPlacement's CUDA side in builds without the CUDA kernels or without a
// CUDA libtorch: --device cuda cannot put a detector on the GPU here, and says
// so (kUnavailable, exit 5).
#include "detect/torch_common.hpp"

namespace ballcam::detect {

struct TorchPlacement::Cuda {};

Result<std::shared_ptr<TorchPlacement::Cuda>> TorchPlacement::open_cuda(bool /*graphs*/) {
  return error(ErrorCode::kUnavailable,
               "this build runs the neural detectors on the CPU only (built without the CUDA kernels or without a "
               "CUDA libtorch)");
}

std::shared_ptr<void> TorchPlacement::enter(const Cuda& /*cuda*/) { return nullptr; }

std::vector<torch::Tensor> TorchPlacement::graph_forward(Cuda& /*cuda*/, const torch::Tensor& input,
                                                         const Network& net) {
  return net(input);
}

Result<torch::Tensor> TorchPlacement::device_frame_input(const Cuda& /*cuda*/, const Frame& /*frame*/,
                                                         const std::vector<gpu::RoiF>& /*rois*/,
                                                         const gpu::TensorSpec& /*spec*/, torch::ScalarType /*dtype*/) {
  return error(ErrorCode::kUnavailable, "this build cannot read CUDA frames");
}

}  // namespace ballcam::detect
