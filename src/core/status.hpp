// One error channel for stage boundaries: Status (code + message) and
// Result<T> (a value or a Status). Exceptions stay inside third-party calls.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ballcam {

// Error categories double as the CLI's exit codes (see docs/CLI.md).
enum class ErrorCode : int {
  kOk = 0,
  kInternal = 1,       // a bug or an unexpected library failure
  kInvalidArgument = 2, // bad option, bad config value
  kInputError = 3,     // input missing, unreadable, not a video, corrupt
  kOutputError = 4,    // output unwritable, muxer/encoder refused
  kUnavailable = 5,    // a requested backend/device is not available here
  kThresholdNotMet = 6, // eval: a quality threshold given on the command line was missed
  kCancelled = 130,    // stopped by a signal (outputs were finalised)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string to_string() const;

  // Prefix the message with context ("opening input: ...").
  Status with_context(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status error(ErrorCode code, std::string message) { return {code, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {      // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ballcam

#define BALLCAM_CONCAT_INNER(a, b) a##b
#define BALLCAM_CONCAT(a, b) BALLCAM_CONCAT_INNER(a, b)

// Return early from a function returning Status/Result when `expr` fails.
#define BALLCAM_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::ballcam::Status _bc_st = (expr);           \
    if (!_bc_st.ok()) return _bc_st;             \
  } while (0)

#define BALLCAM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define BALLCAM_ASSIGN_OR_RETURN(lhs, expr) \
  BALLCAM_ASSIGN_OR_RETURN_IMPL(BALLCAM_CONCAT(_bc_res_, __LINE__), lhs, expr)
