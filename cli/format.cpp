#include "cli/format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "cli/constants.h"
#include "shared/time_format.h"

namespace fmg::cli {

namespace {

std::string upper(std::string_view text) {
    if (text.empty()) return "UNKNOWN";
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

/// "12.3s" for a finished span, "12.3s so far" for a running one, "" when not started.
std::string elapsed(const std::string& started_at, const std::string& finished_at, int64_t now_ms) {
    auto started = parse_rfc3339_ms(started_at);
    if (!started) return "";
    if (auto finished = parse_rfc3339_ms(finished_at)) {
        return format_duration(*finished - *started);
    }
    return format_duration(now_ms - *started) + " so far";
}

/// elapsed() in parentheses after a space, or "".
std::string span(const std::string& started_at, const std::string& finished_at, int64_t now_ms) {
    std::string text = elapsed(started_at, finished_at, now_ms);
    return text.empty() ? "" : " (" + text + ")";
}

std::string running_text(const RunnerView& runner) {
    std::vector<std::string> items;
    for (const RunningJobView& job : runner.running_jobs) {
        if (job.pipeline_id && !job.job.empty()) {
            items.push_back("#" + std::to_string(*job.pipeline_id) + "/" + job.job);
        } else {
            items.push_back("attempt " + std::to_string(job.attempt_id));
        }
    }
    for (int64_t attempt : runner.running) {
        bool described =
            std::any_of(runner.running_jobs.begin(), runner.running_jobs.end(),
                        [&](const RunningJobView& j) { return j.attempt_id == attempt; });
        if (!described) items.push_back("attempt " + std::to_string(attempt));
    }
    if (items.empty()) return "idle";
    return "running " + joined(items, ", ");
}

void write_attempt(std::ostream& out, const AttemptView& attempt, int64_t now_ms) {
    out << "  attempt " << attempt.number;
    out << (attempt.runner.empty() ? " (no runner yet)" : " on " + attempt.runner);
    out << ": " << upper(attempt.status) << span(attempt.started_at, attempt.finished_at, now_ms);
    if (!attempt.error.empty()) out << ": " << attempt.error;
    out << "\n";
}

void write_step(std::ostream& out, const StepView& step, int64_t now_ms) {
    out << "  step " << step.name << ": " << upper(step.status);
    if (step.exit_code) out << " exit " << *step.exit_code;
    out << span(step.started_at, step.finished_at, now_ms) << "\n";
}

void write_tests(std::ostream& out, const TestsView& tests) {
    out << "  tests: " << tests.total << " total, " << tests.failed << " failed, " << tests.skipped
        << " skipped\n";
    for (const TestsView::Failure& failure : tests.failures) {
        out << "    FAILED " << (failure.classname.empty() ? "" : failure.classname + ".")
            << failure.name;
        if (!failure.message.empty()) out << ": " << failure.message;
        out << "\n";
    }
    const auto listed = static_cast<int64_t>(tests.failures.size());
    if (tests.failed > listed) out << "    ... and " << tests.failed - listed << " more\n";
}

void write_job(std::ostream& out, int64_t pipeline_id, const JobView& job, int64_t now_ms) {
    out << "job " << job.name;
    // Jobs that never reach a runner say what they are.
    if (!job.type.empty() && job.type != "build") out << " (" << job.type << ")";
    out << ": " << upper(job.status) << span(job.started_at, job.finished_at, now_ms);
    if (job.status == "on_hold") {
        out << ": waiting for approval (fmg approve " << pipeline_id << " " << job.name << ")";
    }
    if (!job.waiting_reason.empty()) out << ": " << job.waiting_reason;
    if (!job.labels.empty()) out << ", on runners labelled " << joined(job.labels, ", ");
    if (!job.required.empty()) out << ", requires " << joined(job.required, ", ");
    if (!job.approved_by.empty()) {
        out << ", approved by " << job.approved_by;
        if (!job.approved_at.empty()) out << " at " << display_time(job.approved_at);
    }
    out << "\n";
    for (const AttemptView& attempt : job.attempts) write_attempt(out, attempt, now_ms);
    for (const StepView& step : job.steps) write_step(out, step, now_ms);
    if (job.tests) write_tests(out, *job.tests);
}

}  // namespace

std::string display_time(std::string_view api_time) {
    auto ms = parse_rfc3339_ms(api_time);
    if (!ms) return std::string(api_time);
    return format_time_s(*ms);
}

std::string pipeline_line(const PipelineView& pipeline) {
    std::string line = "#" + std::to_string(pipeline.id) + " [" +
                       (pipeline.repo.empty() ? pipeline.repo_url : pipeline.repo) + " @ " +
                       short_sha(pipeline.sha) + " on " + short_ref(pipeline.ref) +
                       "] status: " + upper(pipeline.status) + " (";
    if (pipeline.started_at.empty()) {
        line += "not started";
        if (!pipeline.created_at.empty()) line += ", created " + display_time(pipeline.created_at);
    } else {
        line += "started " + display_time(pipeline.started_at);
        if (!pipeline.finished_at.empty()) {
            line += " finished " + display_time(pipeline.finished_at);
        }
    }
    line += ")";
    if (!pipeline.held_jobs.empty()) {
        // A fork's pipeline is approved as a whole; other pipelines hold approval jobs, each
        // approved by name.
        line += ", on_hold: waiting for approval (fmg approve " + std::to_string(pipeline.id) +
                (pipeline.from_fork ? "" : " " + pipeline.held_jobs.front()) + ")";
    }
    return line;
}

std::string runner_line(const RunnerView& runner, int64_t now_ms) {
    std::string line = std::to_string(runner.id) + ": " + runner.host + " [" +
                       (runner.state.empty() ? "unknown" : runner.state) + "] capacity " +
                       std::to_string(runner.capacity) + ", ";
    if (auto heartbeat = parse_rfc3339_ms(runner.last_heartbeat_at)) {
        line += "last heartbeat " + format_duration(now_ms - *heartbeat) + " ago";
    } else {
        line += "no heartbeat yet";
    }
    return line + ", " + running_text(runner);
}

std::string pipeline_details(const PipelineView& pipeline, int64_t now_ms) {
    std::ostringstream out;
    out << pipeline_line(pipeline) << "\n";
    if (!pipeline.repo_url.empty()) out << "  repo:    " << pipeline.repo_url << "\n";
    out << "  ref:     " << pipeline.ref << "\n";
    out << "  commit:  " << pipeline.sha << "\n";
    out << "  trigger: " << (pipeline.trigger.empty() ? "unknown" : pipeline.trigger);
    if (!pipeline.created_at.empty()) out << ", created " << display_time(pipeline.created_at);
    out << "\n";
    if (std::string took = elapsed(pipeline.started_at, pipeline.finished_at, now_ms);
        !took.empty()) {
        out << "  took:    " << took << "\n";
    }
    if (!pipeline.failed_jobs.empty()) {
        out << "  failed:  " << joined(pipeline.failed_jobs, ", ") << "\n";
    }
    if (!pipeline.error.empty()) out << "  error:   " << pipeline.error << "\n";
    if (pipeline.from_fork) {
        out << "  fork:    pull request from "
            << (pipeline.fork.empty() ? "a deleted fork" : pipeline.fork);
        if (!pipeline.approved_by.empty()) {
            out << ", approved by " << pipeline.approved_by;
            if (!pipeline.approved_at.empty()) out << " at " << display_time(pipeline.approved_at);
        } else if (!pipeline.held_jobs.empty()) {
            out << ", waiting for approval: fmg approve " << pipeline.id;
        }
        out << "\n";
    }
    for (const JobView& job : pipeline.jobs) {
        out << "\n";
        write_job(out, pipeline.id, job, now_ms);
    }
    return out.str();
}

}  // namespace fmg::cli
