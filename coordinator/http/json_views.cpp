#include "coordinator/http/json_views.h"

#include <Poco/JSON/Array.h>

#include <algorithm>

#include "coordinator/domain/job_spec.h"
#include "coordinator/domain/runner_match.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "coordinator/store/test_result_store.h"
#include "shared/time_format.h"

namespace fmg::coordinator::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Poco::Dynamic::Var time_or_null(std::optional<int64_t> ms) {
    if (!ms) return Poco::Dynamic::Var();
    return format_rfc3339_ms(*ms);
}

Poco::Dynamic::Var text_or_null(const std::optional<std::string>& text) {
    if (!text) return Poco::Dynamic::Var();
    return *text;
}

Array::Ptr string_array(const std::vector<std::string>& items) {
    Array::Ptr array = new Array;
    for (const auto& item : items) array->add(item);
    return array;
}

Array::Ptr steps_json(const JobRow& job, const std::vector<StepRow>& step_rows) {
    Array::Ptr steps = new Array;
    auto spec = job_spec_from_json(job.spec);
    if (!spec) return steps;
    for (size_t i = 0; i < spec->steps.size(); ++i) {
        const StepRow* row = nullptr;
        for (const auto& r : step_rows) {
            if (r.step_index == static_cast<int64_t>(i)) row = &r;
        }
        Object::Ptr step = new Object;
        step->set("name", spec->steps[i].kind == "checkout" ? "checkout" : spec->steps[i].name);
        // Steps not reached: "skipped" once the job ended, "pending" while it may still run.
        std::string status = is_terminal(job.status) ? "skipped" : "pending";
        if (row) status = to_string(row->status);
        step->set("status", status);
        step->set("exit_code", row && row->exit_code ? Poco::Dynamic::Var(*row->exit_code)
                                                     : Poco::Dynamic::Var());
        step->set("started_at", time_or_null(row ? row->started_at : std::nullopt));
        step->set("finished_at", time_or_null(row ? row->finished_at : std::nullopt));
        steps->add(step);
    }
    return steps;
}

/// The labels of each runner that is online now, as the runners table has them (each
/// agent's hello writes them).
std::vector<std::vector<std::string>> online_runner_labels(Database& db) {
    std::vector<std::vector<std::string>> labels;
    for (const RunnerRow& runner : runners::all(db)) {
        if (runner.state == RunnerState::online) labels.push_back(runner.labels);
    }
    return labels;
}

/// `online_labels`: as online_runner_labels, read once for all jobs of a pipeline.
Object::Ptr job_json(Database& db, const JobRow& job,
                     const std::vector<std::vector<std::string>>& online_labels) {
    Object::Ptr object = new Object;
    object->set("name", job.name);
    object->set("status", std::string(to_string(job.status)));
    // build, approval or no-op (the config's `type`): the last two never reach a runner.
    object->set("type", std::string(to_string(job.kind)));
    object->set("requires", string_array(job.required_jobs));
    // The `requires` items with status qualifiers: which jobs may end how for this one to run
    // (the others in `requires` must succeed).
    Array::Ptr qualified = new Array;
    for (const StatusRequirement& requirement : job.status_requirements) {
        Object::Ptr item = new Object;
        item->set("jobs", string_array(requirement.jobs));
        item->set("statuses", string_array(requirement.statuses));
        qualified->add(item);
    }
    object->set("requires_statuses", qualified);
    object->set("labels", string_array(job.needed_labels));
    // A queued job that no runner online could take says so, never silently waits; one that
    // waits for a free slot of a runner that fits it has no reason (null).
    std::optional<std::string> waiting;
    if (job.status == JobState::queued) waiting = waiting_reason(job.needed_labels, online_labels);
    // A job of a serial group also waits while another job of its group runs.
    if (job.status == JobState::queued && !waiting && job.serial_group) {
        if (const auto holder =
                pipelines::running_in_serial_group(db, *job.serial_group, job.pipeline_id)) {
            waiting = "serial group " + *job.serial_group + " is running job " + holder->name +
                      " of pipeline " + std::to_string(holder->pipeline_id);
        }
    }
    object->set("waiting_reason", text_or_null(waiting));
    object->set("serial_group", text_or_null(job.serial_group));
    object->set("created_at", format_rfc3339_ms(job.created_at));
    object->set("started_at", time_or_null(job.started_at));
    object->set("finished_at", time_or_null(job.finished_at));
    // Who released it from on_hold (a fork's pull request, or an approval job), and when;
    // null otherwise.
    object->set("approved_by", text_or_null(job.approved_by));
    object->set("approved_at", time_or_null(job.approved_at));
    Array::Ptr attempts = new Array;
    for (const AttemptRow& attempt : pipelines::attempts_of(db, job.id)) {
        Object::Ptr a = new Object;
        a->set("id", attempt.id);
        a->set("number", attempt.number);
        a->set("runner", attempt.runner_host.empty() ? Poco::Dynamic::Var()
                                                     : Poco::Dynamic::Var(attempt.runner_host));
        a->set("status", std::string(to_string(attempt.status)));
        a->set("created_at", format_rfc3339_ms(attempt.created_at));
        a->set("started_at", time_or_null(attempt.started_at));
        a->set("finished_at", time_or_null(attempt.finished_at));
        a->set("error", text_or_null(attempt.error));
        attempts->add(a);
    }
    object->set("attempts", attempts);
    std::vector<StepRow> step_rows;
    if (job.current_attempt_id) step_rows = pipelines::steps_of(db, *job.current_attempt_id);
    object->set("steps", steps_json(job, step_rows));
    // What its current attempt's store_test_results steps reported; null without any.
    std::optional<test_results::Summary> tests;
    if (job.current_attempt_id) tests = test_results::summary_of(db, *job.current_attempt_id);
    if (tests) {
        Object::Ptr t = new Object;
        t->set("total", tests->total);
        t->set("failed", tests->failed);
        t->set("skipped", tests->skipped);
        Array::Ptr failures = new Array;
        for (const auto& failure : tests->failures) {
            Object::Ptr f = new Object;
            f->set("name", failure.name);
            f->set("classname", failure.classname);
            f->set("message", failure.message);
            failures->add(f);
        }
        t->set("failures", failures);
        object->set("tests", t);
    } else {
        object->set("tests", Poco::Dynamic::Var());
    }
    return object;
}

}  // namespace

