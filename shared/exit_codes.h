#pragma once
// Exit codes shared by every binary (SPEC "Exit codes").

namespace fmg::exit_code {
constexpr int kOk = 0;
constexpr int kFailed = 1;       // the thing asked about failed (pipeline failed, config invalid)
constexpr int kUsage = 2;        // bad flags or values
constexpr int kUnreachable = 3;  // cannot reach or authenticate to the coordinator
constexpr int kNotFound = 4;
}  // namespace fmg::exit_code
