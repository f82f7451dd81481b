// heatmap.png and latency.png (internal to write_report; the numbers behind
// them are public in report.hpp).
#pragma once

#include <string>
#include <vector>

#include "core/records.hpp"
#include "core/status.hpp"
#include "report/report.hpp"

namespace ballcam::report {

Status write_heatmap(const std::vector<TrackRecord>& track, const std::string& out_path);
Status write_latency(const RunMetrics& metrics, const std::string& out_path);

}  // namespace ballcam::report
