// The API tokens and the audit log (docs/security.md "People and tokens"); admin only
// (access/required_role.h).
// GET    /api/v1/tokens                   every token: id, name, role, dates; never a value
// POST   /api/v1/tokens {"name","role"}   201 {"id","token","role"}: the token, shown this once
// DELETE /api/v1/tokens/ID                204; 409 for the last admin token
// GET    /api/v1/audit[?limit=N&before=ID] who changed what and when, newest first

#include <Poco/JSON/Array.h>

#include "coordinator/http/api_routes.h"
#include "coordinator/store/audit_store.h"
#include "coordinator/store/token_store.h"
#include "shared/log.h"
#include "shared/time_format.h"

namespace fmg::coordinator::http {
namespace {

Poco::Dynamic::Var optional_time(const std::optional<int64_t>& at) {
    if (!at) return Poco::Dynamic::Var();
    return format_rfc3339_ms(*at);
}

Poco::JSON::Object::Ptr token_json(const tokens::TokenRow& token) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("id", token.id);
    item->set("name", token.name);
    item->set("role", std::string(role_name(token.role)));
    item->set("created_at", format_rfc3339_ms(token.created_at));
    item->set("created_by", token.created_by);
    item->set("last_used_at", optional_time(token.last_used_at));
    item->set("revoked_at", optional_time(token.revoked_at));
    return item;
}

}  // namespace

void list_tokens(HttpContext& context, HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& token : tokens::all(db)) list->add(token_json(token));
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("tokens", list);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

void create_token(HttpContext& context, Caller& caller, HTTPServerRequest& request,
                  HTTPServerResponse& response) {
    auto object = read_json_body(context, request, response);
    if (!object) return;
    auto name = object->get("name");
    if (!name.isString()) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, "name must be a string");
    }
    if (auto bad = tokens::name_problem(name.extract<std::string>())) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
    }
    auto role_value = object->get("role");
    std::optional<Role> role;
    if (role_value.isString()) role = parse_role(role_value.extract<std::string>());
    if (!role) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "role must be viewer, trigger or admin");
    }
    Database& db = thread_database(context.database_file);
    auto issued = tokens::create(db, name.extract<std::string>(), *role, caller.name,
                                 context.clock.wall_ms());
    caller.audit_detail = "token " + std::to_string(issued.row.id) + " (" + issued.row.name + ", " +
                          std::string(role_name(*role)) + ")";
    FMG_LOG(info) << "token " << issued.row.id << " (" << issued.row.name << ", "
                  << role_name(*role) << ") created by " << caller.name;
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("id", issued.row.id);
    answer->set("name", issued.row.name);
    answer->set("token", issued.token);
    answer->set("role", std::string(role_name(*role)));
    send_json(response, HTTPResponse::HTTP_CREATED, answer);
}

void revoke_token(HttpContext& context, int64_t id, HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    switch (tokens::revoke(db, id, context.clock.wall_ms())) {
        case tokens::Revoked::not_found:
            return send_error(response, HTTPResponse::HTTP_NOT_FOUND,
                              "no token " + std::to_string(id));
        case tokens::Revoked::last_admin:
            return send_error(response, HTTPResponse::HTTP_CONFLICT,
                              "token " + std::to_string(id) +
                                  " is the last admin token: create another admin token first");
        case tokens::Revoked::revoked:
            FMG_LOG(info) << "token " << id << " revoked";
            break;
        case tokens::Revoked::already:
            break;  // revoking twice leaves it revoked: the same answer
    }
    response.setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
    response.send();
}

void list_audit(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response) {
    Poco::Net::HTMLForm query(request);
    auto limit = integer_parameter(query, "limit", 100, 1, 1000, response);
    if (!limit) return;
    std::optional<int64_t> before;
    if (query.has("before")) {
        before = integer_parameter(query, "before", 0, 1, INT64_MAX, response);
        if (!before) return;
    }
    Database& db = thread_database(context.database_file);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& entry : audit::recent(db, *limit, before)) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("id", entry.id);
        item->set("at", format_rfc3339_ms(entry.at));
        item->set("token_id",
                  entry.token_id ? Poco::Dynamic::Var(*entry.token_id) : Poco::Dynamic::Var());
        item->set("actor", entry.actor);
        item->set("role", entry.role);
        item->set("action", entry.action);
        item->set("status", entry.status);
        item->set("detail", entry.detail);
        list->add(item);
    }
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("entries", list);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

}  // namespace fmg::coordinator::http
