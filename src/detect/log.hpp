// Logging for the libtorch translation units, which cannot include spdlog:
// libtorch's headers bring their own (newer) fmt, which spdlog's would clash
// with. Compiled in ballcam_detect_planner, without torch.
#pragma once

#include <string>

namespace ballcam::detect {

void log_info(const std::string& message);
void log_warn(const std::string& message);
void log_debug(const std::string& message);

}  // namespace ballcam::detect
