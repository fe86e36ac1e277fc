#include "coordinator/store/audit_store.h"

namespace fmg::coordinator::audit {

void record(Database& db, const Entry& entry) {
    db.prepare(
          "INSERT INTO audit_log (at, token_id, actor, role, action, status, detail) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, entry.at)
        .bind(2, entry.token_id)
        .bind(3, entry.actor)
        .bind(4, entry.role)
        .bind(5, entry.action)
        .bind(6, entry.status)
        .bind(7, entry.detail)
        .run();
}

std::vector<Entry> recent(Database& db, int64_t limit, std::optional<int64_t> before_id) {
    auto query = db.prepare(
        "SELECT id, at, token_id, actor, role, action, status, detail FROM audit_log "
        "WHERE id < ? ORDER BY id DESC LIMIT ?");
    query.bind(1, before_id.value_or(INT64_MAX)).bind(2, limit);
    std::vector<Entry> entries;
    while (query.step()) {
        entries.push_back({query.integer(0), query.integer(1), query.optional_integer(2),
                           query.text(3), query.text(4), query.text(5), query.integer(6),
                           query.text(7)});
    }
    return entries;
}

}  // namespace fmg::coordinator::audit
