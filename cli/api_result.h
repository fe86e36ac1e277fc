#pragma once
// What a call to the coordinator gives back: a value, or an ApiError that already knows
// which exit code (SPEC "Exit codes") and which message the user should see.

#include <string>
#include <utility>
#include <variant>

namespace fmg::cli {

/// A failed API call: the process exit code it maps to and a message without "fmg: ".
struct ApiError {
    int exit_code = 1;
    std::string message;
    bool connection_failed = false;  // the coordinator was not reached: worth trying again
};

/// Either a T or an ApiError. Access the value only after checking ok().
template <typename T>
class [[nodiscard]] ApiResult {
  public:
    ApiResult(T value) : state_(std::move(value)) {}
    ApiResult(ApiError error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(state_); }
    const T& value() const& { return std::get<T>(state_); }
    T&& value() && { return std::get<T>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const ApiError& error() const { return std::get<ApiError>(state_); }

  private:
    std::variant<T, ApiError> state_;
};

/// The value of a call that answers nothing worth keeping.
struct Done {};

}  // namespace fmg::cli
