#include "core/records.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace ballcam {

using nlohmann::json;

namespace {

TrackMode mode_from_string(const std::string& s) {
  if (s == "tracking") return TrackMode::kTracking;
  if (s == "coasting") return TrackMode::kCoasting;
  if (s == "lost") return TrackMode::kLost;
  return TrackMode::kSearching;
}

json candidate_json(const BallCandidate& c) {
  return {{"x", c.center.x}, {"y", c.center.y}, {"r", c.radius_px}, {"score", c.score}};
}

json box_json(const Box& b) { return {{"x", b.x}, {"y", b.y}, {"w", b.w}, {"h", b.h}}; }

Box box_from(const json& j) {
  return {j.at("x").get<double>(), j.at("y").get<double>(), j.at("w").get<double>(), j.at("h").get<double>()};
}

template <typename T, typename Parse>
Result<std::vector<T>> load_lines(const std::string& path, Parse parse) {
  std::ifstream in(path);
  if (!in) return error(ErrorCode::kInputError, "cannot open '" + path + "'");
  std::vector<T> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto r = parse(line);
    if (!r.ok()) return r.status().with_context(path + ":" + std::to_string(line_no));
    out.push_back(std::move(r).value());
  }
  return out;
}

}  // namespace

std::string to_json_line(const GroundTruthFrame& f) {
  json j = {{"frame", f.frame_index}, {"pts_us", f.pts_us}};
  if (f.ball) {
    const auto& b = *f.ball;
    j["ball"] = {{"x", b.center.x},       {"y", b.center.y},
                 {"r", b.radius_px},      {"visible", b.visible},
                 {"occluded", b.occluded_fraction}, {"in_play", b.in_play},
                 {"height", b.height_px}};
  } else {
    j["ball"] = nullptr;
  }
  json players = json::array();
  for (const auto& p : f.players) {
    json pj = box_json(p.box);
    pj["team"] = p.team;
    players.push_back(std::move(pj));
  }
  j["players"] = std::move(players);
  return j.dump();
}

std::string to_json_line(const TrackRecord& r) {
  json dets = json::array();
  for (const auto& c : r.detections) dets.push_back(candidate_json(c));
  json players = json::array();
  for (const auto& p : r.players) {
    json pj = box_json(p.box);
    pj["score"] = p.score;
    players.push_back(std::move(pj));
  }
  json track = {{"mode", to_string(r.track.mode)}, {"has_estimate", r.track.has_estimate}};
  if (r.track.has_estimate) {
    track["x"] = r.track.position.x;
    track["y"] = r.track.position.y;
    track["vx"] = r.track.velocity_px_per_frame.x;
    track["vy"] = r.track.velocity_px_per_frame.y;
    track["sigma"] = r.track.uncertainty_px;
  }
  json j = {{"frame", r.frame_index},
            {"pts_us", r.pts_us},
            {"detections", std::move(dets)},
            {"players", std::move(players)},
            {"track", std::move(track)},
            {"crop", {{"x", r.crop.x}, {"y", r.crop.y}, {"w", r.crop.w}, {"h", r.crop.h}}}};
  return j.dump();
}

Result<GroundTruthFrame> parse_ground_truth_line(const std::string& line) {
  try {
    const json j = json::parse(line);
    GroundTruthFrame f;
    f.frame_index = j.at("frame").get<std::int64_t>();
    f.pts_us = j.value("pts_us", std::int64_t{0});
    if (j.contains("ball") && !j["ball"].is_null()) {
      const json& b = j["ball"];
      GroundTruthBall ball;
      ball.center = {b.at("x").get<double>(), b.at("y").get<double>()};
      ball.radius_px = b.value("r", 0.0);
      ball.visible = b.value("visible", true);
      ball.occluded_fraction = b.value("occluded", 0.0);
      ball.in_play = b.value("in_play", true);
      ball.height_px = b.value("height", 0.0);
      f.ball = ball;
    }
    if (j.contains("players")) {
      for (const auto& p : j["players"]) f.players.push_back({box_from(p), p.value("team", 0)});
    }
    return f;
  } catch (const std::exception& e) {
    return error(ErrorCode::kInputError, std::string("bad ground-truth line: ") + e.what());
  }
}

Result<TrackRecord> parse_track_line(const std::string& line) {
  try {
    const json j = json::parse(line);
    TrackRecord r;
    r.frame_index = j.at("frame").get<std::int64_t>();
    r.pts_us = j.value("pts_us", std::int64_t{0});
    if (j.contains("detections")) {
      for (const auto& d : j["detections"]) {
        r.detections.push_back({{d.at("x").get<double>(), d.at("y").get<double>()}, d.value("r", 0.0),
                                d.value("score", 0.0)});
      }
    }
    if (j.contains("players")) {
      for (const auto& p : j["players"]) r.players.push_back({box_from(p), p.value("score", 0.0)});
    }
    const json& t = j.at("track");
    r.track.frame_index = r.frame_index;
    r.track.pts_us = r.pts_us;
    r.track.mode = mode_from_string(t.value("mode", std::string("searching")));
    r.track.has_estimate = t.value("has_estimate", false);
    if (r.track.has_estimate) {
      r.track.position = {t.at("x").get<double>(), t.at("y").get<double>()};
      r.track.velocity_px_per_frame = {t.value("vx", 0.0), t.value("vy", 0.0)};
      r.track.uncertainty_px = t.value("sigma", 0.0);
    }
    const json& c = j.at("crop");
    r.crop = {c.at("x").get<double>(), c.at("y").get<double>(), c.at("w").get<double>(), c.at("h").get<double>()};
    return r;
  } catch (const std::exception& e) {
    return error(ErrorCode::kInputError, std::string("bad track line: ") + e.what());
  }
}

CropExtent crop_extent(const std::vector<TrackRecord>& track) {
  CropExtent e;
  for (const auto& r : track) {
    if (std::isfinite(r.crop.x + r.crop.w)) e.width_px = std::max(e.width_px, r.crop.x + r.crop.w);
    if (std::isfinite(r.crop.y + r.crop.h)) e.height_px = std::max(e.height_px, r.crop.y + r.crop.h);
  }
  return e;
}

Result<std::vector<GroundTruthFrame>> load_ground_truth(const std::string& path) {
  return load_lines<GroundTruthFrame>(path, parse_ground_truth_line);
}

Result<std::vector<TrackRecord>> load_track(const std::string& path) {
  return load_lines<TrackRecord>(path, parse_track_line);
}

}  // namespace ballcam
