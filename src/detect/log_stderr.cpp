// detect/log.hpp without spdlog, for BALLCAM_GPU_ONLY trees (the GPU machine
// has no spdlog): info lines to stderr, debug dropped.
#include <cstdio>

#include "detect/log.hpp"

namespace ballcam::detect {

void log_info(const std::string& message) { std::fprintf(stderr, "%s\n", message.c_str()); }
void log_warn(const std::string& message) { std::fprintf(stderr, "warning: %s\n", message.c_str()); }
void log_debug(const std::string& /*message*/) {}

}  // namespace ballcam::detect
