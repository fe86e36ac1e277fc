#include "coordinator/http/webhook_handler.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <optional>
#include <string>

#include "coordinator/constants.h"
#include "coordinator/http/body_budget.h"
#include "coordinator/http/body_reader.h"
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

std::optional<std::string> WebhookHandler::read_signed_body(HTTPServerRequest& request,
                                                            HTTPServerResponse& response,
                                                            const Refuse& refuse) {
    // Everything that can be refused from the head is refused before a byte of the body is
    // read: a stranger's body costs nothing then.
    if (!context_.settings.webhook_secret) {
        refuse(HTTPResponse::HTTP_UNAUTHORIZED, "no_secret",
               "no webhook secret is configured (set WEBHOOK_SECRET or "
               "--webhook-secret-file); every webhook is refused");
        return std::nullopt;
    }
    const auto signature = crypto::parse_github_signature(request.get("X-Hub-Signature-256", ""));
    if (!signature) {
        refuse(HTTPResponse::HTTP_UNAUTHORIZED, "bad_signature",
               "missing or malformed X-Hub-Signature-256 (sha256= and 64 hex digits)");
        return std::nullopt;
    }
    const bool has_length = request.hasContentLength();
    const auto length = has_length ? request.getContentLength64() : Poco::Int64{0};
    if (has_length && (length < 0 || static_cast<uint64_t>(length) > kMaxWebhookBytes)) {
        refuse(HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
               "payload over the 25 MB limit");
        return std::nullopt;
    }
    // A body of known length reserves all of it at once (and its buffer is allocated once); a
    // chunked one reserves its buffer's capacity as it grows.
    auto reservation = context_.unauthenticated_bodies.reserve(static_cast<size_t>(length));
    auto over_budget = [&] {
        response.set("Retry-After", std::to_string(kBodyBudgetRetryAfterSeconds));
        refuse(HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "over_budget",
               "too many webhook bodies are being received; retry later");
    };
    if (!reservation) {
        over_budget();
        return std::nullopt;
    }
    std::string body;
    body.reserve(static_cast<size_t>(length));
    crypto::HmacSha256 mac(*context_.settings.webhook_secret);
    const BodyEnd end = read_body_pieces(
        request, context_.body_deadlines, kMaxWebhookBytes, [&](std::string_view piece) {
            if (body.size() + piece.size() > body.capacity()) {
                const size_t wanted = std::min(
                    std::max(body.capacity() * 2, body.size() + piece.size()), kMaxWebhookBytes);
                if (!reservation->grow(wanted - reservation->bytes())) return false;
                body.reserve(wanted);
            }
            mac.update(piece);
            body.append(piece);
            return true;
        });
    switch (end) {
        case BodyEnd::complete:
            break;
        case BodyEnd::too_large:
            refuse(HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                   "payload over the 25 MB limit");
            return std::nullopt;
        case BodyEnd::stopped:
            over_budget();
            return std::nullopt;
        case BodyEnd::timed_out: {
            const auto allowed =
                body_deadline(has_length ? static_cast<size_t>(length) : kMaxWebhookBytes);
            refuse(HTTPResponse::HTTP_REQUEST_TIMEOUT, "timeout",
                   "body not received within " +
                       std::to_string(
                           std::chrono::duration_cast<std::chrono::seconds>(allowed).count()) +
                       " s");
            return std::nullopt;
        }
        case BodyEnd::truncated:
            refuse(HTTPResponse::HTTP_BAD_REQUEST, "truncated",
                   "body cut short before its Content-Length or last chunk");
            return std::nullopt;
    }
    if (!crypto::digests_equal(mac.finish(), *signature)) {
        refuse(HTTPResponse::HTTP_UNAUTHORIZED, "bad_signature",
               "X-Hub-Signature-256 does not match the body");
        return std::nullopt;
    }
    // Authenticated: its memory no longer counts against strangers' budget.
    reservation->release();
    return body;
}

void WebhookHandler::handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) {
    std::string delivery = request.get("X-GitHub-Delivery", "");
    std::string event = request.get("X-GitHub-Event", "");
    bool body_read = false;
    auto refuse = [&](HTTPResponse::HTTPStatus status, const std::string& result,
                      const std::string& why) {
        FMG_LOG(warn) << "webhook delivery=" << (delivery.empty() ? "-" : delivery)
                      << " event=" << (event.empty() ? "-" : event) << " refused ("
                      << static_cast<int>(status) << "): " << why;
        context_.webhook_counters.count(result);
        // The rest of an unread body must not be taken for the next request.
        if (!body_read) response.setKeepAlive(false);
        send_error(response, status, why);
    };
    if (request.getMethod() != "POST") {
        return refuse(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "bad_method", "use POST");
    }
    auto body = read_signed_body(request, response, refuse);
    if (!body) return;
    body_read = true;

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
    // The delivery and its pipeline are committed together, before the answer (principles:
    // nothing accepted is lost); a repeated delivery finds the same answer.
    // A fork's pull request waits for approval unless its repository trusts forks.
    const bool held = needs_approval(decision, context_.settings.trust_forks);
    db.transaction([&] {
        if (decision.kind == WebhookDecision::Kind::run) {
            created = pipelines::insert(
                db,
                {.repo = decision.repo,
                 .repo_url = decision.repo_url,
                 .ref = decision.ref,
                 .sha = decision.sha,
                 .trigger = decision.trigger,
                 .created_at = context_.clock.wall_ms(),
                 .retry_of = std::nullopt,
                 .fork_repo = held ? std::optional<std::string>(decision.fork_repo) : std::nullopt,
                 .pr_number = decision.pr_number,
                 .parameters = {},
                 .from_fork = decision.from_fork});
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
