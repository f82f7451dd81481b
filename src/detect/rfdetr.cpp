#include "detect/rfdetr.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <ATen/Parallel.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/script.h>

#include "detect/log.hpp"
#include "detect/planner.hpp"
#include "detect/torch_common.hpp"

namespace ballcam::detect {
namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

std::string rfdetr_sidecar_path(const std::string& model_path) {
  return std::filesystem::path(model_path).replace_extension(".json").string();
}

Result<RfDetrSidecar> load_rfdetr_sidecar(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return error(ErrorCode::kInputError,
                 "RF-DETR sidecar not found: " + path + " (tools/export_rfdetr.py writes it next to the model)");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    return error(ErrorCode::kInputError, "RF-DETR sidecar " + path + " is not JSON: " + first_line(e.what()));
  }
  auto bad = [&](const std::string& what) {
    return error(ErrorCode::kInvalidArgument, "RF-DETR sidecar " + path + ": " + what);
  };
  RfDetrSidecar s;
  try {
    if (j.value("format", std::string()) != "ballcam-rfdetr-1")
      return bad("not a ballcam RF-DETR sidecar (format must be \"ballcam-rfdetr-1\")");
    const auto& res = j.at("resolution");
    s.height_px = res.at(0).get<int>();
    s.width_px = res.at(1).get<int>();
    s.num_queries = j.at("num_queries").get<int>();
    s.num_logits = j.at("num_logits").get<int>();
    s.ball_class = j.at("ball_class").get<int>();
    s.class_names = j.value("class_names", std::vector<std::string>{});
    const auto mean = j.at("mean").get<std::vector<float>>();
    const auto sd = j.at("std").get<std::vector<float>>();
    if (mean.size() != 3 || sd.size() != 3) return bad("mean and std need 3 values each");
    std::copy(mean.begin(), mean.end(), s.mean.begin());
    std::copy(sd.begin(), sd.end(), s.std.begin());
    s.rfdetr_version = j.value("rfdetr_version", std::string());
    s.torch_version = j.value("torch_version", std::string());
  } catch (const std::exception& e) {
    return bad(first_line(e.what()));
  }
  if (s.height_px < 32 || s.width_px < 32 || s.height_px > 4096 || s.width_px > 4096)
    return bad("resolution out of range");
  if (s.num_queries < 1 || s.num_logits < 1) return bad("num_queries and num_logits must be positive");
  if (s.ball_class < 0 || s.ball_class >= s.num_logits) return bad("ball_class outside the model's logits");
  for (float v : s.std)
    if (!(v > 0.0f)) return bad("std must be positive");
  return s;
}

Result<std::string> retarget_torchscript(const std::string& path, const std::string& device, int* replaced) {
  const std::string from = "torch.device(\"cpu\")";
  const std::string to = "torch.device(\"" + device + "\")";
  int count = 0;
  std::string out;
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    caffe2::serialize::PyTorchStreamWriter writer([&out](const void* data, std::size_t n) {
      out.append(static_cast<const char*>(data), n);
      return n;
    });
    writer.setMinVersion(reader.version());
    for (const std::string& name : reader.getAllRecords()) {
      // The writer adds its own version records; source-range debug records
      // would point into the old text.
      if (name == "version" || name == ".data/version" || name == ".data/serialization_id") continue;
      if (name.size() > 10 && name.compare(name.size() - 10, 10, ".debug_pkl") == 0) continue;
      auto [data, size] = reader.getRecord(name);
      const auto* bytes = static_cast<const char*>(data.get());
      if (name.rfind("code/", 0) == 0 && name.size() > 3 && name.compare(name.size() - 3, 3, ".py") == 0) {
        std::string text(bytes, size);
        for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
          text.replace(at, from.size(), to);
          ++count;
        }
        writer.writeRecord(name, text.data(), text.size());
      } else {
        writer.writeRecord(name, bytes, size);
      }
    }
    writer.writeEndOfFile();
  } catch (const std::exception& e) {
    return error(ErrorCode::kInvalidArgument, "RF-DETR model " + path + " is not a TorchScript archive: " +
                                                  first_line(e.what()));
  }
  if (replaced != nullptr) *replaced = count;
  return out;
}

