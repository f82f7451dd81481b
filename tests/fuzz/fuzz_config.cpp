// libFuzzer target: the run configuration from untrusted text.
//   - the whole input as a YAML config file (apply_yaml_text + validate);
//   - the option table: the first byte picks an option, the rest is the value
//     a user could type after its flag (OptionSpec::set, then get);
//   - parse_size on the same value.
// Any crash, sanitizer report, exception escaping, or a set() that succeeds
// with a value get() cannot reproduce is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ballcam;
  const std::string text(reinterpret_cast<const char*>(data), size);

  {
    pipeline::PipelineConfig config;
    const Status st = app::apply_yaml_text(text, "fuzz.yaml", config);
    if (st.ok()) (void)app::validate(config);
    else if (st.code() != ErrorCode::kInvalidArgument) std::abort();  // config errors are exit 2, nothing else
  }

  if (size >= 1) {
    const auto& options = app::run_options();
    const app::OptionSpec& spec = options[data[0] % options.size()];
    const std::string value = text.substr(1);
    pipeline::PipelineConfig config;
    const Status st = spec.set(config, value);
    if (st.ok()) {
      // A value the table accepted is stored: reading it back and setting
      // it again must work (docs/CONFIG.md and `ballcam options` rely on get()).
      const std::string again = spec.get(config);
      pipeline::PipelineConfig copy;
      if (!spec.set(copy, again).ok()) std::abort();
    } else if (st.code() != ErrorCode::kInvalidArgument) {
      std::abort();
    }
    int w = 0, h = 0;
    if (app::parse_size(value, w, h).ok() && (w < 16 || h < 16 || w % 2 != 0 || h % 2 != 0)) std::abort();
  }
  return 0;
}
