#include "detect/footandball.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <torch/script.h>
#include <torch/torch.h>

#include "detect/log.hpp"
#include "detect/planner.hpp"
#include "detect/torch_common.hpp"

namespace ballcam::detect {
namespace {

namespace nn = torch::nn;

constexpr int kBallStride = 4;
constexpr int kPlayerStride = 16;
constexpr int kLateralChannels = 32;

// One encoder block: `convs` x (3x3 conv without bias + BN + ReLU), then a
// 2x2 max-pool. Child indices (0 conv, 1 bn, 2 relu, 3 conv, ...) are the
// names the state_dict uses.
nn::Sequential encoder_block(int in_channels, int out_channels, int convs) {
  nn::Sequential block;
  for (int i = 0; i < convs; ++i) {
    block->push_back(nn::Conv2d(nn::Conv2dOptions(i == 0 ? in_channels : out_channels, out_channels, 3)
                                    .padding(1)
                                    .bias(false)));
    block->push_back(nn::BatchNorm2d(out_channels));
    block->push_back(nn::ReLU());
  }
  block->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
  return block;
}

nn::Sequential head(int out_channels) {
  nn::Sequential h;
  h->push_back(nn::Conv2d(nn::Conv2dOptions(kLateralChannels, kLateralChannels, 3).padding(1)));
  h->push_back(nn::ReLU());
  h->push_back(nn::Conv2d(nn::Conv2dOptions(kLateralChannels, out_channels, 3).padding(1)));
  return h;
}

// Encoder + feature pyramid; returns the stride-4 and stride-16 maps.
struct PyramidImpl : nn::Module {
  PyramidImpl() {
    const int channels[5] = {16, 32, 32, 64, 64};
    const int convs[5] = {1, 2, 2, 2, 2};
    int in = 3;
    for (int i = 0; i < 5; ++i) {
      layers->push_back(encoder_block(in, channels[i], convs[i]));
      in = channels[i];
    }
    for (int i = 1; i < 5; ++i)
      lateral_layers->push_back(nn::Conv2d(nn::Conv2dOptions(channels[i], kLateralChannels, 1)));
    register_module("layers", layers);
    register_module("lateral_layers", lateral_layers);
  }

  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor x) {
    std::vector<torch::Tensor> c;
    for (const auto& block : *layers) {
      x = block->as<nn::Sequential>()->forward(x);
      c.push_back(x);
    }
    auto lateral = [&](int level) { return lateral_layers[static_cast<std::size_t>(level - 1)]->as<nn::Conv2d>()->forward(c[static_cast<std::size_t>(level)]); };
    // Top-down: from stride 32 to stride 4; bilinear resize to the finer
    // map's size (odd sizes do not halve exactly).
    torch::Tensor p = lateral(4);
    torch::Tensor p16;
    for (int level = 3; level >= 1; --level) {
      torch::Tensor l = lateral(level);
      p = torch::nn::functional::interpolate(
              p, torch::nn::functional::InterpolateFuncOptions()
                     .size(std::vector<std::int64_t>{l.size(2), l.size(3)})
                     .mode(torch::kBilinear)
                     .align_corners(false)) +
          l;
      if (level == 3) p16 = p;
    }
    return {p, p16};
  }

  nn::ModuleList layers;
  nn::ModuleList lateral_layers;
};
TORCH_MODULE(Pyramid);

struct NetImpl : nn::Module {
  NetImpl() {
    register_module("base_network", base_network);
    register_module("ball_classifier", ball_classifier);
    register_module("player_classifier", player_classifier);
    register_module("player_regressor", player_regressor);
  }

  FootAndBallMaps forward(const torch::Tensor& input) {
    auto [p4, p16] = base_network->forward(input);
    FootAndBallMaps out;
    // softmax over (background, object), channel 1 = object
    out.ball_prob = torch::softmax(ball_classifier->forward(p4), 1).select(1, 1);
    out.player_prob = torch::softmax(player_classifier->forward(p16), 1).select(1, 1);
    out.player_box = player_regressor->forward(p16);
    return out;
  }

  Pyramid base_network;
  nn::Sequential ball_classifier = head(2);
  nn::Sequential player_classifier = head(2);
  nn::Sequential player_regressor = head(4);
};
TORCH_MODULE(Net);

std::string shape_str(at::IntArrayRef s) {
  std::ostringstream os;
  os << '[';
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? "," : "") << s[i];
  os << ']';
  return os.str();
}

class Model final : public FootAndBallModel {
 public:
  explicit Model(Net net) : net_(std::move(net)) { net_->eval(); }
  FootAndBallMaps forward(const torch::Tensor& input) override {
    c10::InferenceMode guard;
    return net_->forward(input);
  }
  void to(torch::Device device, torch::ScalarType dtype) override { net_->to(device, dtype); }

 private:
  Net net_;
};

}  // namespace

