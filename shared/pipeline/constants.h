#pragma once
// Bounds on what a pipeline config may ask for. A config comes from any commit pushed to a
// watched repository, so the parser must stay cheap on hostile input (principles: bounded
// everything).

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace fmg::pipeline {

/// Largest config file accepted, in bytes.
inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

/// Most job definitions under `jobs`, and most job entries over all workflows.
inline constexpr std::size_t kMaxJobs = 500;

/// Most steps in one job (within the agent protocol's kMaxListItems, 1,024).
inline constexpr std::size_t kMaxStepsPerJob = 1000;

/// Longest job name, in bytes: it appears in API paths, logs and GitHub status contexts
/// (within the agent protocol's kMaxNameBytes, 1 KiB).
inline constexpr std::size_t kMaxJobNameBytes = 128;

/// Most YAML nodes the parser visits. Aliases (`*name`) let a small file reach the same nodes
/// many times; this bounds the work whatever they expand to.
inline constexpr int64_t kMaxVisitedNodes = 500'000;
/// Most text the parser reads from scalars, in bytes, for the same reason.
inline constexpr int64_t kMaxReadBytes = 8 * 1024 * 1024;
/// The jobs a config plans (one copy per workflow entry) may together hold no more nodes and
/// text than the bounds above.

/// Longest regular expression in a workflow filter (between the slashes).
inline constexpr std::size_t kMaxFilterRegexLength = 256;

/// Most automaton states one filter regex may compile to, and all of a config's together.
/// std::regex expands `{n}` by copying, and matching recurses over states: these bound the
/// stack and time a hostile filter can take (`((a?){100}){99}` alone would crash a thread
/// with a 2 MiB stack).
inline constexpr std::size_t kMaxRegexStates = 2048;
inline constexpr std::size_t kMaxConfigRegexStates = 20'000;

/// Largest `no_output_timeout`; CircleCI's own job limits are far below it.
inline constexpr std::chrono::hours kMaxNoOutputTimeout{24};

/// Longest default step name taken from a command's first line, in bytes.
inline constexpr std::size_t kMaxDefaultStepNameBytes = 80;

/// Most `context`s one workflow job names, and the longest name.
inline constexpr std::size_t kMaxContexts = 16;
inline constexpr std::size_t kMaxContextNameBytes = 256;

/// Largest `parallelism`: each copy is a run of its own on some runner, so a pipeline holds at
/// most kMaxJobs * kMaxParallelism runs.
inline constexpr uint32_t kMaxParallelism = 100;
/// Digits of kMaxParallelism: the longest CIRCLE_NODE_TOTAL (and more than CIRCLE_NODE_INDEX).
inline constexpr std::size_t kMaxParallelismDigits = 3;
/// Longest name of a node of a job (nodes.h): the job's name and `[INDEX]`.
inline constexpr std::size_t kMaxNodeNameBytes = kMaxJobNameBytes + 2 + (kMaxParallelismDigits - 1);

/// Longest a job's caches may be kept (`retention: {caches: 30d}`), as CircleCI bounds it.
inline constexpr uint32_t kMaxCacheRetentionDays = 30;

/// Longest `serial-group` key, as CircleCI bounds it.
inline constexpr std::size_t kMaxSerialGroupBytes = 512;

/// Where steps run when a job does not say (CircleCI's default).
inline constexpr const char* kDefaultWorkingDirectory = "~/project";

}  // namespace fmg::pipeline
