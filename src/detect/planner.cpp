#include "detect/planner.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ballcam::detect {

namespace {

int count_kind(const std::vector<PlannedTile>& tiles, PlannedTile::Kind kind) {
  return static_cast<int>(
      std::count_if(tiles.begin(), tiles.end(), [kind](const PlannedTile& t) { return t.kind == kind; }));
}

// Origin along one axis of a window of `length` centred on `centre` as far
// as the frame's `extent` allows; centred on the frame (padded) when the
// window is the longer.
double window_origin(double centre, double length, double extent) {
  return extent >= length ? std::clamp(centre - length * 0.5, 0.0, extent - length) : (extent - length) * 0.5;
}

}  // namespace

int DetectionPlan::roi_tiles() const { return count_kind(tiles, PlannedTile::Kind::kRoi); }
int DetectionPlan::watch_tiles() const { return count_kind(tiles, PlannedTile::Kind::kWatch); }
int DetectionPlan::scan_tiles() const { return count_kind(tiles, PlannedTile::Kind::kScan); }

std::vector<double> tile_origins(double extent_px, double side_px, double overlap_px) {
  if (extent_px <= side_px) return {(extent_px - side_px) * 0.5};
  const double step = std::max(1.0, side_px - overlap_px);
  const int count = 1 + static_cast<int>(std::ceil((extent_px - side_px) / step - 1e-9));
  std::vector<double> origins;
  origins.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) origins.push_back((extent_px - side_px) * i / std::max(1, count - 1));
  return origins;
}

DetectionPlanner::DetectionPlanner(const PlannerConfig& config, int frame_width_px, int frame_height_px,
                                   int network_tile_px)
    : config_(config), width_px_(frame_width_px), height_px_(frame_height_px) {
  const double scale = config_.input_scale > 0.0 ? config_.input_scale : 1.0;
  tile_side_px_ = network_tile_px / scale;
  const double overlap = config_.tile_overlap_px / scale;
  for (double y : tile_origins(height_px_, tile_side_px_, overlap))
    for (double x : tile_origins(width_px_, tile_side_px_, overlap))
      grid_.push_back({x, y, tile_side_px_, PlannedTile::Kind::kScan});
  frames_since_scan_ = config_.full_search_interval_frames;  // the first frames scan
}

std::vector<PlannedTile> DetectionPlanner::roi_tiles(Point2 centre, double radius_px) const {
  // The square around the prediction that the tracker would accept a
  // detection in, covered by as few tiles as possible, kept on the frame.
  const double half = std::max(tile_side_px_ * 0.5, radius_px + config_.roi_margin_px);
  auto region = [&](double c, double extent) {  // {origin, length} of the region along one axis
    const double len = std::min(2.0 * half, std::max(extent, tile_side_px_));
    return std::pair{window_origin(c, len, extent), len};
  };
  const auto [rx, rw] = region(centre.x, width_px_);
  const auto [ry, rh] = region(centre.y, height_px_);
  const double overlap = config_.tile_overlap_px / std::max(config_.input_scale, 1e-9);
  std::vector<PlannedTile> tiles;
  for (double oy : tile_origins(rh, tile_side_px_, overlap))
    for (double ox : tile_origins(rw, tile_side_px_, overlap))
      tiles.push_back({rx + ox, ry + oy, tile_side_px_, PlannedTile::Kind::kRoi});
  // Nearest tiles to the centre first, so a cap keeps the ones that matter.
  auto dist = [&](const PlannedTile& t) {
    return std::hypot(t.x + t.side_px * 0.5 - centre.x, t.y + t.side_px * 0.5 - centre.y);
  };
  std::stable_sort(tiles.begin(), tiles.end(),
                   [&](const PlannedTile& a, const PlannedTile& b) { return dist(a) < dist(b); });
  if (static_cast<int>(tiles.size()) > std::max(1, config_.max_roi_tiles))
    tiles.resize(static_cast<std::size_t>(std::max(1, config_.max_roi_tiles)));
  return tiles;
}

PlannedTile DetectionPlanner::watch_tile(Point2 centre) const {
  return {window_origin(centre.x, tile_side_px_, width_px_), window_origin(centre.y, tile_side_px_, height_px_),
          tile_side_px_, PlannedTile::Kind::kWatch};
}