Object::Ptr pipeline_json(Database& db, const PipelineRow& p, bool with_jobs) {
    Object::Ptr object = new Object;
    object->set("id", p.id);
    object->set("repo", p.repo);
    object->set("repo_url", p.repo_url);
    object->set("ref", p.ref);
    object->set("sha", p.sha);
    object->set("trigger", p.trigger);
    object->set("status", std::string(to_string(p.status)));
    object->set("failed_jobs", string_array(pipelines::failed_job_names(db, p.id)));
    object->set("created_at", format_rfc3339_ms(p.created_at));
    object->set("started_at", time_or_null(p.started_at));
    object->set("finished_at", time_or_null(p.finished_at));
    object->set("error", text_or_null(p.error));
    object->set("pr_number", p.pr_number ? Poco::Dynamic::Var(*p.pr_number) : Poco::Dynamic::Var());
    Object::Ptr parameters = new Object;
    for (const auto& [name, value] : p.parameters) parameters->set(name, value);
    object->set("parameters", parameters);
    // A fork's pull request: the head repository ("" for a deleted fork), whether and by whom
    // it was approved as a whole. Any pipeline: the jobs still held for approval (a fork's, or
    // approval jobs).
    object->set("fork", text_or_null(p.fork_repo));
    object->set("approved_by", text_or_null(p.approved_by));
    object->set("approved_at", time_or_null(p.approved_at));
    // Only an unfinished pipeline can hold jobs: listings ask the store for no others.
    bool may_hold = !is_terminal(p.status);
    object->set("held_jobs", string_array(may_hold ? pipelines::held_job_names(db, p.id)
                                                   : std::vector<std::string>{}));
    if (with_jobs) {
        Array::Ptr jobs = new Array;
        const std::vector<JobRow> rows = pipelines::jobs_of(db, p.id);
        std::vector<std::vector<std::string>> online_labels;
        if (std::any_of(rows.begin(), rows.end(),
                        [](const JobRow& job) { return job.status == JobState::queued; })) {
            online_labels = online_runner_labels(db);
        }
        for (const JobRow& job : rows) jobs->add(job_json(db, job, online_labels));
        object->set("jobs", jobs);
    }
    return object;
}

Object::Ptr runner_json(Database& db, const RunnerRow& runner,
                        const std::vector<AttemptRow>& active_attempts) {
    Object::Ptr object = new Object;
    object->set("id", runner.id);
    object->set("host", runner.host);
    object->set("labels", string_array(runner.labels));
    object->set("capacity", runner.capacity);
    object->set("state", std::string(to_string(runner.state)));
    object->set("last_heartbeat_at", time_or_null(runner.last_heartbeat_at));
    object->set("version", text_or_null(runner.version));
    Array::Ptr running = new Array;
    Array::Ptr running_jobs = new Array;
    for (const AttemptRow& attempt : active_attempts) {
        if (attempt.runner_id != runner.id) continue;
        running->add(attempt.id);
        if (auto job = pipelines::find_job(db, attempt.job_id)) {
            Object::Ptr entry = new Object;
            entry->set("attempt_id", attempt.id);
            entry->set("pipeline_id", job->pipeline_id);
            entry->set("job", job->name);
            running_jobs->add(entry);
        }
    }
    object->set("running", running);
    // Not in SPEC's list, added so `fmg configure list-runners` can say "running #12/build".
    object->set("running_jobs", running_jobs);
    return object;
}

}  // namespace fmg::coordinator::http
