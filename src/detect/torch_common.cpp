#include "detect/torch_common.hpp"

#include <algorithm>
#include <cmath>

#include <cstdio>

#include <caffe2/serialize/inline_container.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include "detect/log.hpp"
#include "gpu/frame_view.hpp"
#include "gpu/reference.hpp"

namespace ballcam::detect {

void configure_torch_threads(int threads) {
  if (threads > 0 && at::get_num_threads() != threads) at::set_num_threads(threads);
  log_debug("libtorch: " + std::to_string(at::get_num_threads()) + " intra-op threads");
}

namespace {

// Per output coordinate: the two source samples and the weight of the second.
struct Taps {
  std::vector<int> i0, i1;
  std::vector<float> f;
  std::vector<std::uint8_t> inside;
};

Taps make_taps(double origin, double length, int out_n, int src_n, int subsample) {
  Taps t;
  t.i0.resize(static_cast<std::size_t>(out_n));
  t.i1.resize(static_cast<std::size_t>(out_n));
  t.f.resize(static_cast<std::size_t>(out_n));
  t.inside.resize(static_cast<std::size_t>(out_n));
  const int plane_n = (src_n + subsample - 1) / subsample;
  for (int u = 0; u < out_n; ++u) {
    // Source position of the output sample's centre (pixel centres at +0.5).
    const double s = origin + (u + 0.5) * length / out_n;
    t.inside[static_cast<std::size_t>(u)] = s >= 0.0 && s <= src_n;
    const double p = std::clamp(s / subsample - 0.5, 0.0, static_cast<double>(plane_n - 1));
    const int a = static_cast<int>(std::floor(p));
    t.i0[static_cast<std::size_t>(u)] = a;
    t.i1[static_cast<std::size_t>(u)] = std::min(a + 1, plane_n - 1);
    t.f[static_cast<std::size_t>(u)] = static_cast<float>(p - a);
  }
  return t;
}

}  // namespace

void frame_region_to_chw(const Frame& frame, double x, double y, double w, double h, int out_w, int out_h,
                         const InputNormalisation& norm, float* chw) {
  const Taps lx = make_taps(x, w, out_w, frame.width_px, 1);
  const Taps ly = make_taps(y, h, out_h, frame.height_px, 1);
  const Taps cx = make_taps(x, w, out_w, frame.width_px, 2);
  const Taps cy = make_taps(y, h, out_h, frame.height_px, 2);
  const std::size_t plane = static_cast<std::size_t>(out_w) * static_cast<std::size_t>(out_h);
  float* out_r = chw;
  float* out_g = chw + plane;
  float* out_b = chw + 2 * plane;
  // BT.709 limited range, folded with the 0-1 scale and the normalisation.
  const float ky = 1.164383f / 255.0f;
  const float inv_std[3] = {1.0f / norm.std[0], 1.0f / norm.std[1], 1.0f / norm.std[2]};
  for (int v = 0; v < out_h; ++v) {
    const auto vi = static_cast<std::size_t>(v);
    float* rr = out_r + vi * static_cast<std::size_t>(out_w);
    float* gg = out_g + vi * static_cast<std::size_t>(out_w);
    float* bb = out_b + vi * static_cast<std::size_t>(out_w);
    if (!ly.inside[vi]) {
      std::fill(rr, rr + out_w, 0.0f);
      std::fill(gg, gg + out_w, 0.0f);
      std::fill(bb, bb + out_w, 0.0f);
      continue;
    }
    const std::uint8_t* y0 = frame.planes[0] + static_cast<std::ptrdiff_t>(ly.i0[vi]) * frame.strides[0];
    const std::uint8_t* y1 = frame.planes[0] + static_cast<std::ptrdiff_t>(ly.i1[vi]) * frame.strides[0];
    const std::uint8_t* u0 = frame.planes[1] + static_cast<std::ptrdiff_t>(cy.i0[vi]) * frame.strides[1];
    const std::uint8_t* u1 = frame.planes[1] + static_cast<std::ptrdiff_t>(cy.i1[vi]) * frame.strides[1];
    const std::uint8_t* v0 = frame.planes[2] + static_cast<std::ptrdiff_t>(cy.i0[vi]) * frame.strides[2];
    const std::uint8_t* v1 = frame.planes[2] + static_cast<std::ptrdiff_t>(cy.i1[vi]) * frame.strides[2];
    const float fy = ly.f[vi];
    const float fc = cy.f[vi];
    for (int u = 0; u < out_w; ++u) {
      const auto ui = static_cast<std::size_t>(u);
      if (!lx.inside[ui]) {
        rr[u] = gg[u] = bb[u] = 0.0f;
        continue;
      }
      const int a = lx.i0[ui], b = lx.i1[ui];
      const float fx = lx.f[ui];
      const float top = y0[a] + fx * (y0[b] - y0[a]);
      const float bot = y1[a] + fx * (y1[b] - y1[a]);
      const float luma = top + fy * (bot - top) - 16.0f;
      const int ca = cx.i0[ui], cb = cx.i1[ui];
      const float fcx = cx.f[ui];
      const float ut = u0[ca] + fcx * (u0[cb] - u0[ca]);
      const float ub = u1[ca] + fcx * (u1[cb] - u1[ca]);
      const float vt = v0[ca] + fcx * (v0[cb] - v0[ca]);
      const float vb = v1[ca] + fcx * (v1[cb] - v1[ca]);
      const float cu = ut + fc * (ub - ut) - 128.0f;
      const float cv = vt + fc * (vb - vt) - 128.0f;
      const float r = std::clamp(ky * luma + (1.792741f / 255.0f) * cv, 0.0f, 1.0f);
      const float g = std::clamp(ky * luma - (0.213249f / 255.0f) * cu - (0.532909f / 255.0f) * cv, 0.0f, 1.0f);
      const float bl = std::clamp(ky * luma + (2.112402f / 255.0f) * cu, 0.0f, 1.0f);
      rr[u] = (r - norm.mean[0]) * inv_std[0];
      gg[u] = (g - norm.mean[1]) * inv_std[1];
      bb[u] = (bl - norm.mean[2]) * inv_std[2];
    }
  }
}

torch::Tensor tiles_to_batch(const Frame& frame, const std::vector<PlannedTile>& tiles, int tile_px,
                             const InputNormalisation& norm) {
  auto batch = torch::empty({static_cast<std::int64_t>(tiles.size()), 3, tile_px, tile_px}, torch::kFloat32);
  float* base = batch.data_ptr<float>();
  const std::size_t per_tile = 3 * static_cast<std::size_t>(tile_px) * static_cast<std::size_t>(tile_px);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const PlannedTile& t = tiles[i];
    frame_region_to_chw(frame, t.x, t.y, t.side_px, t.side_px, tile_px, tile_px, norm, base + i * per_tile);
  }
  return batch;
}

