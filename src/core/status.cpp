#include "core/status.hpp"

namespace ballcam {

std::string Status::to_string() const {
  if (ok()) return "ok";
  return message_;
}

Status Status::with_context(std::string_view context) const {
  if (ok()) return *this;
  return {code_, std::string(context) + ": " + message_};
}

}  // namespace ballcam
