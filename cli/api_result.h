#pragma once
// What a call to the coordinator gives back: a value, or an ApiError that already knows
// which exit code (SPEC "Exit codes") and which message the user should see.

#include <string>

#include "shared/result.h"

namespace fmg::cli {

/// A failed API call: the process exit code it maps to and a message without "fmg: ".
struct ApiError {
    int exit_code = 1;
    std::string message;
    bool connection_failed = false;  // the coordinator was not reached: worth trying again
};

/// Either a T or an ApiError.
template <typename T>
using ApiResult = Result<T, ApiError>;

/// The value of a call that answers nothing worth keeping.
struct Done {};

}  // namespace fmg::cli
