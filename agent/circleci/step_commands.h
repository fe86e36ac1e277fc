#pragma once
// The commands CircleCI provides inside every job, which fmg provides too: `circleci tests
// glob`, `circleci tests split` and `circleci-agent step halt` (also `circleci step halt`).
// They are one helper program, fmg-circleci (agent/circleci/main.cpp), linked statically so it
// runs in any image, which picks its command set by the name it is called by. This header is
// the contract between the agent, which puts the helper in every job (docs/executors.md), and
// the helper.

namespace fmg::agent::circleci {

/// The helper's file name, installed beside fmg-checkout.
inline constexpr const char* kHelperProgramName = "fmg-circleci";

/// The names steps call it by.
inline constexpr const char* kCircleciCommand = "circleci";
inline constexpr const char* kCircleciAgentCommand = "circleci-agent";

/// Where a Docker job's primary container has the helper, under both names: on the PATH of
/// every usual image, and before /usr/bin, where an image's own `circleci` usually is.
inline constexpr const char* kContainerCommandDirectory = "/usr/local/bin";

/// The variable that names, in every step's environment, the file `step halt` writes to.
/// The agent reads that file when the step ends: not empty means the job ends there.
inline constexpr const char* kHaltFileVariable = "FMG_HALT_FILE";

/// Where a Docker job's primary container has the job's halt file (a bind of the host's).
inline constexpr const char* kContainerHaltFile = "/run/fmg/halt";

}  // namespace fmg::agent::circleci
