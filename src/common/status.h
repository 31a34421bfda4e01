// Status and Result<T>: how errors cross module boundaries in leadscore.
// A non-OK Status carries a message written for the person running the command: what was
// wrong, where (file, line, column or field), and what to do about it.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace leadscore {

class Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with context ("reading data/raw/x.csv: ...").
  Status WithContext(const std::string& context) const {
    return ok() ? *this : Error(context + ": " + message_);
  }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

// Either a value or a non-OK Status. Accessing value() of an error is a programming error.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace leadscore

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define LEADSCORE_RETURN_IF_ERROR(expr)   \
  do {                                    \
    ::leadscore::Status status_ = (expr); \
    if (!status_.ok()) return status_;    \
  } while (false)