torch::Tensor frame_to_tensor(const Frame& frame, int out_w, int out_h, const InputNormalisation& norm) {
  auto t = torch::empty({1, 3, out_h, out_w}, torch::kFloat32);
  frame_region_to_chw(frame, 0.0, 0.0, frame.width_px, frame.height_px, out_w, out_h, norm, t.data_ptr<float>());
  return t;
}

namespace {

// torch.save records each storage's device ("cuda:0" for weights saved from
// a GPU) and the unpickler restores it there, which fails without a driver;
// its map-to-device option trips an internal assert on OrderedDict state
// dicts (libtorch 2.11). So the location strings of the pickle are rewritten
// to "cpu".
std::string locations_to_cpu(const std::string& pickle) {
  std::string out;
  out.reserve(pickle.size());
  for (std::size_t i = 0; i < pickle.size(); ++i) {
    const unsigned char op = static_cast<unsigned char>(pickle[i]);
    // SHORT_BINUNICODE (0x8c, 1 length byte) or BINUNICODE ('X', 4 bytes LE)
    const std::size_t header = op == 0x8c ? 2 : op == 'X' ? 5 : 0;
    if (header > 0 && i + header + 4 <= pickle.size()) {
      std::size_t len = 0;
      for (std::size_t k = header - 1; k >= 1; --k) len = (len << 8) | static_cast<unsigned char>(pickle[i + k]);
      if (len >= 4 && len <= 10 && i + header + len <= pickle.size() && pickle.compare(i + header, 4, "cuda") == 0) {
        out += static_cast<char>(op);
        out += static_cast<char>(3);
        out.append(header - 2, '\0');
        out += "cpu";
        i += header + len - 1;
        continue;
      }
    }
    out += pickle[i];
  }
  return out;
}

// A state_dict pickle ends with BUILD(dict, {"_metadata": OrderedDict(...)})
// (module versions), which libtorch's unpickler cannot apply to a dict. The
// tensors are complete before it: cut the pickle there (before the state's
// EMPTY_DICT) and stop.
std::string drop_metadata(std::string pickle) {
  // The top-level OrderedDict() becomes a plain dict (EMPTY_DICT).
  static const std::string ordered = std::string("ccollections\nOrderedDict\nq\0)R", 29);
  // Memo 0 then holds that dict, so the tensors' backward-hook
  // OrderedDict() (BINGET 0, EMPTY_TUPLE, REDUCE) become empty dicts too.
  if (pickle.compare(2, ordered.size(), ordered) == 0) {
    static const std::string hooks = std::string("h\0)R", 4);
    std::string out = pickle.substr(0, 2) + std::string("}q\0", 3);
    std::size_t from = 2 + ordered.size();
    for (std::size_t at = pickle.find(hooks, from); at != std::string::npos; at = pickle.find(hooks, from)) {
      out.append(pickle, from, at - from);
      out += '}';
      from = at + hooks.size();
    }
    out.append(pickle, from, std::string::npos);
    pickle = std::move(out);
  }
  static const std::string key = std::string("X\x09\0\0\0_metadata", 14);
  const std::size_t at = pickle.rfind(key);
  if (at == std::string::npos || pickle.size() < 2 || pickle.compare(pickle.size() - 2, 2, "b.") != 0) return pickle;
  // EMPTY_DICT, then BINPUT (2 bytes) or LONG_BINPUT (5 bytes) of it.
  for (std::size_t back : {3u, 6u, 1u})
    if (at >= back && pickle[at - back] == '}') return pickle.substr(0, at - back) + ".";
  return pickle;
}

}  // namespace

