// Running programs from tests: argv in, exit code and output back, with a
// timeout (a hang is a failure, never a stuck CI).
#pragma once

#include <string>
#include <vector>

namespace ballcam::testing {

struct ProcessResult {
  int exit_code = -1;     // -1: killed by timeout
  int signal = 0;         // non-zero when the process died of a signal
  std::string out;        // stdout
  std::string err;        // stderr
};

// Runs argv[0] (PATH lookup). If `signal_after_s` > 0, sends `signal_number`
// that many seconds after the start.
// If `signal_when_file` is given, the signal waits until that file has grown
// past `signal_when_bytes` as well (a run that has really started writing).
ProcessResult run_process(const std::vector<std::string>& argv, double timeout_s = 300,
                          double signal_after_s = 0, int signal_number = 0,
                          const std::string& signal_when_file = "", long signal_when_bytes = 0);

}  // namespace ballcam::testing
