#include "coordinator/web/pages.h"

#include "coordinator/domain/states.h"
#include "shared/display.h"

namespace fmg::coordinator::web {
namespace {

/// What the pipeline built: its pull request, or its branch or tag.
std::string ref_text(const PipelineRow& pipeline) {
    if (pipeline.pr_number) return "PR #" + std::to_string(*pipeline.pr_number);
    return short_ref(pipeline.ref);
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
            duration = format_duration(pipeline.finished_at.value_or(now) - *pipeline.started_at);
        }
        body += "<tr data-id=\"" + std::to_string(pipeline.id) + "\"><td>" +
                std::to_string(pipeline.id) + "</td><td class=\"status " + escape(status) + "\">" +
                escape(status) + "</td><td>" + escape(pipeline.repo) + "</td><td class=\"ref\">" +
                escape(ref_text(pipeline)) + "</td><td class=\"sha\">" +
                escape(short_sha(pipeline.sha)) + "</td><td>" + escape(pipeline.trigger) +
                "</td><td>" + escape(format_time_s(pipeline.created_at)) + "</td><td>" +
                escape(duration) + "</td></tr>\n";
    }
    body += "</tbody>\n</table>\n<p class=\"empty\">" + std::to_string(pipelines.size()) + " of " +
            std::to_string(total) + "</p>";
    return page("Pipelines", viewer, body);
}

}  // namespace fmg::coordinator::web
