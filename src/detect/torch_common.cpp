#include "detect/torch_common.hpp"

#include <algorithm>
#include <cmath>

#include <cstdio>

#include <torch/torch.h>

#include "detect/log.hpp"

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

}  // namespace ballcam::detect
