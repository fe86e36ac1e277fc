// The blob store's retention and quota (docs/files.md), in the agent loop: the thread that
// stores blobs is the one that removes them, so a blob is never deleted between being stored
// and being recorded.

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/store/retention_store.h"
#include "shared/log.h"

namespace fmg::coordinator {

void AgentLoop::sweep_store() {
    const int64_t now = clock_.wall_ms();
    const retention::Policy policy{settings_.artifact_retention_days,
                                   settings_.workspace_retention_days,
                                   settings_.cache_retention_days};
    const int expired = retention::expire(db_, policy, now);
    if (settings_.store_quota_bytes > 0) {
        make_room(0);  // releases what nothing refers to, then evicts while over the quota
    } else {
        const auto released = retention::release_unreferenced(db_);
        for (const auto& digest : released) blobs_.remove(digest);
        if (!released.empty()) {
            FMG_LOG(info) << "store: " << released.size() << " blob(s) nothing refers to deleted";
        }
    }
    if (expired > 0) {
        FMG_LOG(info) << "store: " << expired << " file(s) past their retention evicted";
    }
}

bool AgentLoop::make_room(int64_t room) {
    std::set<int64_t> in_use;
    for (const auto& [attempt, ids] : caches_in_use_) in_use.insert(ids.begin(), ids.end());
    auto made =
        retention::make_room(db_, settings_.store_quota_bytes, room, in_use, clock_.wall_ms());
    for (const auto& digest : made.released) blobs_.remove(digest);
    stored_bytes_ = retention::stored_bytes(db_);
    if (!made.released.empty()) {
        FMG_LOG(info) << "store: " << made.released.size() << " blob(s) deleted; " << stored_bytes_
                      << " bytes stored";
    }
    return made.fits;
}

}  // namespace fmg::coordinator
