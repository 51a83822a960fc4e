#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace assay {

/// Error codes carry retry meaning, as Abseil's do: callers branch on the code, never on text.
enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument,  ///< permanent: bad input, bad config
  kNotFound,         ///< a file, table or key that does not exist
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,  ///< the system is not in a state to do this
  kOutOfRange,
  kUnavailable,  ///< transient: retry later
  kDataLoss,     ///< corrupt or truncated data
  kResourceExhausted,
  kCancelled,
  kUnimplemented,
  kInternal,  ///< a bug
};

std::string_view StatusCodeName(StatusCode code);

/// The outcome of an operation that can fail for expected reasons. Cheap when ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  /// "InvalidArgument: message" (or "OK").
  std::string ToString() const;

  /// Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
inline Status Unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}
inline Status DataLoss(std::string message) { return {StatusCode::kDataLoss, std::move(message)}; }
inline Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }
inline Status FailedPrecondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
inline Status PermissionDenied(std::string message) {
  return {StatusCode::kPermissionDenied, std::move(message)};
}
inline Status Unimplemented(std::string message) {
  return {StatusCode::kUnimplemented, std::move(message)};
}

/// A Status from errno after a failed system call on `what` (a path or an operation).
Status ErrnoStatus(int err, std::string_view what);

}  // namespace assay

#define ASSAY_CONCAT_INNER(a, b) a##b
#define ASSAY_CONCAT(a, b) ASSAY_CONCAT_INNER(a, b)

/// Returns the Status from the enclosing function if `expr` is not ok.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::assay::Status assay_status_ = (expr);        \
    if (!assay_status_.ok()) return assay_status_; \
  } while (false)
