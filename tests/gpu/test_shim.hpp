// A minimal stand-in for the part of GoogleTest that tests/gpu uses, for
// machines without GoogleTest (the GPU box, BALLCAM_GPU_ONLY). Same macro
// names and meaning: TEST, EXPECT_/ASSERT_ TRUE/EQ/LE/NEAR, GTEST_SKIP,
// streamed messages. The runner prints one line per test and returns 1 if
// any test failed.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace bcshim {

struct TestCase {
  std::string name;
  std::function<void()> body;
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> r;
  return r;
}

struct State {
  int failures = 0;
  bool skipped = false;
};
inline State& state() {
  static State s;
  return s;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

struct Message {
  std::ostringstream text;
  template <typename T>
  Message& operator<<(const T& v) {
    text << v;
    return *this;
  }
};

enum class Kind { kFailure, kSkip };

struct Reporter {
  const char* file;
  int line;
  Kind kind;
  std::string what;
  void operator=(const Message& m) const {  // NOLINT: gtest's AssertHelper idiom
    if (kind == Kind::kSkip) {
      state().skipped = true;
      std::printf("  skipped: %s\n", m.text.str().c_str());
      return;
    }
    ++state().failures;
    std::printf("  %s:%d: Failure: %s %s\n", file, line, what.c_str(), m.text.str().c_str());
  }
};

template <typename A, typename B>
std::string pair_text(const A& a, const B& b) {
  std::ostringstream s;
  s << "(" << a << " vs " << b << ")";
  return s.str();
}

inline int run_all() {
  int failed = 0, skipped = 0;
  for (const TestCase& t : registry()) {
    state() = {};
    std::printf("[ RUN      ] %s\n", t.name.c_str());
    t.body();
    const char* verdict = state().failures ? "[  FAILED  ]" : state().skipped ? "[  SKIPPED ]" : "[       OK ]";
    std::printf("%s %s\n", verdict, t.name.c_str());
    failed += state().failures ? 1 : 0;
    skipped += (!state().failures && state().skipped) ? 1 : 0;
  }
  std::printf("[==========] %zu tests, %d failed, %d skipped\n", registry().size(), failed, skipped);
  return failed ? 1 : 0;
}

}  // namespace bcshim

#define BCSHIM_REPORT_(kind, what) ::bcshim::Reporter{__FILE__, __LINE__, kind, what} = ::bcshim::Message()
#define BCSHIM_CHECK_(cond, what, on_fail) \
  switch (0)                               \
  case 0:                                  \
  default:                                 \
    if (cond) {                            \
    } else                                 \
      on_fail BCSHIM_REPORT_(::bcshim::Kind::kFailure, what)

#define TEST(suite, name)                                                                          \
  static void bcshim_##suite##_##name();                                                           \
  static const ::bcshim::Registrar bcshim_reg_##suite##_##name(#suite "." #name, bcshim_##suite##_##name); \
  static void bcshim_##suite##_##name()

#define GTEST_SKIP() return BCSHIM_REPORT_(::bcshim::Kind::kSkip, "")
#define EXPECT_TRUE(c) BCSHIM_CHECK_((c), "EXPECT_TRUE(" #c ")", )
#define ASSERT_TRUE(c) BCSHIM_CHECK_((c), "ASSERT_TRUE(" #c ")", return)
#define EXPECT_FALSE(c) BCSHIM_CHECK_(!(c), "EXPECT_FALSE(" #c ")", )
#define EXPECT_EQ(a, b) BCSHIM_CHECK_((a) == (b), "EXPECT_EQ(" #a ", " #b ") " + ::bcshim::pair_text((a), (b)), )
#define ASSERT_EQ(a, b) \
  BCSHIM_CHECK_((a) == (b), "ASSERT_EQ(" #a ", " #b ") " + ::bcshim::pair_text((a), (b)), return)
#define EXPECT_LE(a, b) BCSHIM_CHECK_((a) <= (b), "EXPECT_LE(" #a ", " #b ") " + ::bcshim::pair_text((a), (b)), )
#define EXPECT_NEAR(a, b, tol)                                                                      \
  BCSHIM_CHECK_(std::fabs(static_cast<double>(a) - static_cast<double>(b)) <= (tol),                \
                "EXPECT_NEAR(" #a ", " #b ", " #tol ") " + ::bcshim::pair_text((a), (b)), )
#define EXPECT_NE(a, b) BCSHIM_CHECK_((a) != (b), "EXPECT_NE(" #a ", " #b ") " + ::bcshim::pair_text((a), (b)), )
#define EXPECT_GE(a, b) BCSHIM_CHECK_((a) >= (b), "EXPECT_GE(" #a ", " #b ") " + ::bcshim::pair_text((a), (b)), )
#define EXPECT_GT(a, b) BCSHIM_CHECK_((a) > (b), "EXPECT_GT(" #a ", " #b ") " + ::bcshim::pair_text((a), (b)), )
#define ASSERT_LT(a, b) \
  BCSHIM_CHECK_((a) < (b), "ASSERT_LT(" #a ", " #b ") " + ::bcshim::pair_text((a), (b)), return)
#define ADD_FAILURE() BCSHIM_REPORT_(::bcshim::Kind::kFailure, "ADD_FAILURE()")
