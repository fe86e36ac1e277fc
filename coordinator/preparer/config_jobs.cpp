#include "coordinator/preparer/config_jobs.h"

#include <map>
#include <string>

#include "coordinator/domain/job_kind.h"
#include "coordinator/domain/job_spec.h"
#include "shared/pipeline/nodes.h"

namespace fmg::coordinator {

std::vector<lifecycle::ConfigJob> config_jobs(const pipeline::Config& config,
                                              bool repository_secrets) {
    // The names a job's `requires` stands for: the job's, or its nodes'.
    std::map<std::string, std::vector<std::string>> names_of;
    for (const auto& job : config.jobs) {
        auto& names = names_of[job.name];
        if (job.parallelism < 2) {
            names.push_back(job.name);
            continue;
        }
        for (uint32_t index = 0; index < job.parallelism; ++index) {
            names.push_back(pipeline::node_name(job.name, index));
        }
    }
    std::vector<lifecycle::ConfigJob> jobs;
    for (const auto& job : config.jobs) {
        std::vector<std::string> required;
        std::vector<StatusRequirement> qualified;
        for (const auto& name : job.required_jobs) {
            const auto& names = names_of.at(name);
            required.insert(required.end(), names.begin(), names.end());
            if (const auto statuses = job.required_statuses.find(name);
                statuses != job.required_statuses.end()) {
                qualified.push_back({names, statuses->second});
            }
        }
        const auto kind = job_kind_of(job.type);
        const auto serial_group =
            job.serial_group.empty() ? std::nullopt : std::optional<std::string>(job.serial_group);
        if (job.parallelism < 2) {
            jobs.push_back({job.name, required,
                            to_json(job_spec_from_config(job, std::nullopt, repository_secrets)),
                            job.labels, kind, qualified, serial_group});
            continue;
        }
        for (uint32_t index = 0; index < job.parallelism; ++index) {
            const JobNode node{.index = index, .total = job.parallelism};
            jobs.push_back({pipeline::node_name(job.name, index), required,
                            to_json(job_spec_from_config(job, node, repository_secrets)),
                            job.labels, kind, qualified, serial_group});
        }
    }
    return jobs;
}

}  // namespace fmg::coordinator
