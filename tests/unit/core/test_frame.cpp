#include "core/frame.hpp"

#include <gtest/gtest.h>

namespace ballcam {
namespace {

TEST(Frame, AllocateYuv420pHasThreeAlignedPlanes) {
  Frame f = Frame::allocate(PixelFormat::kYuv420p, 33, 17);
  ASSERT_FALSE(f.empty());
  EXPECT_NE(f.planes[1], nullptr);
  EXPECT_NE(f.planes[2], nullptr);
  EXPECT_EQ(f.strides[0] % 64, 0);
  EXPECT_GE(f.strides[0], 33);
  EXPECT_GE(f.strides[1], 17);
  EXPECT_EQ(f.memory, MemoryLocation::kHost);
}

TEST(Frame, CloneIsDeepAndKeepsTimestamps) {
  Frame f = Frame::allocate(PixelFormat::kGray8, 8, 4);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 8; ++c) f.planes[0][r * f.strides[0] + c] = static_cast<std::uint8_t>(r * 8 + c);
  f.pts_us = 1234;
  f.index = 9;
  Frame g = f.clone();
  EXPECT_NE(g.planes[0], f.planes[0]);
  EXPECT_EQ(g.pts_us, 1234);
  EXPECT_EQ(g.index, 9);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 8; ++c) EXPECT_EQ(g.planes[0][r * g.strides[0] + c], r * 8 + c);
}

TEST(Frame, CopiesSharePixels) {
  Frame f = Frame::allocate(PixelFormat::kGray8, 4, 4);
  Frame g = f;
  EXPECT_EQ(g.planes[0], f.planes[0]);
  EXPECT_EQ(f.storage.use_count(), 2);
}

}  // namespace
}  // namespace ballcam
