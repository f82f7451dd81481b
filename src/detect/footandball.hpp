// "footandball": FootAndBall (Komorowski, Kurzejamski, Sarwas, VISAPP 2020),
// a ~200k-parameter fully convolutional ball-and-player detector, written
// here with torch::nn from the paper and the tensor names/shapes of the
// published state_dict (footandball_20201019.pth, MIT).
//
// Network (input [N,3,H,W], RGB 0-1 normalised with ImageNet mean/std):
//   encoder: five blocks of 3x3 conv (no bias) + BN + ReLU, each ending in a
//     2x2 max-pool: 1, 2, 2, 2, 2 convs of 16, 32, 32, 64, 64 channels
//     (outputs at strides 2, 4, 8, 16, 32);
//   FPN: 1x1 laterals (32 channels) on blocks 2-5, top-down path that
//     resizes the coarser map bilinearly to the finer one's size and adds;
//   heads, each 3x3 conv 32 + ReLU + 3x3 conv: ball (2 channels, softmax)
//     on the stride-4 map; player (2 channels, softmax) and player box
//     (4 channels: centre offset from the cell centre and width, height, all
//     as fractions of the input size) on the stride-16 map.
//
// Post-processing: ball candidates are 3x3 local maxima of the ball
// probability map above min_score, centred to sub-cell precision by the
// probability-weighted centroid of the 3x3 neighbourhood; players are 3x3
// maxima of the player map above player_min_score with their boxes. The
// detector runs the network on the tiles the DetectionPlanner picks (one
// batched call) and merges what the tiles saw.
#pragma once

#include <memory>
#include <string>

#include <torch/types.h>

#include "core/status.hpp"
#include "detect/detector.hpp"

namespace ballcam::detect {

// The network's raw outputs for a batch.
struct FootAndBallMaps {
  torch::Tensor ball_prob;    // [N, H/4, W/4]    probability of "ball" per stride-4 cell
  torch::Tensor player_prob;  // [N, H/16, W/16]  probability of "player" per stride-16 cell
  torch::Tensor player_box;   // [N, 4, H/16, W/16] (dx, dy, w, h) as fractions of the input size
};

class FootAndBallModel {
 public:
  virtual ~FootAndBallModel() = default;
  // `input`: [N, 3, H, W] float, normalised. No gradients, eval mode.
  virtual FootAndBallMaps forward(const torch::Tensor& input) = 0;
  // Moves the weights to `device` in `dtype` (e.g. CUDA, half precision);
  // forward() then wants its input there, in that dtype.
  virtual void to(torch::Device device, torch::ScalarType dtype) = 0;
};

// Loads a FootAndBall state_dict saved by torch.save. Strict: every tensor
// of the network must be in the file with the same shape, and the file must
// hold nothing else; otherwise kInvalidArgument naming the first offender.
// kInputError when the file cannot be read or is not a torch.save archive.
Result<std::unique_ptr<FootAndBallModel>> load_footandball(const std::string& path);

DetectorInfo footandball_detector_info();

}  // namespace ballcam::detect