struct RfDetrModel::Impl {
  torch::jit::Module module;
};

Result<RfDetrModel> RfDetrModel::load(const std::string& model_path, torch::Device device, torch::ScalarType dtype) {
  if (!std::filesystem::is_regular_file(model_path))
    return error(ErrorCode::kInputError, "RF-DETR model not found: " + model_path);
  BALLCAM_ASSIGN_OR_RETURN(RfDetrSidecar sidecar, load_rfdetr_sidecar(rfdetr_sidecar_path(model_path)));
  auto impl = std::make_shared<Impl>();
  try {
    if (device.is_cuda()) {
      // A graph traced on the CPU makes some tensors with device=cpu (the
      // trace records the device it saw); on CUDA they must be made there.
      int replaced = 0;
      BALLCAM_ASSIGN_OR_RETURN(const std::string archive,
                               retarget_torchscript(model_path, device.str(), &replaced));
      std::istringstream in(archive);
      impl->module = torch::jit::load(in, device);
      if (replaced > 0)
        log_info("rfdetr: " + std::to_string(replaced) + " CPU tensor constructions of the traced graph moved to " +
                 device.str());
    } else {
      impl->module = torch::jit::load(model_path, device);
    }
    if (dtype != torch::kFloat32) impl->module.to(dtype);
  } catch (const std::exception& e) {
    return error(ErrorCode::kInvalidArgument,
                 "RF-DETR model " + model_path + " is not a TorchScript file: " + first_line(e.what()));
  }
  impl->module.eval();
  RfDetrModel model(std::move(impl), std::move(sidecar));
  // One pass on a zero input: the graph must take the sidecar's input size
  // and give its output shapes (this also warms the graph executor up).
  const RfDetrSidecar& s = model.sidecar_;
  auto out = model.forward(torch::zeros({1, 3, s.height_px, s.width_px}, torch::TensorOptions().device(device).dtype(dtype)));
  if (!out.ok())
    return error(ErrorCode::kInvalidArgument, "RF-DETR model " + model_path + " does not match its sidecar: " +
                                                   out.status().message());
  const auto& [boxes, logits] = *out;
  if (boxes.dim() != 3 || boxes.size(0) != 1 || boxes.size(1) != s.num_queries || boxes.size(2) != 4 ||
      logits.dim() != 3 || logits.size(1) != s.num_queries || logits.size(2) != s.num_logits)
    return error(ErrorCode::kInvalidArgument,
                 "RF-DETR model " + model_path + " does not match its sidecar: outputs " +
                     c10::str(boxes.sizes()) + " and " + c10::str(logits.sizes()) + ", sidecar says [1," +
                     std::to_string(s.num_queries) + ",4] and [1," + std::to_string(s.num_queries) + "," +
                     std::to_string(s.num_logits) + "]");
  return model;
}

Result<std::pair<torch::Tensor, torch::Tensor>> RfDetrModel::forward(const torch::Tensor& input) {
  try {
    c10::InferenceMode guard;
    const torch::IValue out = impl_->module.forward({input});
    if (!out.isTuple() || out.toTupleRef().elements().size() < 2)
      return error(ErrorCode::kInvalidArgument, "the model does not return (boxes, logits)");
    const auto& e = out.toTupleRef().elements();
    if (!e[0].isTensor() || !e[1].isTensor())
      return error(ErrorCode::kInvalidArgument, "the model does not return (boxes, logits) tensors");
    return std::pair{e[0].toTensor().to(torch::kFloat32).contiguous(), e[1].toTensor().to(torch::kFloat32).contiguous()};
  } catch (const std::exception& e) {
    return error(ErrorCode::kInternal, "RF-DETR forward failed: " + first_line(e.what()));
  }
}

