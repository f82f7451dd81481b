// The CUDA side of TorchPlacement (torch_common.hpp): a stream per backend,
// and the network input built on the GPU from a device NV12 frame by
// gpu::nv12_to_tensor, written straight into a CUDA tensor. Built with the
// CUDA kernels and a CUDA libtorch (torch_cuda_none.cpp otherwise).
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_fp16.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <map>
#include <span>
#include <string>
#include <vector>

#include "detect/log.hpp"
#include "detect/torch_common.hpp"
#include "gpu/frame_view.hpp"
#include "gpu/kernels.hpp"

namespace ballcam::detect {

namespace {

// One captured network call: its static input and output tensors.
struct Graph {
  std::unique_ptr<at::cuda::CUDAGraph> graph;  // null: the capture failed, run eagerly
  torch::Tensor input;
  std::vector<torch::Tensor> outputs;
};

}  // namespace

struct TorchPlacement::Cuda {
  c10::cuda::CUDAStream stream;
  bool graphs = false;
  std::map<std::vector<std::int64_t>, Graph> captured;  // by input sizes + dtype
};

std::vector<torch::Tensor> TorchPlacement::graph_forward(Cuda& cuda, const torch::Tensor& input, const Network& net) {
  if (!cuda.graphs || !input.is_cuda()) return net(input);
  std::vector<std::int64_t> key(input.sizes().begin(), input.sizes().end());
  key.push_back(static_cast<std::int64_t>(input.scalar_type()));
  auto it = cuda.captured.find(key);
  if (it == cuda.captured.end()) {
    Graph g;
    g.input = input.clone();
    const cudaStream_t stream = cuda.stream.stream();
    try {
      // Warm-up on this stream (cuDNN/cuBLAS pick their algorithms, the
      // allocator settles), then capture. Thread-local capture mode: the
      // other stages' CUDA calls on their threads stay legal meanwhile.
      for (int i = 0; i < 3; ++i) (void)net(g.input);
      cuda.stream.synchronize();
      auto graph = std::make_unique<at::cuda::CUDAGraph>();
      graph->capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
      g.outputs = net(g.input);
      graph->capture_end();
      g.graph = std::move(graph);
      log_info("CUDA graph captured for input " + c10::str(input.sizes()) + " " + c10::toString(input.scalar_type()));
    } catch (const std::exception& e) {
      // End a capture left open, so the stream works again; this shape runs eagerly.
      cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
      if (cudaStreamIsCapturing(stream, &status) == cudaSuccess && status != cudaStreamCaptureStatusNone) {
        cudaGraph_t broken = nullptr;
        if (cudaStreamEndCapture(stream, &broken) == cudaSuccess && broken != nullptr) cudaGraphDestroy(broken);
      }
      (void)cudaGetLastError();
      std::string what = e.what();
      log_warn("CUDA graph capture failed for input " + c10::str(input.sizes()) + ", running it eagerly: " +
               what.substr(0, what.find('\n')));
      g.graph.reset();
      g.outputs.clear();
    }
    it = cuda.captured.emplace(std::move(key), std::move(g)).first;
  }
  Graph& g = it->second;
  if (!g.graph) return net(input);
  g.input.copy_(input);
  g.graph->replay();
  return g.outputs;
}

Result<std::shared_ptr<TorchPlacement::Cuda>> TorchPlacement::open_cuda(bool graphs) {
  if (!torch::cuda::is_available())
    return error(ErrorCode::kUnavailable, "libtorch sees no CUDA device here (driver, GPU or CUDA_VISIBLE_DEVICES?)");
  try {
    // A stream of its own from libtorch's pool: the detector's work overlaps
    // the render stage's crop and download on theirs.
    auto cuda = std::make_shared<Cuda>(Cuda{c10::cuda::getStreamFromPool(/*isHighPriority=*/false, 0), graphs, {}});
    return cuda;
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
  const gpu::Nv12View src = gpu::nv12_view(frame);
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
