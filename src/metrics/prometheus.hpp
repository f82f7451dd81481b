// Prometheus text exposition (version 0.0.4) of a metrics::Registry.
#pragma once

#include <map>
#include <string>

#include "metrics/metrics.hpp"

namespace ballcam::metrics {

// Stage latencies become one histogram family (ballcam_stage_latency_seconds
// with a `stage` label); counters ending in `_total`-worthy names become
// counters, everything registered as a gauge becomes a gauge.
std::string to_prometheus(const Registry& registry, const std::map<std::string, double>& gauges);

}  // namespace ballcam::metrics
