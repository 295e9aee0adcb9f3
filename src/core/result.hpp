// Error, Status and Result<T>: how invalid data and environment failures travel through basalt.
// An Error carries a category (ErrorCode, branch on it) and a context string naming the field or
// rule that failed (for people, never parsed). Success holds no error and allocates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/assert.hpp"

namespace basalt::core {

// Categories of failure. Invalid-data codes describe bytes or values from outside; kIo and
// kUnavailable describe the environment and never become a transaction verdict.
enum class ErrorCode : std::uint8_t {
  kTruncated = 1,      // input ended before a field was complete
  kTrailingBytes = 2,  // bytes left after a complete value
  kUnknownTag = 3,     // unknown version, tag or flag
  kNonCanonical = 4,  // a value with more than one encoding, in a form other than the canonical one
  kOutOfRange = 5,    // a count, length or number outside its allowed range
  kInvalid = 6,       // well-formed but violates a rule (bad order, failed check, wrong shape)
  kVerifyFailed = 7,  // a proof or commitment did not verify
  kNotFound = 8,      // a requested item does not exist
  kIo = 9,            // file or database failure
  kUnavailable = 10,  // a needed service or tool is not there
  kCorrupt = 11,      // basalt's own stored data is damaged (never a verdict on outside input)
};

const char* error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string context) : code_(code), context_(std::move(context)) {}

  ErrorCode code() const { return code_; }
  const std::string& context() const { return context_; }
  // "code_name: context", for logs and CLI output.
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string context_;
};

// Result<T>: a T or an Error. Read the value only after checking ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor): implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    BASALT_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    BASALT_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    BASALT_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    BASALT_ASSERT(!ok());
    return std::get<1>(v_);
  }
  // Deliberately drops the result; the call site says why in a comment.
  void ignore() const {}

 private:
  std::variant<T, Error> v_;
};

// Status: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    BASALT_ASSERT(!ok());
    return *error_;
  }
  // Deliberately drops the status; the call site says why in a comment.
  void ignore() const {}

 private:
  // Empty on success, which then costs no string.
  std::optional<Error> error_;
};

}  // namespace basalt::core

#define BASALT_CONCAT_INNER_(a, b) a##b
#define BASALT_CONCAT_(a, b) BASALT_CONCAT_INNER_(a, b)

// Evaluates a Result expression; on error returns the error from the calling function, otherwise
// moves the value into `lhs` (which may be a declaration: BASALT_ASSIGN_OR_RETURN(auto x, f());).
#define BASALT_ASSIGN_OR_RETURN(lhs, expr) \
  BASALT_ASSIGN_OR_RETURN_IMPL_(BASALT_CONCAT_(basalt_aor_, __LINE__), lhs, expr)
#define BASALT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.error();                  \
  lhs = std::move(tmp).value()

// Propagates the error of a Result or Status expression out of the calling function.
#define BASALT_TRY(expr)                                             \
  do {                                                               \
    auto basalt_try_result_ = (expr);                                \
    if (!basalt_try_result_.ok()) return basalt_try_result_.error(); \
  } while (0)
