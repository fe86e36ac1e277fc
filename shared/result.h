#pragma once
// Expected failures as values (docs/principles.md): a Result<T> holds either a T or an Error.

#include <string>
#include <utility>
#include <variant>

namespace fmg {

/// A failure that the caller is expected to handle: a human-readable message.
struct Error {
    std::string message;
};

/// Either a value or an error: an Error, unless another type carries more (the CLI's
/// ApiError also carries an exit code). Access the value only after checking ok().
template <typename T, typename E = Error>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}
    Result(E error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(state_); }
    const T& value() const& { return std::get<T>(state_); }
    T&& value() && { return std::get<T>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const E& error() const { return std::get<E>(state_); }

  private:
    std::variant<T, E> state_;
};

/// Result of an operation with no value: success, or an error.
template <typename E>
class [[nodiscard]] Result<void, E> {
  public:
    Result() = default;
    Result(E error) : error_(std::move(error)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const E& error() const { return error_; }

  private:
    E error_;
    bool failed_ = false;
};

using Status = Result<void>;

}  // namespace fmg
