#include "core/geometry.hpp"

namespace ballcam {

const char* to_string(TrackMode mode) {
  switch (mode) {
    case TrackMode::kSearching: return "searching";
    case TrackMode::kTracking: return "tracking";
    case TrackMode::kCoasting: return "coasting";
    case TrackMode::kLost: return "lost";
  }
  return "unknown";
}

}  // namespace ballcam