Result<std::map<std::string, torch::Tensor>> load_state_dict(const std::string& path) {
  c10::IValue value;
  try {
    // The archive again, with data.pkl's locations rewritten, for pickle_load.
    caffe2::serialize::PyTorchStreamReader reader(path);
    std::vector<char> archive;
    {
      caffe2::serialize::PyTorchStreamWriter writer([&](const void* buf, std::size_t n) -> std::size_t {
        archive.insert(archive.end(), static_cast<const char*>(buf), static_cast<const char*>(buf) + n);
        return n;
      });
      for (const std::string& name : reader.getAllRecords()) {
        if (name == ".data/version" || name == "version" || name == "byteorder" || name == ".data/serialization_id")
          continue;  // the writer adds its own
        auto [data, size] = reader.getRecord(name);
        if (name == "data.pkl") {
          const std::string pickle =
              drop_metadata(locations_to_cpu(std::string(static_cast<const char*>(data.get()), static_cast<std::size_t>(size))));
          writer.writeRecord(name, pickle.data(), pickle.size());
        } else {
          writer.writeRecord(name, data.get(), static_cast<std::size_t>(size));
        }
      }
      writer.writeEndOfFile();
    }
    value = torch::pickle_load(archive);
  } catch (const std::exception& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    return error(ErrorCode::kInputError, "'" + path + "' is not a readable torch.save file (" + what + ")");
  }
  if (!value.isGenericDict()) return error(ErrorCode::kInvalidArgument, "'" + path + "' does not hold a state_dict");
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString() || !item.value().isTensor())
      return error(ErrorCode::kInvalidArgument, "'" + path + "' holds a non-tensor entry");
    tensors[item.key().toStringRef()] = item.value().toTensor();
  }
  return tensors;
}

void CallTimer::add_call_ms(double ms) {
  ++calls_;
  total_ms_ += ms;
  max_ms_ = std::max(max_ms_, ms);
}

std::string CallTimer::summary() const {
  char text[160];
  std::snprintf(text, sizeof text, "load %.1f ms, %lld calls, mean %.2f ms, max %.2f ms", load_ms_,
                static_cast<long long>(calls_), mean_call_ms(), max_ms_);
  return text;
}

namespace {

// The windows of a plan in batch order and the network size.
PlannedInput plan_windows(const Frame& frame, const DetectionPlan& plan, int whole_w, int whole_h, int tile_px) {
  PlannedInput in;
  if (plan.whole_frame) {
    in.windows.push_back(Box{0.0, 0.0, static_cast<double>(frame.width_px), static_cast<double>(frame.height_px)});
    in.net_w = whole_w;
    in.net_h = whole_h;
  } else {
    for (const auto& t : plan.tiles) in.windows.push_back(Box{t.x, t.y, t.side_px, t.side_px});
    in.net_w = in.net_h = tile_px;
  }
  return in;
}

}  // namespace