Result<std::unique_ptr<FootAndBallModel>> load_footandball(const std::string& path) {
  if (!std::ifstream(path, std::ios::binary))
    return error(ErrorCode::kInputError, "footandball: cannot read model file '" + path + "'");
  auto loaded = load_state_dict(path);
  if (!loaded.ok()) return loaded.status().with_context("footandball");
  const std::map<std::string, torch::Tensor>& file = *loaded;

  Net net;
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  auto assign = [&](const std::string& name, torch::Tensor& target) -> Status {
    auto it = file.find(name);
    if (it == file.end())
      return error(ErrorCode::kInvalidArgument, "footandball: '" + path + "' lacks tensor '" + name +
                                                    "' (not a FootAndBall state_dict?)");
    if (it->second.sizes() != target.sizes())
      return error(ErrorCode::kInvalidArgument, "footandball: tensor '" + name + "' in '" + path + "' has shape " +
                                                    shape_str(it->second.sizes()) + ", the network needs " +
                                                    shape_str(target.sizes()));
    target.copy_(it->second.to(target.dtype()));
    used.insert(name);
    return Status::Ok();
  };
  for (auto& p : net->named_parameters(true)) BALLCAM_RETURN_IF_ERROR(assign(p.key(), p.value()));
  for (auto& b : net->named_buffers(true)) BALLCAM_RETURN_IF_ERROR(assign(b.key(), b.value()));
  for (const auto& [name, tensor] : file)
    if (!used.contains(name))
      return error(ErrorCode::kInvalidArgument,
                   "footandball: '" + path + "' has tensor '" + name + "' that the network does not have");
  return std::unique_ptr<FootAndBallModel>(std::make_unique<Model>(std::move(net)));
}

namespace {

// Local maxima (3x3, ties to the first) of a [h, w] map above `threshold`.
struct Peak {
  int row = 0;
  int col = 0;
  float value = 0.0f;
};

std::vector<Peak> find_peaks(const float* map, int h, int w, float threshold) {
  std::vector<Peak> peaks;
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) {
      const float v = map[r * w + c];
      if (v < threshold) continue;
      bool is_max = true;
      for (int dr = -1; dr <= 1 && is_max; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          if (dr == 0 && dc == 0) continue;
          const int rr = r + dr, cc = c + dc;
          if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
          const float n = map[rr * w + cc];
          // strict on earlier neighbours, >= on later ones: one peak per plateau
          if (n > v || (n == v && (dr < 0 || (dr == 0 && dc < 0)))) {
            is_max = false;
            break;
          }
        }
      if (is_max) peaks.push_back({r, c, v});
    }
  return peaks;
}

// Probability-weighted centroid of the 3x3 neighbourhood, in cells (cell
// centres at +0.5).
Point2 refine(const float* map, int h, int w, const Peak& p) {
  double sx = 0.0, sy = 0.0, s = 0.0;
  for (int dr = -1; dr <= 1; ++dr)
    for (int dc = -1; dc <= 1; ++dc) {
      const int rr = p.row + dr, cc = p.col + dc;
      if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
      const double v = map[rr * w + cc];
      sx += v * (cc + 0.5);
      sy += v * (rr + 0.5);
      s += v;
    }
  return s > 0.0 ? Point2{sx / s, sy / s} : Point2{p.col + 0.5, p.row + 0.5};
}

class FootAndBallDetector final : public TorchDetector {
 public:
  FootAndBallDetector(const DetectorConfig& config, std::unique_ptr<FootAndBallModel> model, TorchPlacement placement,
                      double load_ms)
      : TorchDetector("footandball", std::move(placement), load_ms), config_(config), model_(std::move(model)) {
    if (this->placement().cuda()) model_->to(this->placement().device(), this->placement().dtype());  // the parameter went to the base
  }

 private:
  // The whole frame at --input-scale, or the planner's tiles.
  InputShape input_shape(const Frame& frame) const override {
    const double scale = config_.planner.input_scale > 0.0 ? config_.planner.input_scale : 1.0;
    return {config_.planner, config_.planner.tile_px, std::max(32, static_cast<int>(std::lround(frame.width_px * scale))),
            std::max(32, static_cast<int>(std::lround(frame.height_px * scale)))};
  }

  Status run(const PlannedInput& input, Detections& out) override {
    FootAndBallMaps maps;
    try {
      const std::vector<torch::Tensor> raw = placement().forward(input.tensor, [this](const torch::Tensor& x) {
        FootAndBallMaps m = model_->forward(x);
        return std::vector<torch::Tensor>{m.ball_prob, m.player_prob, m.player_box};
      });
      maps.ball_prob = placement().to_host(raw[0]);
      maps.player_prob = placement().to_host(raw[1]);
      maps.player_box = placement().to_host(raw[2]);
    } catch (const std::exception& e) {
      std::string what = e.what();
      return error(ErrorCode::kInternal, "footandball: forward failed: " + what.substr(0, what.find('\n')));
    }
    decode(maps, input, out);
    return Status::Ok();
  }

