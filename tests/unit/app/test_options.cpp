#include "app/options.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace ballcam::app {
namespace {

TEST(Options, KeysAndFlagsAreUnique) {
  std::set<std::string> keys, flags;
  for (const auto& o : run_options()) {
    EXPECT_TRUE(keys.insert(o.key).second) << "duplicate key " << o.key;
    if (!o.flag.empty()) {
      EXPECT_TRUE(flags.insert(o.flag).second) << "duplicate flag " << o.flag;
    }
    EXPECT_FALSE(o.help.empty()) << o.key << " has no help";
  }
}

TEST(Options, EveryDefaultRoundTripsThroughItsSetter) {
  pipeline::PipelineConfig defaults;
  for (const auto& o : run_options()) {
    pipeline::PipelineConfig c;
    const std::string v = o.get(defaults);
    if (v.empty()) continue;  // empty strings (no input yet) are not values to validate
    EXPECT_TRUE(o.set(c, v).ok()) << o.key << " rejects its own default '" << v << "': " << o.set(c, v).message();
    EXPECT_EQ(o.get(c), v) << o.key;
  }
}

TEST(Options, DocsListEveryOption) {
  std::ifstream in(std::string(BALLCAM_SOURCE_DIR) + "/docs/CONFIG.md");
  ASSERT_TRUE(in) << "docs/CONFIG.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find(options_markdown()), std::string::npos)
      << "docs/CONFIG.md is out of date: regenerate its table with `ballcam options`";
}

TEST(Options, YamlNestedKeysApply) {
  pipeline::PipelineConfig c;
  const Status st = apply_yaml_text(
      "input: {url: a.mp4}\noutput:\n  url: b.mkv\n  size: 640x360\n  audio: false\nencoder: {crf: 28, zerolatency: yes}\n"
      "tracker: {gate_sigma: 5}\ncamera: {dead_zone_frac: 0.2}\ndevice: cpu\n",
      "test.yaml", c);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(c.source.url, "a.mp4");
  EXPECT_EQ(c.sink.url, "b.mkv");
  EXPECT_EQ(c.camera.output_width_px, 640);
  EXPECT_EQ(c.camera.output_height_px, 360);
  EXPECT_EQ(c.sink.audio, io::AudioPolicy::kNone);
  EXPECT_EQ(c.sink.video.crf, 28);
  EXPECT_TRUE(c.sink.video.zerolatency);
  EXPECT_DOUBLE_EQ(c.tracker.gate_sigma, 5.0);
  EXPECT_DOUBLE_EQ(c.camera.dead_zone_frac, 0.2);
  EXPECT_EQ(c.device, pipeline::Device::kCpu);
  EXPECT_TRUE(validate(c).ok());
}

TEST(Options, YamlErrorsNameTheKeyAndFile) {
  pipeline::PipelineConfig c;
  Status st = apply_yaml_text("encoder: {crff: 1}\n", "cfg.yaml", c);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("cfg.yaml"), std::string::npos);
  EXPECT_NE(st.message().find("encoder.crff"), std::string::npos);
  st = apply_yaml_text("encoder: {crf: 77}\n", "cfg.yaml", c);
  EXPECT_NE(st.message().find("between 0 and 51"), std::string::npos) << st.message();
  st = apply_yaml_text("tracker: {max_coast_frames: 2.5}\n", "cfg.yaml", c);
  EXPECT_NE(st.message().find("integer"), std::string::npos) << st.message();
  st = apply_yaml_text("- a\n- b\n", "cfg.yaml", c);
  EXPECT_FALSE(st.ok());
  st = apply_yaml_text("a: [1\n", "cfg.yaml", c);
  EXPECT_NE(st.message().find("YAML"), std::string::npos);
}

TEST(Options, SizeParsing) {
  int w = 0, h = 0;
  EXPECT_TRUE(parse_size("1280x720", w, h).ok());
  EXPECT_EQ(w, 1280);
  EXPECT_EQ(h, 720);
  EXPECT_FALSE(parse_size("1281x720", w, h).ok());
  EXPECT_FALSE(parse_size("1280", w, h).ok());
  EXPECT_FALSE(parse_size("x720", w, h).ok());
  EXPECT_FALSE(parse_size("8x8", w, h).ok());
  EXPECT_FALSE(parse_size("1280x720junk", w, h).ok());
}

TEST(Options, ValidateNeedsInputAndOutput) {
  pipeline::PipelineConfig c;
  EXPECT_EQ(validate(c).code(), ErrorCode::kInvalidArgument);
  c.source.url = "a.mp4";
  EXPECT_NE(validate(c).message().find("output"), std::string::npos);
}

}  // namespace
}  // namespace ballcam::app
