// fmg caches [--repo OWNER/NAME]: the caches save_cache steps stored, newest first, one line
// each: key, size, when stored and when a restore last took it.
// fmg evictions [--pipeline ID]: what retention and the store's quota removed, and why.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <iomanip>
#include <optional>
#include <sstream>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

struct CacheView {
    std::string repo;
    std::string key;
    int64_t size = 0;
    std::string created_at;
    std::string last_used_at;
};

ApiResult<std::vector<CacheView>> decode_caches(const JsonReply& reply) {
    std::vector<CacheView> items;
    try {
        auto list = reply.json.extract<Poco::JSON::Object::Ptr>()->getArray("caches");
        if (!list) throw Poco::Exception("no \"caches\" array");
        for (size_t i = 0; i < list->size(); ++i) {
            auto item = list->getObject(static_cast<unsigned>(i));
            if (!item) throw Poco::Exception("an item is not an object");
            items.push_back({item->getValue<std::string>("repo"),
                             item->getValue<std::string>("key"), item->getValue<int64_t>("size"),
                             item->getValue<std::string>("created_at"),
                             item->getValue<std::string>("last_used_at")});
        }
    } catch (const Poco::Exception& e) {
        return ApiError{exit_code::kFailed,
                        "the coordinator's cache list does not decode: " + e.displayText()};
    }
    return items;
}

/// Bytes as people read them: 512 B, 1.5 KiB, 200.0 MiB.
std::string size_text(int64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes) / 1024;
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << value << " " << units[unit];
    return out.str();
}

int run_caches(const CommandContext& context) {
    std::string target = "/api/v1/caches?limit=1000";
    if (auto repo = context.options.get("repo")) {
        std::string encoded;
        Poco::URI::encode(*repo, "&=+#?/", encoded);
        target += "&repo=" + encoded;
    }
    auto reply = context.api.get(target);
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto caches = decode_caches(*reply);
    if (!caches) return report(context, caches.error());
    for (const CacheView& cache : *caches) {
        context.console.out << cache.repo << "  " << cache.key << "  " << size_text(cache.size)
                            << "  stored " << display_time(cache.created_at) << "  used "
                            << display_time(cache.last_used_at) << "\n";
    }
    if (caches->empty()) context.console.err << "no caches\n";
    return exit_code::kOk;
}

struct EvictionView {
    std::string kind;
    std::string repo;
    std::optional<int64_t> pipeline_id;
    std::string job;
    std::string name;
    int64_t size = 0;
    std::string reason;
    std::string evicted_at;
};

ApiResult<std::vector<EvictionView>> decode_evictions(const JsonReply& reply) {
    std::vector<EvictionView> items;
    try {
        auto list = reply.json.extract<Poco::JSON::Object::Ptr>()->getArray("evictions");
        if (!list) throw Poco::Exception("no \"evictions\" array");
        for (size_t i = 0; i < list->size(); ++i) {
            auto item = list->getObject(static_cast<unsigned>(i));
            if (!item) throw Poco::Exception("an item is not an object");
            EvictionView view;
            view.kind = item->getValue<std::string>("kind");
            view.repo = item->getValue<std::string>("repo");
            if (!item->isNull("pipeline_id")) {
                view.pipeline_id = item->getValue<int64_t>("pipeline_id");
            }
            if (!item->isNull("job")) view.job = item->getValue<std::string>("job");
            view.name = item->getValue<std::string>("name");
            view.size = item->getValue<int64_t>("size");
            view.reason = item->getValue<std::string>("reason");
            view.evicted_at = item->getValue<std::string>("evicted_at");
            items.push_back(std::move(view));
        }
    } catch (const Poco::Exception& e) {
        return ApiError{exit_code::kFailed,
                        "the coordinator's eviction list does not decode: " + e.displayText()};
    }
    return items;
}

int run_evictions(const CommandContext& context) {
    std::string target = "/api/v1/evictions?limit=1000";
    if (auto pipeline = context.options.get("pipeline")) {
        auto id = parse_id(*pipeline);
        if (!id) return usage_error(context, "--pipeline takes a pipeline id");
        target += "&pipeline=" + std::to_string(*id);
    }
    auto reply = context.api.get(target);
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto evictions = decode_evictions(*reply);
    if (!evictions) return report(context, evictions.error());
    for (const EvictionView& eviction : *evictions) {
        std::string where = eviction.repo;
        if (eviction.pipeline_id) {
            where += " #" + std::to_string(*eviction.pipeline_id) + " " + eviction.job;
        }
        context.console.out << display_time(eviction.evicted_at) << "  " << eviction.kind << "  "
                            << where << "  " << eviction.name << "  " << size_text(eviction.size)
                            << "  " << eviction.reason << "\n";
    }
    if (evictions->empty()) context.console.err << "nothing was evicted\n";
    return exit_code::kOk;
}

}  // namespace

Command evictions_command() {
    return {
        "evictions",
        "[--pipeline ID]",
        "what retention and the store's quota removed (artifacts, workspaces, test results, "
        "caches), newest first, and why",
        {{"pipeline", "ID", "", "", "only what this pipeline's jobs stored", options::non_empty()}},
        0,
        0,
        run_evictions};
}

Command caches_command() {
    return {"caches",
            "[--repo OWNER/NAME]",
            "the caches save_cache steps stored, newest first (key, size, stored, last used)",
            {{"repo", "OWNER/NAME", "", "", "only this repository's caches", options::non_empty()}},
            0,
            0,
            run_caches};
}

}  // namespace fmg::cli