int DetectionPlanner::capacity_tiles() {
  if (config_.budget_ms <= 0.0) return 1 << 20;  // unlimited
  // With a budget but no measured cost yet, one tile measures it: a first
  // call over every tile of the scan would stall a live stream for seconds.
  if (tile_cost_ms_ <= 0.0) return 1;
  // Credit accrues one budget per frame; it is capped so that a long idle
  // stretch cannot be spent in one burst, but never below one tile's cost
  // (otherwise a tile dearer than the budget could never run).
  credit_ms_ = std::min(credit_ms_ + config_.budget_ms, std::max(2.0 * config_.budget_ms, tile_cost_ms_));
  return static_cast<int>(std::floor(credit_ms_ / tile_cost_ms_ + 1e-9));
}

DetectionPlan DetectionPlanner::plan(const DetectHints& hints) {
  DetectionPlan plan;
  const std::int64_t frame = frame_counter_++;
  ++frames_since_scan_;
  if (!config_.enabled) {
    if (config_.stride_frames > 1 && frame % config_.stride_frames != 0) return plan;
    plan.run = true;
    plan.whole_frame = true;
    return plan;
  }
  if (config_.stride_frames > 1 && frame % config_.stride_frames != 0) return plan;
  const int capacity = capacity_tiles();
  if (capacity < 1) return plan;  // budget: skip; the tracker predicts over this frame

  const bool scan_due = !grid_.empty() && (!hints.predicted || scan_in_progress_ ||
                                            (config_.full_search_interval_frames > 0 &&
                                             frames_since_scan_ >= config_.full_search_interval_frames));
  // The scan's share: one tile on every frame when two fit, else on every
  // other frame; the region of interest and the watched objects get the rest.
  const int scan_reserve = scan_due && (capacity >= 2 || scan_starved_) ? 1 : 0;
  const int room = capacity - scan_reserve;
  if (hints.predicted) {
    plan.tiles = roi_tiles(*hints.predicted, hints.search_radius_px);
    if (static_cast<int>(plan.tiles.size()) > room) plan.tiles.resize(static_cast<std::size_t>(room));
  }
  // A watched object already well inside a planned tile needs no tile of its own.
  const double watch_margin = std::min(config_.roi_margin_px, tile_side_px_ * 0.25);
  int watched = 0;
  for (const Point2& w : hints.watch) {
    if (watched >= config_.max_watch_tiles || static_cast<int>(plan.tiles.size()) >= room) break;
    if (std::any_of(plan.tiles.begin(), plan.tiles.end(),
                    [&](const PlannedTile& t) { return Box{t.x, t.y, t.side_px, t.side_px}.contains(w, watch_margin); }))
      continue;
    plan.tiles.push_back(watch_tile(w));
    ++watched;
  }
  bool scanned = false;
  if (scan_due) {
    if (!scan_in_progress_) {
      scan_in_progress_ = true;
      scan_cursor_ = 0;
    }
    int left = capacity - static_cast<int>(plan.tiles.size());
    // Without a budget a scan is done in one frame.
    while (left > 0 && scan_in_progress_) {
      plan.tiles.push_back(grid_[scan_cursor_]);
      scanned = true;
      --left;
      if (++scan_cursor_ == grid_.size()) {
        scan_in_progress_ = false;
        scan_cursor_ = 0;
        frames_since_scan_ = 0;
        ++completed_scans_;
      }
    }
  }
  scan_starved_ = scan_due && !scanned;
  plan.run = !plan.tiles.empty();
  return plan;
}

void DetectionPlanner::report_cost(const DetectionPlan& plan, double elapsed_ms) {
  if (!plan.run || plan.whole_frame || plan.tiles.empty() || !(elapsed_ms >= 0.0)) return;
  const double per_tile = elapsed_ms / static_cast<double>(plan.tiles.size());
  tile_cost_ms_ = tile_cost_ms_ <= 0.0 ? per_tile : 0.8 * tile_cost_ms_ + 0.2 * per_tile;
  if (config_.budget_ms > 0.0) credit_ms_ = std::max(credit_ms_ - elapsed_ms, -2.0 * config_.budget_ms);
}

}  // namespace ballcam::detect
