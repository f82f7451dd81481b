// Errors inside the running pipeline (pipeline/pipeline.hpp) reach run() as
// a Status, whatever thread they happen on, and the output is finalised.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <variant>

#include "io/source.hpp"
#include "pipeline/pipeline.hpp"
#include "synth/synth.hpp"

namespace ballcam::pipeline {
namespace {

// An exception thrown on a stage thread (here by the on_record callback,
// which runs on the analyse thread) would end the process in
// std::terminate and leave the mp4 without its index. It ends the run with
// an internal error that names the thread, and what was written stays
// readable.
TEST(PipelineErrors, AnExceptionOnAStageThreadEndsTheRunWithAnError) {
  // POSIX calls, not std::filesystem: this binary links libtorch, whose own
  // copy of std::filesystem::remove_all crashes when called from here.
  std::string dir = "/tmp/ballcam_pipeline_errors_XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  synth::SynthOptions o;
  o.width_px = 640;
  o.height_px = 360;
  o.duration_s = 3;
  o.audio = false;
  const std::string input = dir + "/in.mp4";
  ASSERT_TRUE(synth::synthesize(o, input, "").ok());

  PipelineConfig config;
  config.source.url = input;
  config.sink.url = dir + "/out.mp4";
  config.sink.video.preset = "ultrafast";
  config.camera.output_width_px = 320;
  config.camera.output_height_px = 180;
  Pipeline pipeline(config);
  int records = 0;
  pipeline.on_record = [&records](const TrackRecord&) -> Status {
    if (++records == 40) throw std::runtime_error("a bug in the callback");
    return Status::Ok();
  };
  const Status st = pipeline.run();
  EXPECT_EQ(st.code(), ErrorCode::kInternal) << st.to_string();
  EXPECT_NE(st.message().find("analyse thread: a bug in the callback"), std::string::npos) << st.message();
  EXPECT_EQ(records, 40);  // nothing ran on after the throw

  io::SourceOptions so;
  so.url = config.sink.url;
  auto out = io::Source::open(so);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  int frames = 0;
  for (auto item = (*out)->read(); item.ok() && std::holds_alternative<Frame>(*item); item = (*out)->read()) ++frames;
  EXPECT_GT(frames, 0);
  out->reset();
  std::remove(input.c_str());
  std::remove(config.sink.url.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace ballcam::pipeline
