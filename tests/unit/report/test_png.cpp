#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "png_read.hpp"
#include "report/png_writer.hpp"

namespace ballcam::report {
namespace {

TEST(Png, RoundTrip) {
  Canvas c(33, 17, Rgb{10, 20, 30});
  c.set(0, 0, Rgb{255, 0, 0});
  c.set(32, 16, Rgb{0, 255, 128});
  const auto path = std::filesystem::temp_directory_path() / ("ballcam_png_" + std::to_string(::getpid()) + ".png");
  ASSERT_TRUE(write_png(path.string(), c).ok());
  const auto back = testing::read_png(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->width_px(), 33);
  EXPECT_EQ(back->height_px(), 17);
  EXPECT_EQ(back->at(0, 0), (Rgb{255, 0, 0}));
  EXPECT_EQ(back->at(32, 16), (Rgb{0, 255, 128}));
  EXPECT_EQ(back->at(5, 5), (Rgb{10, 20, 30}));
}

TEST(Png, UnwritablePathIsAnOutputError) {
  const Status st = write_png("/nonexistent-dir/x.png", Canvas(2, 2));
  EXPECT_EQ(st.code(), ErrorCode::kOutputError);
  EXPECT_NE(st.message().find("/nonexistent-dir/x.png"), std::string::npos);
}

}  // namespace
}  // namespace ballcam::report