  void decode(const FootAndBallMaps& maps, const PlannedInput& input, Detections& out) const {
    // The frame the planner was made for: this call's frame (off it = padding).
    const double width_px = planner().frame_width_px(), height_px = planner().frame_height_px();
    const torch::Tensor ball = maps.ball_prob.contiguous();
    const torch::Tensor player = maps.player_prob.contiguous();
    const torch::Tensor box = maps.player_box.contiguous();
    const int bh = static_cast<int>(ball.size(1)), bw = static_cast<int>(ball.size(2));
    const int ph = static_cast<int>(player.size(1)), pw = static_cast<int>(player.size(2));
    const float* ball_data = ball.data_ptr<float>();
    const float* player_data = player.data_ptr<float>();
    const float* box_data = box.data_ptr<float>();
    // Network pixels per source pixel: the same for every window of a call.
    const Box& first = input.windows.front();
    const double scale = input.net_w / std::max(first.w, 1e-9);
    const double radius = std::clamp(2.0 / scale, config_.min_ball_radius_px, config_.max_ball_radius_px);
    std::vector<BallCandidate> balls;
    std::vector<PlayerDetection> players;
    for (std::size_t n = 0; n < input.windows.size(); ++n) {
      const Box& win = input.windows[n];
      const double scale_x = input.net_w / win.w, scale_y = input.net_h / win.h;
      const float* bmap = ball_data + n * static_cast<std::size_t>(bh * bw);
      for (const Peak& p : find_peaks(bmap, bh, bw, static_cast<float>(config_.min_score))) {
        const Point2 cell = refine(bmap, bh, bw, p);
        const Point2 c{win.x + cell.x * kBallStride / scale_x, win.y + cell.y * kBallStride / scale_y};
        if (c.x < 0.0 || c.y < 0.0 || c.x >= width_px || c.y >= height_px) continue;  // padding
        balls.push_back({c, radius, p.value});
      }
      const float* pmap = player_data + n * static_cast<std::size_t>(ph * pw);
      const float* bx = box_data + n * static_cast<std::size_t>(4 * ph * pw);
      // Box fractions are of the input size as the stride-16 map sees it.
      const double fw = static_cast<double>(pw) * kPlayerStride, fh = static_cast<double>(ph) * kPlayerStride;
      for (const Peak& p : find_peaks(pmap, ph, pw, static_cast<float>(config_.player_min_score))) {
        const std::size_t at = static_cast<std::size_t>(p.row * pw + p.col);
        const std::size_t plane = static_cast<std::size_t>(ph * pw);
        const double cx = (p.col + 0.5) * kPlayerStride + bx[at] * fw;
        const double cy = (p.row + 0.5) * kPlayerStride + bx[plane + at] * fh;
        const double w = bx[2 * plane + at] * fw, h = bx[3 * plane + at] * fh;
        Box b{win.x + (cx - w * 0.5) / scale_x, win.y + (cy - h * 0.5) / scale_y, w / scale_x, h / scale_y};
        if (b.cx() < 0.0 || b.cy() < 0.0 || b.cx() >= width_px || b.cy() >= height_px) continue;
        players.push_back({b, p.value});
      }
    }
    // Overlapping tiles see the same ball or player twice: keep the best.
    merge_window_detections(std::move(balls), std::move(players), 2.0 * kBallStride / scale, config_.max_candidates,
                            out);
  }

  DetectorConfig config_;
  std::unique_ptr<FootAndBallModel> model_;
};

}  // namespace

DetectorInfo footandball_detector_info() {
  return {"footandball",
          "FootAndBall ball+player network (libtorch; --model footandball_20201019.pth), with the ROI/tile planner",
          [](const DetectorConfig& config) -> Result<std::unique_ptr<Detector>> {
            if (config.model_path.empty())
              return error(ErrorCode::kInvalidArgument,
                           "footandball detector needs --model FILE (the FootAndBall .pth weights)");
            if (config.planner.tile_px < 32 || config.planner.tile_px % 32 != 0)
              return error(ErrorCode::kInvalidArgument, "detector.tile_px must be a multiple of 32 (>= 32)");
            configure_torch_threads(config.threads);
            auto placement = TorchPlacement::create(config);
            if (!placement.ok()) return placement.status().with_context("footandball");
            const auto t0 = CallTimer::Clock::now();
            auto model = load_footandball(config.model_path);
            if (!model.ok()) return model.status();
            const double load_ms = elapsed_ms(t0);
            char line[512];
            std::snprintf(line, sizeof line, "footandball: loaded '%s' in %.1f ms (%s, %d threads, input scale %g, %s)",
                          config.model_path.c_str(), load_ms, placement->describe().c_str(), at::get_num_threads(),
                          config.planner.input_scale,
                          config.planner.enabled ? ("tile planner, tile " + std::to_string(config.planner.tile_px) + " px").c_str()
                                                 : "whole frame");
            log_info(line);
            return std::unique_ptr<Detector>(
                std::make_unique<FootAndBallDetector>(config, std::move(model).value(), std::move(placement).value(),
                                                      load_ms));
          }};
}

}  // namespace ballcam::detect
