// GET /api/v1/caches[?repo=OWNER/NAME&limit=N]   the caches save_cache steps stored
// (docs/files.md), newest first: what a restore_cache step can find, and how big each is.
// GET /api/v1/evictions[?pipeline=ID&limit=N]     what retention and the store's quota
// removed, newest first, and why.

#include <Poco/JSON/Array.h>
#include <Poco/Net/HTMLForm.h>

#include <optional>

#include "coordinator/http/api_routes.h"
#include "coordinator/store/cache_store.h"
#include "coordinator/store/retention_store.h"
#include "shared/time_format.h"

namespace fmg::coordinator::http {
void list_caches(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response) {
    Poco::Net::HTMLForm query(request);
    auto limit = integer_parameter(query, "limit", 100, 1, 1000, response);
    if (!limit) return;
    const std::string repo = query.get("repo", "");
    Database& db = thread_database(context.database_file);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& row : caches::list(db, repo, *limit)) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("repo", row.repo);
        item->set("key", row.key);
        item->set("size", row.size);
        item->set("created_at", format_rfc3339_ms(row.created_at));
        item->set("last_used_at", format_rfc3339_ms(row.last_used_at));
        list->add(item);
    }
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("caches", list);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

void list_evictions(HttpContext& context, HTTPServerRequest& request,
                    HTTPServerResponse& response) {
    Poco::Net::HTMLForm query(request);
    auto limit = integer_parameter(query, "limit", 100, 1, 1000, response);
    if (!limit) return;
    std::optional<int64_t> pipeline;
    if (query.has("pipeline")) {
        pipeline = integer_parameter(query, "pipeline", 0, 1, std::numeric_limits<int64_t>::max(),
                                     response);
        if (!pipeline) return;
    }
    Database& db = thread_database(context.database_file);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& row : retention::evictions(db, pipeline, *limit)) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("kind", row.kind);
        item->set("repo", row.repo);
        if (row.pipeline_id) {
            item->set("pipeline_id", *row.pipeline_id);
        } else {
            item->set("pipeline_id", Poco::Dynamic::Var());
        }
        if (row.job) {
            item->set("job", *row.job);
        } else {
            item->set("job", Poco::Dynamic::Var());
        }
        item->set("name", row.name);
        item->set("size", row.size);
        item->set("reason", row.reason);
        item->set("evicted_at", format_rfc3339_ms(row.evicted_at));
        list->add(item);
    }
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("evictions", list);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

}  // namespace fmg::coordinator::http