PlannedInput planned_input(const Frame& frame, const DetectionPlan& plan, int whole_w, int whole_h, int tile_px,
                           const InputNormalisation& norm) {
  PlannedInput in = plan_windows(frame, plan, whole_w, whole_h, tile_px);
  in.tensor = plan.whole_frame ? frame_to_tensor(frame, whole_w, whole_h, norm)
                               : tiles_to_batch(frame, plan.tiles, tile_px, norm);
  return in;
}

TorchDetector::TorchDetector(std::string name, TorchPlacement placement, double load_ms)
    : name_(std::move(name)), placement_(std::move(placement)) {
  timer_.set_load_ms(load_ms);
}

TorchDetector::~TorchDetector() {
  if (timer_.calls() > 0) log_info(name_ + ": " + timer_.summary());
}

Result<Detections> TorchDetector::detect(const Frame& frame, const DetectHints& hints) {
  BALLCAM_RETURN_IF_ERROR(placement_.check_frame(frame).with_context(name_));
  const InputShape shape = input_shape(frame);
  if (!planner_ || planner_->frame_width_px() != frame.width_px || planner_->frame_height_px() != frame.height_px)
    planner_ = std::make_unique<DetectionPlanner>(shape.planner, frame.width_px, frame.height_px, shape.tile_px);
  Detections out;
  out.frame_index = frame.index;
  out.pts_us = frame.pts_us;
  const DetectionPlan plan = planner_->plan(hints);
  if (!plan.run) {
    out.detector_ran = false;
    return out;
  }
  const auto t0 = CallTimer::Clock::now();
  const auto stream = placement_.stream_scope();
  auto input = placement_.input(frame, plan, shape.whole_w, shape.whole_h, shape.tile_px, norm_);
  if (!input.ok()) return input.status().with_context(name_);
  BALLCAM_RETURN_IF_ERROR(run(*input, out));
  if (!plan.whole_frame) out.looked_at = input->windows;
  const double ms = elapsed_ms(t0);
  timer_.add_call_ms(ms);
  planner_->report_cost(plan, ms);
  return out;
}

