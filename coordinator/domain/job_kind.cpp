#include "coordinator/domain/job_kind.h"

namespace fmg::coordinator {

std::string_view to_string(JobKind kind) {
    switch (kind) {
        case JobKind::build:
            return "build";
        case JobKind::approval:
            return "approval";
        case JobKind::no_op:
            return "no-op";
    }
    return "build";
}

std::optional<JobKind> parse_job_kind(std::string_view text) {
    for (JobKind kind : {JobKind::build, JobKind::approval, JobKind::no_op}) {
        if (to_string(kind) == text) return kind;
    }
    return std::nullopt;
}

JobKind job_kind_of(pipeline::JobType type) {
    switch (type) {
        case pipeline::JobType::approval:
            return JobKind::approval;
        case pipeline::JobType::no_op:
            return JobKind::no_op;
        case pipeline::JobType::build:
            break;
    }
    return JobKind::build;
}

}  // namespace fmg::coordinator
