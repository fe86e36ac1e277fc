// GET /api/v1/caches[?repo=OWNER/NAME&limit=N]   the caches save_cache steps stored
// (docs/files.md), newest first: what a restore_cache step can find, and how big each is.

#include <Poco/JSON/Array.h>
#include <Poco/Net/HTMLForm.h>

#include <charconv>

#include "coordinator/http/api_routes.h"
#include "coordinator/store/cache_store.h"
#include "shared/time_format.h"

namespace fmg::coordinator::http {

void list_caches(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response) {
    Poco::Net::HTMLForm query(request);
    int64_t limit = 100;
    if (query.has("limit")) {
        const std::string& text = query.get("limit");
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > 1000) {
            return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                              "limit must be an integer from 1 to 1000");
        }
    }
    const std::string repo = query.get("repo", "");
    Database& db = thread_database(context.database_file);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& row : caches::list(db, repo, limit)) {
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

}  // namespace fmg::coordinator::http
