#include "core/status.hpp"

#include <gtest/gtest.h>

namespace ballcam {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) return error(ErrorCode::kInvalidArgument, "odd value " + std::to_string(v));
  return v / 2;
}

Result<int> quarter(int v) {
  BALLCAM_ASSIGN_OR_RETURN(int h, half(v));
  BALLCAM_ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

TEST(Status, ResultCarriesValueOrError) {
  EXPECT_EQ(quarter(8).value(), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd value 3");
}

TEST(Status, ContextPrefixes) {
  Status s = error(ErrorCode::kInputError, "no such file").with_context("opening 'x.mp4'");
  EXPECT_EQ(s.to_string(), "opening 'x.mp4': no such file");
  EXPECT_TRUE(Status::Ok().with_context("ignored").ok());
}

}  // namespace
}  // namespace ballcam