std::vector<RfDetrHit> rfdetr_top_k(const float* boxes, const float* logits, int num_queries, int num_logits,
                                    int cls, float min_score, int k) {
  std::vector<RfDetrHit> hits;
  if (cls < 0 || cls >= num_logits || k <= 0) return hits;
  for (int q = 0; q < num_queries; ++q) {
    const float logit = logits[static_cast<std::size_t>(q) * static_cast<std::size_t>(num_logits) +
                               static_cast<std::size_t>(cls)];
    const float score = 1.0f / (1.0f + std::exp(-logit));
    if (!(score >= min_score)) continue;
    const float* b = boxes + static_cast<std::size_t>(q) * 4;
    hits.push_back({q, score, b[0], b[1], b[2], b[3]});
  }
  const auto n = std::min(hits.size(), static_cast<std::size_t>(k));
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                    [](const RfDetrHit& a, const RfDetrHit& b) {
                      return a.score != b.score ? a.score > b.score : a.query < b.query;
                    });
  hits.resize(n);
  return hits;
}

namespace {

class RfDetrDetector final : public TorchDetector {
 public:
  RfDetrDetector(const DetectorConfig& config, RfDetrModel model, TorchPlacement placement, double load_ms)
      : TorchDetector("rfdetr", std::move(placement), load_ms), config_(config), model_(std::move(model)) {
    const RfDetrSidecar& s = model_.sidecar();
    norm_.mean = s.mean;
    norm_.std = s.std;
    ball_class_ = config_.ball_class >= 0 ? config_.ball_class : s.ball_class;
    const auto person = std::find(s.class_names.begin(), s.class_names.end(), "person");
    if (person != s.class_names.end()) person_class_ = static_cast<int>(person - s.class_names.begin());
    if (person_class_ == ball_class_) person_class_ = -1;
    // Only these logit columns are read: selected on the model's device, so
    // a CUDA run downloads 2 of the C columns.
    std::vector<std::int64_t> columns{ball_class_};
    if (person_class_ >= 0) columns.push_back(person_class_);
    columns_ = torch::tensor(columns, torch::kLong).to(this->placement().device());  // the parameter went to the base
  }

 private:
  // A fixed-size model: one tile is one network input. Non-square exports
  // run whole-frame only.
  InputShape input_shape(const Frame& /*frame*/) const override {
    const RfDetrSidecar& s = model_.sidecar();
    PlannerConfig pc = config_.planner;
    if (s.width_px != s.height_px) pc.enabled = false;
    return {pc, s.width_px, s.width_px, s.height_px};
  }

  Status run(const PlannedInput& input, Detections& out) override {
    torch::Tensor boxes, logits;
    Status failed;
    try {
      const std::vector<torch::Tensor> result = placement().forward(input.tensor, [&](const torch::Tensor& x) {
        auto r = model_.forward(x);
        if (!r.ok()) {
          failed = r.status();
          throw std::runtime_error(failed.message());
        }
        return std::vector<torch::Tensor>{r->first, r->second};
      });
      boxes = placement().to_host(result[0]);
      logits = placement().to_host(result[1].index_select(2, columns_));
    } catch (const std::exception& e) {
      if (!failed.ok()) return failed;
      return error(ErrorCode::kInternal, "RF-DETR forward failed: " + first_line(e.what()));
    }
    decode(boxes, logits, input.windows, out);
    return Status::Ok();
  }

