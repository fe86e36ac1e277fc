#pragma once
// The values of the agent's Docker job limits (--job-memory, --job-cpus): parsing and the
// validators the option table uses, so a bad value is a usage error before anything runs.

#include <cstdint>
#include <optional>
#include <string_view>

#include "shared/options.h"

namespace fmg::agent {

/// "1073741824", "512m", "2g", "2G": a whole number of bytes, or of k, m, g or t
/// (powers of 1024, as Docker counts them), optionally followed by "b" or "ib" ("2gib").
/// Returns the bytes, or nullopt when the text is not such a size or is outside
/// [kMinJobMemory, kMaxJobMemory].
std::optional<int64_t> parse_job_memory(std::string_view text);

/// "2", "1.5", "0.25": CPUs as a decimal number with at most 9 places, in
/// [kMinJobCpus, kMaxJobCpus]. Returns nano-CPUs (CPUs x 10^9), or nullopt.
std::optional<int64_t> parse_job_cpus(std::string_view text);

/// Validators for the option table, with messages that say what is accepted.
options::Validator job_memory_value();
options::Validator job_cpus_value();

}  // namespace fmg::agent
