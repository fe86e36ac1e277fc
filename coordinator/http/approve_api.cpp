// POST /api/v1/pipelines/ID/approve and POST /api/v1/pipelines/ID/jobs/NAME/approve: a
// person with the right releases the jobs of a fork's pull request held for approval, or
// approves an approval job (lifecycle/approval.h, SPEC "REST API").

#include <Poco/JSON/Array.h>

#include "coordinator/http/api_routes.h"
#include "coordinator/lifecycle/approval.h"
#include "shared/log.h"

namespace fmg::coordinator::http {

void approve_pipeline(HttpContext& context, const Caller& caller, int64_t id,
                      const std::optional<std::string>& job, HTTPServerResponse& response) {
    // The router let only a token of role trigger or admin through: its name is the approver.
    const std::string& approver = caller.name;
    Database& db = thread_database(context.database_file);
    auto outcome = lifecycle::approve(db, lifecycle::StatusContext{context.settings.public_url}, id,
                                      job, approver, context.clock.wall_ms());
    if (outcome.refused) {
        bool missing = *outcome.refused != lifecycle::ApproveRefusal::nothing_held;
        return send_error(response,
                          missing ? HTTPResponse::HTTP_NOT_FOUND : HTTPResponse::HTTP_CONFLICT,
                          outcome.message);
    }
    // The released jobs, and those after a passed approval job, are queued in the store; the
    // event loop dispatches them.
    context.core_mailbox.post(PipelineReady{id});
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("id", id);
    Poco::JSON::Array::Ptr approved = new Poco::JSON::Array;
    Poco::JSON::Array::Ptr passed = new Poco::JSON::Array;
    for (const auto& name : outcome.released) approved->add(name);
    for (const auto& name : outcome.passed) {
        approved->add(name);
        passed->add(name);
    }
    answer->set("approved", approved);
    // The approval jobs among them, which succeeded rather than being queued.
    answer->set("passed", passed);
    answer->set("approved_by", approver);
    send_json(response, HTTPResponse::HTTP_ACCEPTED, answer);
}

}  // namespace fmg::coordinator::http