  void decode(const torch::Tensor& boxes, const torch::Tensor& logits, const std::vector<Box>& windows,
              Detections& out) const {
    // The frame the planner was made for: this call's frame (off it = padding).
    const double width_px = planner().frame_width_px(), height_px = planner().frame_height_px();
    const int q = static_cast<int>(boxes.size(1));
    const int c = static_cast<int>(logits.size(2));
    const float* bdata = boxes.data_ptr<float>();
    const float* ldata = logits.data_ptr<float>();
    const int k = std::max(1, config_.max_candidates);
    std::vector<BallCandidate> balls;
    std::vector<PlayerDetection> players;
    for (std::size_t n = 0; n < windows.size(); ++n) {
      const Box& win = windows[n];  // source pixels = origin + input-relative * size
      const float* b = bdata + n * static_cast<std::size_t>(q) * 4;
      const float* l = ldata + n * static_cast<std::size_t>(q) * static_cast<std::size_t>(c);
      // logits hold the selected columns: 0 = ball, 1 = person.
      for (const RfDetrHit& h : rfdetr_top_k(b, l, q, c, 0, static_cast<float>(config_.min_score), k)) {
        const Point2 centre{win.x + h.cx * win.w, win.y + h.cy * win.h};
        if (centre.x < 0.0 || centre.y < 0.0 || centre.x >= width_px || centre.y >= height_px) continue;
        const double radius = 0.25 * (h.w * win.w + h.h * win.h);
        balls.push_back({centre, radius, h.score});
      }
      if (person_class_ < 0) continue;
      for (const RfDetrHit& h : rfdetr_top_k(b, l, q, c, 1, static_cast<float>(config_.player_min_score),
                                             q)) {
        const Box box{win.x + (h.cx - 0.5 * h.w) * win.w, win.y + (h.cy - 0.5 * h.h) * win.h, h.w * win.w,
                      h.h * win.h};
        if (box.cx() < 0.0 || box.cy() < 0.0 || box.cx() >= width_px || box.cy() >= height_px) continue;
        players.push_back({box, h.score});
      }
    }
    // Overlapping tiles see the same ball/player: keep the best of each cluster.
    merge_window_detections(std::move(balls), std::move(players), 2.0, k, out);
  }

  DetectorConfig config_;
  RfDetrModel model_;
  torch::Tensor columns_;  // the logit columns decode() reads: ball, then person when the model has it
  int ball_class_ = 37;
  int person_class_ = -1;
};

}  // namespace

DetectorInfo rfdetr_detector_info() {
  return {"rfdetr", "RF-DETR exported by tools/export_rfdetr.py (TorchScript + JSON sidecar; --model FILE.pt)",
          [](const DetectorConfig& config) -> Result<std::unique_ptr<Detector>> {
            if (config.model_path.empty())
              return error(ErrorCode::kInvalidArgument,
                           "detector 'rfdetr' needs --model FILE.pt (made by tools/export_rfdetr.py)");
            configure_torch_threads(config.threads);
            auto placement = TorchPlacement::create(config);
            if (!placement.ok()) return placement.status().with_context("rfdetr");
            const auto t0 = CallTimer::Clock::now();
            auto model = RfDetrModel::load(config.model_path, placement->device(), placement->dtype());
            if (!model.ok()) return model.status();
            const double load_ms = elapsed_ms(t0);
            const RfDetrSidecar& s = model->sidecar();
            if (config.ball_class >= s.num_logits)
              return error(ErrorCode::kInvalidArgument,
                           "detector.ball_class " + std::to_string(config.ball_class) + " is outside the model's " +
                               std::to_string(s.num_logits) + " classes");
            const int ball = config.ball_class >= 0 ? config.ball_class : s.ball_class;
            const std::string ball_name =
                ball < static_cast<int>(s.class_names.size()) ? s.class_names[static_cast<std::size_t>(ball)] : "";
            std::ostringstream msg;
            msg << "rfdetr: " << config.model_path << " loaded in " << std::lround(load_ms) << " ms (" << s.width_px
                << "x" << s.height_px << " input, " << s.num_queries << " queries, ball class " << ball << " '"
                << ball_name << "', rfdetr " << s.rfdetr_version << ", exported with torch " << s.torch_version
                << ", " << placement->describe() << ", " << at::get_num_threads() << " threads)";
            log_info(msg.str());
            return std::unique_ptr<Detector>(std::make_unique<RfDetrDetector>(config, std::move(*model), std::move(*placement), load_ms));
          }};
}

}  // namespace ballcam::detect
