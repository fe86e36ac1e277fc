#pragma once
// The variables every step of a job gets: the job's secrets (PROTOCOL.md 6.2 `secrets`) under
// the assign's `environment`, which wins where both name a variable, as a job's `environment`
// wins over its contexts in CircleCI.

#include <string>
#include <vector>

#include "protocol/messages.h"

namespace fmg::agent {

/// The assign's environment over its secrets.
protocol::Environment job_environment(const protocol::Assign& assign);

/// The values of `secrets`, for a SecretMasker.
std::vector<std::string> secret_values(const protocol::Environment& secrets);

}  // namespace fmg::agent
