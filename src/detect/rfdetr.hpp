// "rfdetr": an RF-DETR model (Roboflow, Apache-2.0) exported to TorchScript by
// tools/export_rfdetr.py, with its JSON sidecar (MODEL.json next to MODEL.pt).
//
// Contract (../shared/DESIGN.md, "The detector contract"): input
// [N,3,H,W] RGB 0-1 normalised with the sidecar's mean/std (ImageNet),
// stretch resize (no letterbox); outputs pred_boxes [N,Q,4] (cx, cy, w, h,
// normalised to the input) and pred_logits [N,Q,C]. Post-processing is
// sigmoid + top-k over the queries for the ball class (no NMS); the ball
// class comes from the sidecar (37 = COCO "sports ball") unless
// detector.ball_class overrides it. Player boxes come from the "person"
// class when the model has one.
//
// The detector runs the model on what the DetectionPlanner picks: tiles of
// the model's input size (ROI around the tracker's prediction + a periodic
// scan), one batched call; or the whole frame stretched to the input size
// when the planner is disabled. Candidates seen by overlapping tiles are
// merged.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "core/geometry.hpp"
#include "core/status.hpp"
#include "detect/detector.hpp"

namespace ballcam::detect {

// What tools/export_rfdetr.py writes next to the TorchScript file.
struct RfDetrSidecar {
  int height_px = 0;  // network input size
  int width_px = 0;
  int num_queries = 0;
  int num_logits = 0;
  std::vector<std::string> class_names;  // by logit index; "" for unnamed slots
  int ball_class = -1;
  std::array<float, 3> mean{};
  std::array<float, 3> std{};
  std::string rfdetr_version;
  std::string torch_version;
};

// MODEL.pt -> MODEL.json.
std::string rfdetr_sidecar_path(const std::string& model_path);

// Reads and checks the sidecar: kInputError when it is missing or not JSON,
// kInvalidArgument when a field is missing or out of range.
Result<RfDetrSidecar> load_rfdetr_sidecar(const std::string& sidecar_path);

// The TorchScript module and its sidecar, checked against each other (one
// forward pass on a zero input must give the sidecar's shapes).
class RfDetrModel {
 public:
  // kInputError: a file is missing or unreadable; kInvalidArgument: the file
  // is not an RF-DETR export or disagrees with its sidecar.
  // `device`, `dtype`: where the module runs (the archive's constants are
  // mapped there too); the check pass runs there.
  static Result<RfDetrModel> load(const std::string& model_path, torch::Device device = torch::kCPU,
                                  torch::ScalarType dtype = torch::kFloat32);

  // input [N,3,H,W] normalised -> (boxes [N,Q,4], logits [N,Q,C]), float32,
  // on the module's device.
  Result<std::pair<torch::Tensor, torch::Tensor>> forward(const torch::Tensor& input);


  const RfDetrSidecar& sidecar() const { return sidecar_; }

 private:
  struct Impl;
  RfDetrModel(std::shared_ptr<Impl> impl, RfDetrSidecar sidecar)
      : impl_(std::move(impl)), sidecar_(std::move(sidecar)) {}
  std::shared_ptr<Impl> impl_;
  RfDetrSidecar sidecar_;
};

// The TorchScript archive at `path` with its code retargeted to `device`
// (e.g. "cuda:0"): torch.jit.trace records the device of the tensors it saw
// being created, so an export traced on the CPU has `torch.device("cpu")`
// constants (arange, zeros) that would meet CUDA tensors. Each becomes
// `torch.device("<device>")`; source-range debug records are dropped (their
// offsets no longer hold); every other record is copied as it is. Returns the
// new archive's bytes (torch::jit::load takes a stream) and, in `replaced`,
// how many constants changed. kInvalidArgument when it is not an archive.
Result<std::string> retarget_torchscript(const std::string& path, const std::string& device, int* replaced);

// One query's box for one class: sigmoid(logit) and the box in input-relative
// units (0-1).
struct RfDetrHit {
  int query = 0;
  float score = 0.0f;
  float cx = 0.0f, cy = 0.0f, w = 0.0f, h = 0.0f;
};

// Sigmoid + top-k over the Q queries of one image for class `cls`: the (at
// most) k best scoring >= min_score, best first. `boxes` is [Q,4], `logits`
// [Q,C], both contiguous float32.
std::vector<RfDetrHit> rfdetr_top_k(const float* boxes, const float* logits, int num_queries, int num_logits,
                                    int cls, float min_score, int k);

DetectorInfo rfdetr_detector_info();

}  // namespace ballcam::detect
