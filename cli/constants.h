#pragma once
// Limits and timings of the fmg CLI, in one place (principles: one constants header per component).

#include <chrono>
#include <cstddef>

namespace fmg::cli {

/// How long to wait for the TCP connection to the coordinator.
constexpr std::chrono::seconds kConnectTimeout{5};
/// How long one read of an ordinary (non-streaming) answer may stay silent.
constexpr std::chrono::seconds kReplyTimeout{30};
/// The largest JSON answer read into memory; logs are streamed and have no such limit.
constexpr size_t kMaxReplyBytes = 64 * 1024 * 1024;

/// `trigger --wait` polls the pipeline starting at kWaitFirstPoll, growing by half each
/// time up to kWaitMaxPoll: quick for short pipelines, one request a second for long ones.
constexpr std::chrono::milliseconds kWaitFirstPoll{200};
constexpr std::chrono::milliseconds kWaitMaxPoll{1000};
/// While waiting, a coordinator that cannot be reached for this long ends the wait (exit 3);
/// shorter outages (a restart) are ridden out.
constexpr std::chrono::seconds kWaitUnreachableLimit{30};

/// The default pipeline config of `fmg validate`, relative to the working directory.
constexpr const char* kDefaultConfigFile = ".circleci/config.yml";

}  // namespace fmg::cli
