#include "coordinator/web/pages.h"

#include "coordinator/domain/states.h"
#include "shared/time_format.h"

namespace fmg::coordinator::web {
namespace {

/// "3m 05s", "41s", "1h 02m": how long from `from` to `to`.
std::string duration_text(int64_t from, int64_t to) {
    const int64_t seconds = std::max<int64_t>(0, (to - from) / 1000);
    const auto two = [](int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
    if (seconds < 60) return std::to_string(seconds) + "s";
    if (seconds < 3600) return std::to_string(seconds / 60) + "m " + two(seconds % 60) + "s";
    return std::to_string(seconds / 3600) + "h " + two(seconds / 60 % 60) + "m";
}

/// "2026-12-08 02:10:04" (UTC): the API's time without its T and milliseconds.
std::string time_text(int64_t epoch_ms) {
    std::string text = format_rfc3339_ms(epoch_ms);
    if (text.size() >= 19) text = text.substr(0, 10) + " " + text.substr(11, 8);
    return text;
}

/// What the pipeline built: its pull request, its branch or its tag.
std::string ref_text(const PipelineRow& pipeline) {
    if (pipeline.pr_number) return "PR #" + std::to_string(*pipeline.pr_number);
    for (const char* prefix : {"refs/heads/", "refs/tags/"}) {
        if (pipeline.ref.rfind(prefix, 0) == 0)
            return pipeline.ref.substr(std::string(prefix).size());
    }
    return pipeline.ref;
}

}  // namespace

std::string login_page(const std::string& problem) {
    std::string body =
        "<section class=\"login\">\n<h1>Log in</h1>\n"
        "<p>Paste an API token (an admin creates one with <code>fmg token create NAME --role "
        "viewer</code>).</p>\n";
    if (!problem.empty()) body += "<p class=\"error\" id=\"problem\">" + escape(problem) + "</p>\n";
    body +=
        "<form method=\"post\" action=\"/login\">\n"
        "<p><input type=\"password\" name=\"token\" autocomplete=\"off\" "
        "placeholder=\"fmg_...\" required autofocus></p>\n"
        "<p><button type=\"submit\">Log in</button></p>\n</form>\n</section>";
    return page("Log in", std::nullopt, body);
}

std::string pipelines_page(const std::vector<PipelineRow>& pipelines, int64_t total,
                           const Viewer& viewer, int64_t now) {
    std::string body = "<h1>Pipelines</h1>\n";
    if (pipelines.empty()) {
        body +=
            "<p class=\"empty\">No pipelines yet: push to a repository whose webhook points "
            "here, or run <code>fmg trigger</code>.</p>";
        return page("Pipelines", viewer, body);
    }
    body +=
        "<table id=\"pipelines\">\n<thead><tr><th>#</th><th>Status</th><th>Repository</th>"
        "<th>Branch or PR</th><th>Commit</th><th>Trigger</th><th>Created</th>"
        "<th>Duration</th></tr></thead>\n<tbody>\n";
    for (const PipelineRow& pipeline : pipelines) {
        const std::string status(to_string(pipeline.status));
        std::string duration;
        if (pipeline.started_at) {
            duration = duration_text(*pipeline.started_at, pipeline.finished_at.value_or(now));
        }
        body += "<tr data-id=\"" + std::to_string(pipeline.id) + "\"><td>" +
                std::to_string(pipeline.id) + "</td><td class=\"status " + escape(status) + "\">" +
                escape(status) + "</td><td>" + escape(pipeline.repo) + "</td><td class=\"ref\">" +
                escape(ref_text(pipeline)) + "</td><td class=\"sha\">" +
                escape(pipeline.sha.substr(0, 12)) + "</td><td>" + escape(pipeline.trigger) +
                "</td><td>" + escape(time_text(pipeline.created_at)) + "</td><td>" +
                escape(duration) + "</td></tr>\n";
    }
    body += "</tbody>\n</table>\n<p class=\"empty\">" + std::to_string(pipelines.size()) + " of " +
            std::to_string(total) + "</p>";
    return page("Pipelines", viewer, body);
}

}  // namespace fmg::coordinator::web
