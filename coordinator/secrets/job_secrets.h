#pragma once
// What a dispatched job gets of its contexts' and its repository's secrets (docs/security.md
// "Secrets"): the values in its assign, only for this attempt, and a note its first step prints. A
// fork's pull request gets none (GitHub's rule for forks), trusted or not, and its log says so.

#include "coordinator/domain/job_spec.h"
#include "coordinator/secrets/keyring.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"
#include "protocol/messages.h"

namespace fmg::coordinator {

/// For a job with contexts or repository secrets: opens them into `assign.secrets` (a
/// context's winning over the repository's of the same name) and tells the spec's first step
/// (kSecretsStepName) what to print: the secrets' names; that a fork's pull request runs
/// without them; or, failing the job, why they cannot be given (a context without secrets, a
/// secret that does not open). Any other job is left as it is.
void give_secrets(protocol::Assign& assign, const JobSpec& spec, const PipelineRow& pipeline,
                  Database& db, const Keyring& keyring);

}  // namespace fmg::coordinator
