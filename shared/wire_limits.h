#pragma once
// The size limits of the agent protocol (protocol/PROTOCOL.md section 5), defined here, below
// protocol/, so that the pipeline config parser (shared/pipeline/) can refuse a config whose
// jobs would not fit in an `assign` frame while it still knows the line and column of the
// offending value. protocol/messages.h re-exports them as fmg::protocol::kMax...; this is their
// one definition. Every receiver refuses a frame that breaks one (a peer could otherwise make
// it allocate without bound); every sender stays within them.

#include <cstddef>

namespace fmg::wire {

/// Largest frame either side accepts; bigger frames are refused before decoding.
inline constexpr std::size_t kMaxFrameBytes = 8 * 1024 * 1024;
/// Largest `log` payload an agent sends in one message (it batches below this).
inline constexpr std::size_t kMaxLogChunkBytes = 1024 * 1024;
/// Largest name-like string: message type, runner name and version, labels, job name, ref,
/// sha, image, service images, environment variable names.
inline constexpr std::size_t kMaxNameBytes = 1024;
/// Largest other string: reasons, errors, URLs, paths, step names, commands, env values.
inline constexpr std::size_t kMaxTextBytes = 256 * 1024;
/// Most items of any array (labels, running, services, steps).
inline constexpr std::size_t kMaxListItems = 1024;
/// Most entries of any map (an environment, the fields of one message or step).
inline constexpr std::size_t kMaxMapEntries = 1024;
/// Deepest nesting of arrays and maps; the envelope is level 1, a step's environment level 4.
inline constexpr std::size_t kMaxNestingDepth = 8;
/// Most automatic reruns of one step (CircleCI `max_auto_reruns`: 1 to 5).
inline constexpr unsigned kMaxAutoReruns = 5;
/// Longest wait before an automatic rerun (CircleCI `auto_rerun_delay`: at most 10 minutes).
inline constexpr unsigned kMaxAutoRerunDelayMs = 10 * 60 * 1000;
/// The longest cache name a step may render (CircleCI's limit on a key is 900 characters).
inline constexpr std::size_t kMaxCacheKeyBytes = 900;

}  // namespace fmg::wire
