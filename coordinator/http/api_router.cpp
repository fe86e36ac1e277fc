#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <charconv>

#include "coordinator/access/required_role.h"
#include "coordinator/http/api_routes.h"
#include "coordinator/store/audit_store.h"
#include "shared/log.h"

namespace fmg::coordinator::http {
namespace {

std::optional<int64_t> parse_id(const std::string& text) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

void dispatch(HttpContext& context, Caller& caller, const Segments& path,
              HTTPServerRequest& request, HTTPServerResponse& response);

/// Records a request that may have changed something, or that was refused for its role, in
/// the audit log. A failure to record is logged, never the request's failure: the answer has
/// been sent.
void record_audit(HttpContext& context, const Caller& caller, HTTPServerRequest& request,
                  HTTPServerResponse& response) {
    const std::string& method = request.getMethod();
    const auto status = response.getStatus();
    if ((method == "GET" || method == "HEAD") && status != HTTPResponse::HTTP_FORBIDDEN) return;
    audit::Entry entry;
    entry.at = context.clock.wall_ms();
    entry.token_id = caller.token_id;
    entry.actor = caller.name;
    entry.role = std::string(role_name(caller.role));
    entry.action = method + " " + Poco::URI(request.getURI()).getPath();
    entry.status = static_cast<int64_t>(status);
    entry.detail = caller.audit_detail;
    try {
        audit::record(thread_database(context.database_file), entry);
    } catch (const std::exception& e) {
        FMG_LOG(error) << "cannot record in the audit log: " << entry.action << " by "
                       << entry.actor << ": " << e.what();
    }
}

}  // namespace

void route_api(HttpContext& context, Caller& caller, HTTPServerRequest& request,
               HTTPServerResponse& response) {
    // What the client got wrong is a 400 wherever it is found, never a 500: a query over
    // Poco's limit of 100 parameters (HTMLFormException) or one that does not decode.
    try {
        Segments path;
        Poco::URI(request.getURI()).getPathSegments(path);
        const Role needed = required_role(request.getMethod(), path);
        if (!role_allows(caller.role, needed)) {
            send_error(response, HTTPResponse::HTTP_FORBIDDEN,
                       "this needs a token with the role " + std::string(role_name(needed)) +
                           "; the token " + caller.name + " has the role " +
                           std::string(role_name(caller.role)));
        } else {
            dispatch(context, caller, path, request, response);
        }
    } catch (const Poco::Net::HTMLFormException& e) {
        if (!response.sent()) {
            send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                       "malformed query: " + e.displayText());
        }
    } catch (const Poco::SyntaxException& e) {
        if (!response.sent()) {
            send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                       "malformed request target: " + e.displayText());
        }
    }
    record_audit(context, caller, request, response);
}

namespace {

void dispatch(HttpContext& context, Caller& caller, const Segments& path,
              HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::string& method = request.getMethod();
    auto wrong_method = [&] {
        send_error(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
                   method + " is not allowed on " + Poco::URI(request.getURI()).getPath());
    };
    // path[0..1] is "api", "v1".
    if (path.size() >= 3 && path[2] == "pipelines") {
        if (path.size() == 3) {
            if (method == "GET") return list_pipelines(context, request, response);
            if (method == "POST") return create_pipeline(context, caller, request, response);
            return wrong_method();
        }
        auto id = parse_id(path[3]);
        if (!id)
            return send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no pipeline " + path[3]);
        if (path.size() == 4) {
            if (method == "GET") return show_pipeline(context, *id, response);
            return wrong_method();
        }
        if (path.size() == 5 && (path[4] == "cancel" || path[4] == "retry")) {
            if (method != "POST") return wrong_method();
            if (path[4] == "cancel") return cancel_pipeline(context, *id, response);
            return retry_pipeline(context, caller, *id, response);
        }
        if (path.size() == 5 && path[4] == "approve") {
            if (method != "POST") return wrong_method();
            return approve_pipeline(context, caller, *id, std::nullopt, response);
        }
        if (path.size() == 7 && path[4] == "jobs" && path[6] == "approve") {
            if (method != "POST") return wrong_method();
            return approve_pipeline(context, caller, *id, path[5], response);
        }
        if (path.size() >= 7 && path[4] == "jobs" && path[6] == "artifacts") {
            if (method != "GET") return wrong_method();
            if (path.size() == 7) return list_artifacts(context, *id, path[5], response);
            std::string artifact = path[7];
            for (size_t i = 8; i < path.size(); ++i) artifact += "/" + path[i];
            return get_artifact(context, *id, path[5], artifact, request, response);
        }
        if (path.size() == 7 && path[4] == "jobs" && path[6] == "log") {
            if (method != "GET") return wrong_method();
            return job_log(context, *id, path[5], request, response);
        }
    }
    if (path.size() == 3 && (path[2] == "caches" || path[2] == "evictions")) {
        if (method != "GET") return wrong_method();
        if (path[2] == "caches") return list_caches(context, request, response);
        return list_evictions(context, request, response);
    }
    if (path.size() >= 3 && path[2] == "runners") {
        if (path.size() == 3) {
            if (method == "GET") return list_runners(context, response);
            if (method == "POST") return register_runner(context, caller, request, response);
            return wrong_method();
        }
        if (path.size() == 4) {
            if (method == "DELETE") return revoke_runner(context, path[3], response);
            return wrong_method();
        }
    }
    if (path.size() >= 3 && path[2] == "tokens") {
        if (path.size() == 3) {
            if (method == "GET") return list_tokens(context, response);
            if (method == "POST") return create_token(context, caller, request, response);
            return wrong_method();
        }
        if (path.size() == 4) {
            if (method != "DELETE") return wrong_method();
            auto id = parse_id(path[3]);
            if (!id)
                return send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no token " + path[3]);
            return revoke_token(context, *id, response);
        }
    }
    if (path.size() == 3 && path[2] == "contexts") {
        if (method != "GET") return wrong_method();
        return list_contexts(context, response);
    }
    // contexts/CTX/secrets[/NAME] and repos/OWNER/NAME/secrets[/NAME]
    if (path.size() >= 5 && (path[2] == "contexts" || path[2] == "repos")) {
        const bool repository = path[2] == "repos";
        const size_t rest = repository ? 5 : 4;
        if (path.size() > rest && path[rest] == "secrets") {
            const auto scope = repository ? secrets::repository_scope(path[3] + "/" + path[4])
                                          : secrets::context_scope(path[3]);
            if (path.size() == rest + 1) {
                if (method != "GET") return wrong_method();
                return list_secrets(context, scope, response);
            }
            if (path.size() == rest + 2) {
                if (method == "PUT")
                    return set_secret(context, caller, scope, path[rest + 1], request, response);
                if (method == "DELETE")
                    return delete_secret(context, caller, scope, path[rest + 1], response);
                return wrong_method();
            }
        }
    }
    if (path.size() == 4 && path[2] == "secrets-key" && path[3] == "rotate") {
        if (method != "POST") return wrong_method();
        return rotate_key(context, caller, response);
    }
    if (path.size() == 3 && path[2] == "audit") {
        if (method != "GET") return wrong_method();
        return list_audit(context, request, response);
    }
    send_error(response, HTTPResponse::HTTP_NOT_FOUND,
               "no such endpoint: " + Poco::URI(request.getURI()).getPath());
}

}  // namespace

}  // namespace fmg::coordinator::http
