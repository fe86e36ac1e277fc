// The agent loop's handlers for caches (PROTOCOL.md 11.1): an attempt looks caches of its
// pipeline's repository up and stores new ones there, never replacing one. The scope comes
// from the coordinator's own records, never from the agent, so a runner reaches no other
// repository's caches; a pull request from a fork (one that needed approval) has a scope of
// its own, so code from a fork can neither poison the caches the repository's own builds
// restore nor read them.

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/store/cache_store.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator {
namespace {

protocol::CacheAnswer answer_with(const protocol::AttemptId attempt, uint64_t request,
                                  const caches::CacheRow& cache) {
    protocol::CacheAnswer answer{attempt, request, cache.key, {}, false, ""};
    for (const auto& part : cache.parts) {
        answer.parts.push_back({part.path, part.sha256, static_cast<uint64_t>(part.size)});
    }
    return answer;
}

}  // namespace

std::optional<std::string> AgentLoop::cache_scope(AttemptId attempt) {
    auto row = pipelines::find_attempt(db_, attempt);
    if (!row) return std::nullopt;
    auto job = pipelines::find_job(db_, row->job_id);
    if (!job) return std::nullopt;
    auto pipeline = pipelines::find(db_, job->pipeline_id);
    if (!pipeline) return std::nullopt;
    if (pipeline->fork_repo) {
        return pipeline->repo +
               " fork:" + (pipeline->fork_repo->empty() ? "(deleted)" : *pipeline->fork_repo);
    }
    return pipeline->repo;
}

void AgentLoop::on_cache_find(AgentSession& session, const protocol::CacheFind& find) {
    if (!guard_attempt(session, find.attempt_id, "cache_find")) return;
    protocol::CacheAnswer answer{find.attempt_id, find.request_id, "", {}, false, ""};
    auto repo = cache_scope(find.attempt_id);
    if (!repo) {
        answer.error = "the coordinator has no record of this attempt's repository";
        send(session.routing_id, answer);
        return;
    }
    std::optional<caches::CacheRow> found =
        find.exact ? caches::find_exact(db_, *repo, find.keys.front())
                   : caches::find_for_restore(db_, *repo, find.keys, clock_.wall_ms());
    if (found) {
        answer = answer_with(find.attempt_id, find.request_id, *found);
        // It may be fetched from now until the attempt ends: the quota must not evict it, and
        // its blobs are readable without asking the store again for every range.
        if (!find.exact) {
            caches_in_use_[find.attempt_id].insert(found->id);
            readable_blobs(find.attempt_id);  // computed first, so the parts join the layers
            for (const auto& part : found->parts) {
                readable_blobs_[find.attempt_id].insert(part.sha256);
            }
        }
    }
    FMG_LOG(debug) << "attempt=" << find.attempt_id << " cache lookup in " << *repo << ": "
                   << (found ? "found " + found->key : std::string("none"));
    send(session.routing_id, answer);
}

void AgentLoop::on_cache_save(AgentSession& session, const protocol::CacheSave& save) {
    if (!guard_attempt(session, save.attempt_id, "cache_save")) return;
    protocol::CacheAnswer answer{save.attempt_id, save.request_id, save.key, {}, false, ""};
    auto repo = cache_scope(save.attempt_id);
    if (!repo) {
        answer.error = "the coordinator has no record of this attempt's repository";
        send(session.routing_id, answer);
        return;
    }
    auto saved = caches::save(db_, *repo, save.key, save.attempt_id, save.upload_ids,
                              settings_.max_cache_bytes, clock_.wall_ms());
    if (!saved) {
        answer.error = saved.error().message;
    } else {
        answer.existed = *saved == caches::SaveOutcome::existed;
        FMG_LOG(info) << "attempt=" << save.attempt_id << " cache " << save.key << " of " << *repo
                      << (answer.existed ? " existed: kept as it was" : " stored");
    }
    send(session.routing_id, answer);
}

}  // namespace fmg::coordinator
