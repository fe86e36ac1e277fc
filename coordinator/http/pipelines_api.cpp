#include <Poco/JSON/Array.h>
#include <Poco/Net/HTMLForm.h>

#include <charconv>

#include "coordinator/constants.h"
#include "coordinator/domain/states.h"
#include "coordinator/github/names.h"
#include "coordinator/http/api_routes.h"
#include "coordinator/http/json_views.h"
#include "coordinator/http/pipeline_parameters.h"
#include "coordinator/lifecycle/operations.h"
#include "coordinator/lifecycle/retry.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::http {
namespace {

/// owner/name from a clone URL: the last two path components, without ".git".
std::string repo_name_of(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() > 4 && url.compare(url.size() - 4, 4, ".git") == 0) url.resize(url.size() - 4);
    auto last = url.find_last_of("/:");
    if (last == std::string::npos) return url;
    auto before = url.find_last_of("/:", last - 1);
    return url.substr(before == std::string::npos ? 0 : before + 1);
}

}  // namespace

void list_pipelines(HttpContext& context, HTTPServerRequest& request,
                    HTTPServerResponse& response) {
    Poco::Net::HTMLForm query(request);
    pipelines::ListFilter filter;
    if (query.has("limit")) {
        const std::string& text = query.get("limit");
        int64_t limit = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > 1000) {
            return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                              "limit must be an integer from 1 to 1000");
        }
        filter.limit = limit;
    }
    if (query.has("status") && !query.get("status").empty()) {
        filter.status = parse_pipeline_state(query.get("status"));
        if (!filter.status) {
            return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                              "unknown status '" + query.get("status") + "'");
        }
    }
    if (query.has("repo") && !query.get("repo").empty()) filter.repo = query.get("repo");
    if (query.has("sha") && !query.get("sha").empty()) filter.sha = query.get("sha");

    Database& db = thread_database(context.database_file);
    auto [total, rows] = pipelines::list(db, filter);
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("total", total);
    Poco::JSON::Array::Ptr data = new Poco::JSON::Array;
    for (const auto& row : rows) data->add(pipeline_json(db, row, false));
    body->set("data", data);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

void show_pipeline(HttpContext& context, int64_t id, HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    auto pipeline = pipelines::find(db, id);
    if (!pipeline) {
        return send_error(response, HTTPResponse::HTTP_NOT_FOUND,
                          "no pipeline " + std::to_string(id));
    }
    send_json(response, HTTPResponse::HTTP_OK, pipeline_json(db, *pipeline, true));
}

void create_pipeline(HttpContext& context, Caller& caller, HTTPServerRequest& request,
                     HTTPServerResponse& response) {
    auto object = read_json_body(context, request, response);
    if (!object) return;
    std::string repo_url = object->optValue<std::string>("repo_url", "");
    std::string ref = object->optValue<std::string>("ref", "");
    std::string sha = object->optValue<std::string>("sha", "");
    if (repo_url.empty() || ref.empty()) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "repo_url and ref are required");
    }
    // Each value reaches a URL: the fetch, or GitHub's status API with the token.
    if (auto bad = github::repo_url_problem(repo_url)) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
    }
    if (ref.rfind("refs/", 0) != 0) ref = "refs/heads/" + ref;
    if (auto bad = github::ref_problem(ref)) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
    }
    if (!sha.empty() && !github::is_commit_sha(sha)) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "sha must be a full commit sha: 40 hex digits");
    }
    const std::string repo = repo_name_of(repo_url);
    if (auto bad = github::full_name_problem(repo)) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "repo_url must end in OWNER/NAME: " + *bad);
    }
    auto parameters = read_pipeline_parameters(object);
    if (!parameters) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, parameters.error().message);
    }
    Database& db = thread_database(context.database_file);
    PipelineId id = pipelines::insert(db, {.repo = repo,
                                           .repo_url = repo_url,
                                           .ref = ref,
                                           .sha = sha,
                                           .trigger = "manual",
                                           .created_at = context.clock.wall_ms(),
                                           .retry_of = std::nullopt,
                                           .parameters = *parameters});
    FMG_LOG(info) << "pipeline=" << id << " triggered by hand: " << repo_url << " " << ref
                  << (parameters->empty()
                          ? ""
                          : " with " + std::to_string(parameters->size()) + " parameter(s)");
    context.prepare(id);
    caller.audit_detail = "pipeline " + std::to_string(id) + " (" + repo + " " + ref + ")";
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("id", id);
    send_json(response, HTTPResponse::HTTP_CREATED, answer);
}

void cancel_pipeline(HttpContext& context, int64_t id, HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    // Recorded first, so a restart still carries the cancel out.
    auto request = lifecycle::request_cancel(db, id);
    if (request.refused) {
        bool missing = *request.refused == lifecycle::CancelRefusal::no_pipeline;
        return send_error(response,
                          missing ? HTTPResponse::HTTP_NOT_FOUND : HTTPResponse::HTTP_CONFLICT,
                          request.message);
    }
    context.core_mailbox.post(CancelPipeline{id});
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("id", id);
    send_json(response, HTTPResponse::HTTP_ACCEPTED, answer);
}

void retry_pipeline(HttpContext& context, Caller& caller, int64_t id,
                    HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    auto retried = lifecycle::retry_pipeline(
        db, lifecycle::StatusContext{context.settings.public_url}, id, context.clock.wall_ms());
    if (!retried) {
        bool missing = !pipelines::find(db, id);
        return send_error(response,
                          missing ? HTTPResponse::HTTP_NOT_FOUND : HTTPResponse::HTTP_CONFLICT,
                          retried.error().message);
    }
    if (retried->needs_preparing)
        context.prepare(retried->id);
    else
        context.core_mailbox.post(PipelineReady{retried->id});
    caller.audit_detail = "pipeline " + std::to_string(retried->id);
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("id", retried->id);
    send_json(response, HTTPResponse::HTTP_CREATED, answer);
}

}  // namespace fmg::coordinator::http
