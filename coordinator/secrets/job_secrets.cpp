#include "coordinator/secrets/job_secrets.h"

#include "coordinator/store/secret_store.h"

namespace fmg::coordinator {
namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

std::vector<std::string> names_of(const std::map<std::string, std::string>& values) {
    std::vector<std::string> names;
    for (const auto& [name, value] : values) names.push_back(name);
    return names.empty() ? std::vector<std::string>{"none"} : names;
}

/// Fails the job at its Secrets step: the secrets of `whose` cannot be given.
void refuse(std::map<std::string, std::string>& environment, const std::string& whose,
            const Error& why) {
    environment["FMG_SECRETS_NOTE"] =
        "fmg: the secrets of " + whose + " cannot be given to this job";
    environment["FMG_SECRETS_ERROR"] = "fmg: " + why.message;
}

}  // namespace

void give_secrets(protocol::Assign& assign, const JobSpec& spec, const PipelineRow& pipeline,
                  Database& db, const Keyring& keyring) {
    if ((spec.contexts.empty() && !spec.repository_secrets) || assign.steps.empty() ||
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
            ": it runs without secrets" +
            (contexts.empty() ? std::string() : " and without the context(s) " + contexts) +
            ", as GitHub runs pull requests from forks";
        return;
    }
    std::map<std::string, std::string> values;
    std::string given;  // what the note lists: "of repository acme/app: A; of context(s) ..."
    if (spec.repository_secrets) {
        auto own = secrets::repository_values(db, keyring, pipeline.repo);
        if (!own) return refuse(environment, "repository " + pipeline.repo, own.error());
        given = "of repository " + pipeline.repo + ": " + joined(names_of(*own));
        values = std::move(*own);
    }
    if (!spec.contexts.empty()) {
        auto theirs = secrets::values_for(db, keyring, spec.contexts);
        if (!theirs) return refuse(environment, "context(s) " + contexts, theirs.error());
        given += (given.empty() ? "" : "; ") + std::string("of context(s) ") + contexts + ": " +
                 joined(names_of(*theirs));
        // A context's secret wins over the repository's of the same name.
        for (auto& [name, value] : *theirs) values[name] = std::move(value);
    }
    environment["FMG_SECRETS_NOTE"] =
        "fmg: secrets " + given + " (environment variables; the log shows their values as ****)";
    assign.secrets = std::move(values);
}

}  // namespace fmg::coordinator
