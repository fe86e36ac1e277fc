#include "coordinator/secrets/job_secrets.h"

#include "coordinator/store/secret_store.h"

namespace fmg::coordinator {
namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

}  // namespace

void give_secrets(protocol::Assign& assign, const JobSpec& spec, const PipelineRow& pipeline,
                  Database& db, const Keyring& keyring) {
    if (spec.contexts.empty() || assign.steps.empty() ||
        assign.steps.front().name != kSecretsStepName) {
        return;
    }
    auto& environment = assign.steps.front().environment;
    const std::string contexts = joined(spec.contexts);
    if (pipeline.from_fork) {
        environment["FMG_SECRETS_NOTE"] =
            "fmg: this pull request comes from a fork" +
            (pipeline.fork_repo && !pipeline.fork_repo->empty() ? " (" + *pipeline.fork_repo + ")"
                                                                : std::string()) +
            ": it runs without secrets and without the context(s) " + contexts +
            ", as GitHub runs pull requests from forks";
        return;
    }
    auto values = secrets::values_for(db, keyring, spec.contexts);
    if (!values) {
        environment["FMG_SECRETS_NOTE"] =
            "fmg: the secrets of context(s) " + contexts + " cannot be given to this job";
        environment["FMG_SECRETS_ERROR"] = "fmg: " + values.error().message;
        return;
    }
    std::vector<std::string> names;
    for (const auto& [name, value] : *values) names.push_back(name);
    environment["FMG_SECRETS_NOTE"] =
        "fmg: secrets of context(s) " + contexts + ": " + joined(names) +
        " (environment variables; the log shows their values as ****)";
    assign.secrets = std::move(*values);
}

}  // namespace fmg::coordinator
