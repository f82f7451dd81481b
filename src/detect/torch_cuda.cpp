// The CUDA side of TorchPlacement (torch_common.hpp): a stream per backend,
// and the network input built on the GPU from a device NV12 frame by
// gpu::nv12_to_tensor, written straight into a CUDA tensor. Built with the
// CUDA kernels and a CUDA libtorch (torch_cuda_none.cpp otherwise).
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_fp16.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <span>

#include "detect/torch_common.hpp"
#include "gpu/kernels.hpp"

namespace ballcam::detect {

struct TorchPlacement::Cuda {
  c10::cuda::CUDAStream stream;
};

Result<std::shared_ptr<TorchPlacement::Cuda>> TorchPlacement::open_cuda() {
  if (!torch::cuda::is_available())
    return error(ErrorCode::kUnavailable, "libtorch sees no CUDA device here (driver, GPU or CUDA_VISIBLE_DEVICES?)");
  try {
    // A stream of its own from libtorch's pool: the detector's work overlaps
    // the render stage's crop and download on theirs.
    return std::make_shared<Cuda>(Cuda{c10::cuda::getStreamFromPool(/*isHighPriority=*/false, 0)});
  } catch (const std::exception& e) {
    std::string what = e.what();
    return error(ErrorCode::kUnavailable, "libtorch CUDA does not start: " + what.substr(0, what.find('\n')));
  }
}

std::shared_ptr<void> TorchPlacement::enter(const Cuda& cuda) {
  return std::make_shared<c10::cuda::CUDAStreamGuard>(cuda.stream);
}

Result<torch::Tensor> TorchPlacement::device_frame_input(const Cuda& cuda, const Frame& frame,
                                                         const std::vector<gpu::RoiF>& rois,
                                                         const gpu::TensorSpec& spec, torch::ScalarType dtype) {
  if (frame.format != PixelFormat::kNv12)
    return error(ErrorCode::kInvalidArgument, std::string("a CUDA frame must be NV12, not ") + to_string(frame.format));
  const gpu::Nv12View src{frame.planes[0], frame.strides[0], frame.planes[1], frame.strides[1], frame.width_px,
                          frame.height_px};
  const int net_w = spec.out_w, net_h = spec.out_h;
  const bool half = dtype == torch::kHalf;
  const auto options = torch::TensorOptions().device(torch::kCUDA, cuda.stream.device_index())
                           .dtype(half ? torch::kHalf : torch::kFloat32);
  torch::Tensor t = torch::empty({static_cast<std::int64_t>(rois.size()), 3, net_h, net_w}, options);
  const cudaStream_t stream = cuda.stream.stream();
  const Status st =
      half ? gpu::nv12_to_tensor<__half>(src, rois, spec, reinterpret_cast<__half*>(t.data_ptr<at::Half>()), stream)
           : gpu::nv12_to_tensor<float>(src, rois, spec, t.data_ptr<float>(), stream);
  if (!st.ok()) return st;
  if (dtype != torch::kHalf && dtype != torch::kFloat32) t = t.to(dtype);
  return t;
}

}  // namespace ballcam::detect
