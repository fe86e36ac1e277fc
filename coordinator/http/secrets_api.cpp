// Secrets of contexts and repositories (docs/security.md "Secrets"); admin only
// (access/required_role.h). SCOPE is `contexts/CTX` or `repos/OWNER/NAME`.
// GET    /api/v1/contexts                       {"contexts": [{"name","secrets","updated_at"}]}
// GET    /api/v1/SCOPE/secrets                  {"context" or "repository", "secrets": [{"name",
//                                                "created_at","updated_at","updated_by"}]}:
//                                                never a value
// PUT    /api/v1/SCOPE/secrets/NAME (raw)       201 created, 200 replaced
// DELETE /api/v1/SCOPE/secrets/NAME             204; 404
// POST   /api/v1/secrets-key/rotate             200 {"key_id","resealed"}
// No answer, error or log line ever holds a value.

#include <Poco/JSON/Array.h>
#include <openssl/crypto.h>

#include "coordinator/http/api_routes.h"
#include "coordinator/secrets/rotation.h"
#include "coordinator/store/secret_store.h"
#include "shared/log.h"
#include "shared/time_format.h"

namespace fmg::coordinator::http {
namespace {

/// Checks the scope's and the secret's names; answers 400 and returns false when one breaks
/// its rule.
bool names_valid(const secrets::Scope& scope, const std::string* name,
                 HTTPServerResponse& response) {
    if (auto bad = secrets::scope_problem(scope)) {
        send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
        return false;
    }
    if (name != nullptr) {
        if (auto bad = secrets::name_problem(*name)) {
            send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
            return false;
        }
    }
    return true;
}

/// The answer's key that names the scope.
const char* scope_key(const secrets::Scope& scope) {
    return scope.kind == secrets::Scope::Kind::context ? "context" : "repository";
}

}  // namespace

void list_contexts(HttpContext& context, HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& found : secrets::contexts(db)) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("name", found.name);
        item->set("secrets", found.secrets);
        item->set("updated_at", format_rfc3339_ms(found.updated_at));
        list->add(item);
    }
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("contexts", list);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

void list_secrets(HttpContext& context, const secrets::Scope& scope, HTTPServerResponse& response) {
    if (!names_valid(scope, nullptr, response)) return;
    Database& db = thread_database(context.database_file);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& secret : secrets::list(db, scope)) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("name", secret.name);
        item->set("created_at", format_rfc3339_ms(secret.created_at));
        item->set("updated_at", format_rfc3339_ms(secret.updated_at));
        item->set("updated_by", secret.updated_by);
        list->add(item);
    }
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set(scope_key(scope), scope.name);
    body->set("secrets", list);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

void set_secret(HttpContext& context, Caller& caller, const secrets::Scope& scope,
                const std::string& name, HTTPServerRequest& request, HTTPServerResponse& response) {
    if (!names_valid(scope, &name, response)) return;
    BodyRead read = read_body(context, request, secrets::kMaxSecretBytes);
    if (read.end != BodyEnd::complete) {
        response.setKeepAlive(false);
        const bool large = read.end == BodyEnd::too_large;
        OPENSSL_cleanse(read.body.data(), read.body.size());
        return send_error(
            response,
            large ? HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE : HTTPResponse::HTTP_BAD_REQUEST,
            large ? "a secret's value has at most " + std::to_string(secrets::kMaxSecretBytes) +
                        " bytes"
                  : "the value was not received whole");
    }
    if (auto bad = secrets::value_problem(read.body)) {
        OPENSSL_cleanse(read.body.data(), read.body.size());
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
    }
    Database& db = thread_database(context.database_file);
    const bool created = secrets::set(db, context.keyring, scope, name, read.body, caller.name,
                                      context.clock.wall_ms());
    OPENSSL_cleanse(read.body.data(), read.body.size());
    caller.audit_detail =
        "secret " + name + " of " + scope.described() + (created ? " created" : " replaced");
    FMG_LOG(info) << "secret " << name << " of " << scope.described()
                  << (created ? " created" : " replaced") << " by " << caller.name;
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set(scope_key(scope), scope.name);
    answer->set("name", name);
    answer->set("created", created);
    send_json(response, created ? HTTPResponse::HTTP_CREATED : HTTPResponse::HTTP_OK, answer);
}

void delete_secret(HttpContext& context, Caller& caller, const secrets::Scope& scope,
                   const std::string& name, HTTPServerResponse& response) {
    if (!names_valid(scope, &name, response)) return;
    Database& db = thread_database(context.database_file);
    if (!secrets::remove(db, scope, name)) {
        return send_error(response, HTTPResponse::HTTP_NOT_FOUND,
                          scope.described() + " has no secret " + name);
    }
    caller.audit_detail = "secret " + name + " of " + scope.described() + " removed";
    FMG_LOG(info) << "secret " << name << " of " << scope.described() << " removed";
    response.setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
    response.send();
}

void rotate_key(HttpContext& context, Caller& caller, HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    auto rotated = rotate_secrets_key(db, context.keyring);
    if (!rotated) {
        return send_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR,
                          "the secrets key was not rotated: " + rotated.error().message);
    }
    caller.audit_detail = "secrets key " + std::to_string(rotated->key_id) + ", " +
                          std::to_string(rotated->resealed) + " secret(s) sealed again";
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("key_id", rotated->key_id);
    answer->set("resealed", rotated->resealed);
    send_json(response, HTTPResponse::HTTP_OK, answer);
}

}  // namespace fmg::coordinator::http
