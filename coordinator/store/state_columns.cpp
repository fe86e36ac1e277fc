#include "coordinator/store/state_columns.h"

#include <string>

namespace fmg::coordinator {
namespace {

template <typename State>
State known(std::optional<State> state, const char* table, const std::string& text) {
    if (!state) {
        throw DbError(std::string("unknown state '") + text + "' in table " + table +
                      " (the database was written by another version, or edited by hand)");
    }
    return *state;
}

}  // namespace

PipelineState pipeline_state_column(const Statement& q, int column) {
    std::string text = q.text(column);
    return known(parse_pipeline_state(text), "pipelines", text);
}

JobState job_state_column(const Statement& q, int column) {
    std::string text = q.text(column);
    return known(parse_job_state(text), "jobs", text);
}

AttemptState attempt_state_column(const Statement& q, int column) {
    std::string text = q.text(column);
    return known(parse_attempt_state(text), "attempts", text);
}

StepState step_state_column(const Statement& q, int column) {
    std::string text = q.text(column);
    return known(parse_step_state(text), "attempt_steps", text);
}

RunnerState runner_state_column(const Statement& q, int column) {
    std::string text = q.text(column);
    return known(parse_runner_state(text), "runners", text);
}

JobKind job_kind_column(const Statement& q, int column) {
    std::string text = q.text(column);
    auto kind = parse_job_kind(text);
    if (!kind) {
        throw DbError("unknown job kind '" + text +
                      "' in table jobs (the database was written by another version, or edited "
                      "by hand)");
    }
    return *kind;
}

}  // namespace fmg::coordinator
