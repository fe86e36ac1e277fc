#include "coordinator/store/workspace_store.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "coordinator/store/blob_rows.h"
#include "coordinator/store/pipeline_store.h"

namespace fmg::coordinator::workspaces {

void record_layer(Database& db, const NewLayer& layer, int64_t now) {
    db.transaction([&] {
        blobs::record(db, layer.sha256, layer.size, now);
        db.prepare(
              "INSERT OR IGNORE INTO workspace_layers (attempt_id, upload_id, sha256, size, root, "
              "created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, layer.attempt_id)
            .bind(2, static_cast<int64_t>(layer.upload_id))
            .bind(3, layer.sha256)
            .bind(4, layer.size)
            .bind(5, layer.root)
            .bind(6, now)
            .run();
    });
}

bool layer_recorded(Database& db, int64_t attempt_id, uint64_t upload_id) {
    auto query =
        db.prepare("SELECT 1 FROM workspace_layers WHERE attempt_id = ? AND upload_id = ?");
    query.bind(1, attempt_id).bind(2, static_cast<int64_t>(upload_id));
    return query.step();
}

std::vector<std::string> layers_for(Database& db, const JobRow& job) {
    std::map<std::string, JobRow> by_name;
    for (JobRow& row : pipelines::jobs_of(db, job.pipeline_id)) {
        by_name.emplace(row.name, std::move(row));
    }
    // Every job this one requires, directly or through others.
    std::set<std::string> upstream;
    std::vector<std::string> pending = job.required_jobs;
    while (!pending.empty()) {
        std::string name = std::move(pending.back());
        pending.pop_back();
        if (!upstream.insert(name).second) continue;
        auto found = by_name.find(name);
        if (found == by_name.end()) continue;
        for (const auto& required : found->second.required_jobs) pending.push_back(required);
    }
    // (stored at, upload id, digest) of each layer of their current attempts.
    std::vector<std::tuple<int64_t, int64_t, std::string>> rows;
    for (const std::string& name : upstream) {
        auto query = db.prepare(
            "SELECT l.created_at, l.upload_id, l.sha256 FROM workspace_layers l JOIN jobs j ON "
            "j.current_attempt_id = l.attempt_id WHERE j.pipeline_id = ? AND j.name = ?");
        query.bind(1, job.pipeline_id).bind(2, name);
        while (query.step()) rows.emplace_back(query.integer(0), query.integer(1), query.text(2));
    }
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> layers;
    for (auto& [at, upload, digest] : rows) layers.push_back(std::move(digest));
    return layers;
}

}  // namespace fmg::coordinator::workspaces
