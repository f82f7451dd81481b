#include "detect/log.hpp"

#include <spdlog/spdlog.h>

namespace ballcam::detect {

void log_info(const std::string& message) { spdlog::info("{}", message); }
void log_warn(const std::string& message) { spdlog::warn("{}", message); }
void log_debug(const std::string& message) { spdlog::debug("{}", message); }

}  // namespace ballcam::detect
