#include "coordinator/http/webhook_handler.h"

#include <Poco/JSON/Parser.h>

#include "coordinator/constants.h"
#include "coordinator/http/responses.h"
#include "coordinator/http/webhook_events.h"
#include "coordinator/store/outbox_store.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/crypto.h"
#include "shared/log.h"

namespace fmg::coordinator::http {
namespace {

std::string json_text(const Poco::JSON::Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return out.str() + "\n";
}

}  // namespace

void WebhookHandler::handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) {
    std::string delivery = request.get("X-GitHub-Delivery", "");
    std::string event = request.get("X-GitHub-Event", "");
    auto refuse = [&](HTTPResponse::HTTPStatus status, const std::string& result,
                      const std::string& why) {
        FMG_LOG(warn) << "webhook delivery=" << (delivery.empty() ? "-" : delivery)
                      << " event=" << (event.empty() ? "-" : event) << " refused ("
                      << static_cast<int>(status) << "): " << why;
        context_.webhook_counters.count(result);
        send_error(response, status, why);
    };
    if (request.getMethod() != "POST") {
        return refuse(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "bad_method", "use POST");
    }
    auto body = read_body(request, kMaxWebhookBytes);
    if (!body) {
        return refuse(HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "too_large",
                      "payload over the 25 MB limit");
    }
    if (!context_.settings.webhook_secret) {
        return refuse(HTTPResponse::HTTP_UNAUTHORIZED, "no_secret",
                      "no webhook secret is configured (set WEBHOOK_SECRET or "
                      "--webhook-secret-file); every webhook is refused");
    }
    if (!crypto::github_signature_valid(*context_.settings.webhook_secret, *body,
                                        request.get("X-Hub-Signature-256", ""))) {
        return refuse(HTTPResponse::HTTP_UNAUTHORIZED, "bad_signature",
                      "missing or invalid X-Hub-Signature-256");
    }

    Database& db = thread_database(context_.database_file);
    if (!delivery.empty()) {
        if (auto earlier = deliveries::find(db, delivery)) {
            FMG_LOG(info) << "webhook delivery=" << delivery << " seen before; same answer";
            context_.webhook_counters.count("duplicate");
            return send_text(response, static_cast<HTTPResponse::HTTPStatus>(earlier->status_code),
                             earlier->body, "application/json");
        }
    }

    WebhookDecision decision = decide_webhook(event, *body);
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK;
    std::optional<PipelineId> created;
    switch (decision.kind) {
        case WebhookDecision::Kind::bad_request:
            return refuse(HTTPResponse::HTTP_BAD_REQUEST, "bad_request", decision.reason);
        case WebhookDecision::Kind::pong:
            answer->set("ok", "pong");
            break;
        case WebhookDecision::Kind::ignore:
            answer->set("ignored", decision.reason);
            break;
        case WebhookDecision::Kind::run:
            status = HTTPResponse::HTTP_ACCEPTED;
            break;
    }
    // The delivery and its pipeline are committed together, before the answer (DESIGN
    // "Nothing accepted is lost"); a repeated delivery finds the same answer.
    // A fork's pull request waits for approval unless its repository trusts forks.
    const bool held = needs_approval(decision, context_.settings.trust_forks);
    db.transaction([&] {
        if (decision.kind == WebhookDecision::Kind::run) {
            created = pipelines::insert(
                db, {decision.repo, decision.repo_url, decision.ref, decision.sha, decision.trigger,
                     context_.clock.wall_ms(), std::nullopt,
                     held ? std::optional<std::string>(decision.fork_repo) : std::nullopt});
            answer->set("pipeline_id", *created);
        }
        if (!delivery.empty()) {
            deliveries::record(db, delivery, {static_cast<int>(status), json_text(answer)},
                               context_.clock.wall_ms());
        }
    });
    context_.webhook_counters.count(created                                        ? "pipeline"
                                    : decision.kind == WebhookDecision::Kind::pong ? "ping"
                                                                                   : "ignored");
    if (created) {
        FMG_LOG(info) << "webhook delivery=" << delivery << " " << decision.trigger << " "
                      << decision.repo << " " << decision.ref << " @ " << decision.sha.substr(0, 7)
                      << " -> pipeline=" << *created
                      << (held ? " (from fork " + decision.fork_repo + "; jobs wait for approval)"
                          : decision.from_fork ? " (from fork " + decision.fork_repo +
                                                     "; the repository trusts forks)"
                                               : "");
        context_.prepare(*created);
    } else {
        FMG_LOG(info) << "webhook delivery=" << delivery << " event=" << event << ": "
                      << (decision.kind == WebhookDecision::Kind::pong ? "ping" : decision.reason);
    }
    send_text(response, status, json_text(answer), "application/json");
}

}  // namespace fmg::coordinator::http