namespace {

double iou(const Box& a, const Box& b) {
  const double ix = std::max(0.0, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
  const double iy = std::max(0.0, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
  const double inter = ix * iy;
  const double uni = a.w * a.h + b.w * b.h - inter;
  return uni > 0.0 ? inter / uni : 0.0;
}

}  // namespace

void merge_window_detections(std::vector<BallCandidate> balls, std::vector<PlayerDetection> players,
                             double min_merge_px, int max_balls, Detections& out) {
  auto by_score = [](const auto& a, const auto& b) { return a.score > b.score; };
  std::stable_sort(balls.begin(), balls.end(), by_score);
  for (const BallCandidate& cand : balls) {
    if (static_cast<int>(out.balls.size()) >= max_balls) break;
    const bool dup = std::any_of(out.balls.begin(), out.balls.end(), [&](const BallCandidate& kept) {
      return std::hypot(kept.center.x - cand.center.x, kept.center.y - cand.center.y) <
             std::max({kept.radius_px, cand.radius_px, min_merge_px});
    });
    if (!dup) out.balls.push_back(cand);
  }
  std::stable_sort(players.begin(), players.end(), by_score);
  for (const PlayerDetection& p : players) {
    const bool dup = std::any_of(out.players.begin(), out.players.end(),
                                 [&](const PlayerDetection& kept) { return iou(kept.box, p.box) > 0.5; });
    if (!dup) out.players.push_back(p);
  }
}

}  // namespace ballcam::detect

namespace ballcam::detect {

namespace {

gpu::TensorSpec tensor_spec(int net_w, int net_h, const InputNormalisation& norm) {
  gpu::TensorSpec spec;
  spec.out_w = net_w;
  spec.out_h = net_h;
  spec.mean = norm.mean;
  spec.std = norm.std;
  spec.zero_outside = true;  // frame_region_to_chw's padding
  return spec;
}

std::vector<gpu::RoiF> rois_of(const std::vector<Box>& windows) {
  std::vector<gpu::RoiF> rois;
  rois.reserve(windows.size());
  for (const Box& w : windows) rois.push_back(gpu::roi_of(w));
  return rois;
}

// gpu::ref::nv12_to_tensor on a host NV12 frame: what the CUDA path builds.
PlannedInput reference_input(const Frame& frame, const DetectionPlan& plan, int whole_w, int whole_h, int tile_px,
                             const InputNormalisation& norm) {
  PlannedInput in = plan_windows(frame, plan, whole_w, whole_h, tile_px);
  const gpu::Nv12View src = gpu::nv12_view(frame);
  const std::vector<gpu::RoiF> rois = rois_of(in.windows);
  in.tensor = torch::empty({static_cast<std::int64_t>(rois.size()), 3, in.net_h, in.net_w}, torch::kFloat32);
  gpu::ref::nv12_to_tensor(src, rois, tensor_spec(in.net_w, in.net_h, norm), in.tensor.data_ptr<float>());
  return in;
}

}  // namespace

TorchPlacement::TorchPlacement() = default;

Result<TorchPlacement> TorchPlacement::create(const DetectorConfig& config) {
  TorchPlacement p;
  torch::ScalarType dtype = torch::kFloat32;
  if (config.precision == "fp16") {
    dtype = torch::kHalf;
  } else if (config.precision == "bf16") {
    dtype = torch::kBFloat16;
  } else if (config.precision != "fp32") {
    return error(ErrorCode::kInvalidArgument,
                 "detector.precision '" + config.precision + "' is not one of fp32, fp16, bf16");
  }
  if (!config.cuda) {
    if (dtype != torch::kFloat32) log_info("detector.precision " + config.precision + " applies on CUDA; the CPU runs fp32");
    if (config.cuda_graphs) log_info("detector.cuda_graphs applies on CUDA; the CPU runs the network as it is");
    return p;
  }
  BALLCAM_ASSIGN_OR_RETURN(p.cuda_, open_cuda(config.cuda_graphs));
  p.device_ = torch::Device(torch::kCUDA, 0);
  p.dtype_ = dtype;
  return p;
}

std::string TorchPlacement::describe() const {
  const char* precision = dtype_ == torch::kHalf ? "fp16" : dtype_ == torch::kBFloat16 ? "bf16" : "fp32";
  return std::string(cuda() ? "CUDA " : "CPU ") + precision;
}

Status TorchPlacement::check_frame(const Frame& frame) const {
  const bool device = frame.memory == MemoryLocation::kCuda && frame.format == PixelFormat::kNv12 && cuda();
  if (frame.host_420() || device) return Status::Ok();
  return error(ErrorCode::kInvalidArgument, "needs host yuv420p/NV12 frames, or CUDA NV12 on CUDA");
}

Result<PlannedInput> TorchPlacement::input(const Frame& frame, const DetectionPlan& plan, int whole_w, int whole_h,
                                           int tile_px, const InputNormalisation& norm) {
  if (frame.memory == MemoryLocation::kCuda) {
    if (!cuda_) return error(ErrorCode::kInvalidArgument, "a CUDA frame reached a detector that runs on the CPU");
    PlannedInput in = plan_windows(frame, plan, whole_w, whole_h, tile_px);
    BALLCAM_ASSIGN_OR_RETURN(in.tensor, device_frame_input(*cuda_, frame, rois_of(in.windows),
                                                           tensor_spec(in.net_w, in.net_h, norm), dtype_));
    return in;
  }
  PlannedInput in;
  if (frame.format == PixelFormat::kNv12) {
    // A host NV12 frame (the GPU path on its references): the kernel's CPU
    // reference builds what the kernel would.
    in = reference_input(frame, plan, whole_w, whole_h, tile_px, norm);
  } else {
    in = planned_input(frame, plan, whole_w, whole_h, tile_px, norm);
  }
  if (cuda()) {
    bytes_h2d_ += static_cast<std::uint64_t>(in.tensor.nbytes());
    in.tensor = in.tensor.to(device_, dtype_, /*non_blocking=*/false);
  }
  return in;
}

torch::Tensor TorchPlacement::to_host(const torch::Tensor& t) {
  if (!t.is_cuda()) return t.to(torch::kFloat32).contiguous();
  // Converted on the device, so only float32 bytes cross.
  torch::Tensor f = t.to(torch::kFloat32).contiguous();
  bytes_d2h_ += static_cast<std::uint64_t>(f.nbytes());
  return f.to(torch::kCPU);
}

std::vector<torch::Tensor> TorchPlacement::forward(const torch::Tensor& input, const Network& net) {
  return cuda_ ? graph_forward(*cuda_, input, net) : net(input);
}

std::shared_ptr<void> TorchPlacement::stream_scope() const { return cuda_ ? enter(*cuda_) : nullptr; }

}  // namespace ballcam::detect
