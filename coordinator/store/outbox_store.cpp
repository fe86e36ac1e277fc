#include "coordinator/store/outbox_store.h"

namespace fmg::coordinator::outbox {

void add(Database& db, const NewStatus& s, int64_t now) {
    db.prepare(
          "INSERT INTO status_outbox (repo, sha, context, state, description, target_url, "
          "next_try_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, s.repo)
        .bind(2, s.sha)
        .bind(3, s.context)
        .bind(4, s.state)
        .bind(5, s.description)
        .bind(6, s.target_url)
        .bind(7, now)
        .bind(8, now)
        .run();
}

std::vector<OutboxRow> due(Database& db, int64_t now, int64_t limit) {
    auto q = db.prepare(
        "SELECT id, repo, sha, context, state, description, target_url, tries, next_try_at FROM "
        "status_outbox WHERE next_try_at <= ? ORDER BY id LIMIT ?");
    q.bind(1, now).bind(2, limit);
    std::vector<OutboxRow> rows;
    while (q.step()) {
        rows.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5),
                        q.text(6), q.integer(7), q.integer(8)});
    }
    return rows;
}

std::optional<int64_t> next_due(Database& db) {
    auto q = db.prepare("SELECT MIN(next_try_at) FROM status_outbox");
    q.step();
    return q.optional_integer(0);
}

void remove(Database& db, int64_t id) {
    db.prepare("DELETE FROM status_outbox WHERE id = ?").bind(1, id).run();
}

void reschedule(Database& db, int64_t id, int64_t next_try_at, const std::string& error) {
    db.prepare(
          "UPDATE status_outbox SET tries = tries + 1, next_try_at = ?, last_error = ? WHERE id "
          "= ?")
        .bind(1, next_try_at)
        .bind(2, error)
        .bind(3, id)
        .run();
}

}  // namespace fmg::coordinator::outbox

namespace fmg::coordinator::deliveries {

std::optional<Answer> find(Database& db, const std::string& delivery_id) {
    auto q =
        db.prepare("SELECT status_code, response FROM webhook_deliveries WHERE delivery_id = ?");
    q.bind(1, delivery_id);
    if (!q.step()) return std::nullopt;
    return Answer{static_cast<int>(q.integer(0)), q.text(1)};
}

void record(Database& db, const std::string& delivery_id, const Answer& answer, int64_t now) {
    db.prepare(
          "INSERT OR IGNORE INTO webhook_deliveries (delivery_id, status_code, response, "
          "received_at) VALUES (?, ?, ?, ?)")
        .bind(1, delivery_id)
        .bind(2, int64_t{answer.status_code})
        .bind(3, answer.body)
        .bind(4, now)
        .run();
}

}  // namespace fmg::coordinator::deliveries
