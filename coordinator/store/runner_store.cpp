#include "coordinator/store/runner_store.h"

#include "coordinator/store/json_columns.h"
#include "coordinator/store/state_columns.h"

namespace fmg::coordinator::runners {
namespace {

constexpr const char* kColumns =
    "SELECT id, host, labels, capacity, public_key, state, version, last_heartbeat_at, "
    "created_at, revoked_at FROM runners ";

RunnerRow read_runner(const Statement& q) {
    RunnerRow row;
    row.id = q.integer(0);
    row.host = q.text(1);
    row.labels = from_json_array(q.text(2));
    row.capacity = q.integer(3);
    row.public_key = q.text(4);
    row.state = runner_state_column(q, 5);
    row.version = q.optional_text(6);
    row.last_heartbeat_at = q.optional_integer(7);
    row.created_at = q.integer(8);
    row.revoked_at = q.optional_integer(9);
    return row;
}

std::optional<RunnerRow> first(Statement& q) {
    if (!q.step()) return std::nullopt;
    return read_runner(q);
}

}  // namespace

RunnerId insert(Database& db, const NewRunner& runner, int64_t now) {
    db.prepare(
          "INSERT INTO runners (host, labels, capacity, public_key, state, created_at) VALUES "
          "(?, ?, ?, ?, ?, ?)")
        .bind(1, runner.host)
        .bind(2, to_json_array(runner.labels))
        .bind(3, runner.capacity)
        .bind(4, runner.public_key)
        .bind(5, to_string(kNewRunnerState))
        .bind(6, now)
        .run();
    return db.last_insert_id();
}

std::optional<RunnerRow> find(Database& db, RunnerId id) {
    auto q = db.prepare(std::string(kColumns) + "WHERE id = ?");
    q.bind(1, id);
    return first(q);
}

std::optional<RunnerRow> find_by_host(Database& db, const std::string& host) {
    auto q = db.prepare(std::string(kColumns) +
                        "WHERE host = ? AND revoked_at IS NULL ORDER BY id DESC LIMIT 1");
    q.bind(1, host);
    return first(q);
}

std::optional<RunnerRow> find_by_key(Database& db, const std::string& public_key_hex) {
    auto q = db.prepare(std::string(kColumns) + "WHERE public_key = ?");
    q.bind(1, public_key_hex);
    return first(q);
}

std::vector<RunnerRow> all(Database& db) {
    auto q = db.prepare(std::string(kColumns) + "ORDER BY id");
    std::vector<RunnerRow> rows;
    while (q.step()) rows.push_back(read_runner(q));
    return rows;
}

bool set_state(Database& db, RunnerId id, RunnerState from, RunnerState to,
               std::optional<int64_t> revoked_at) {
    db.prepare(
          "UPDATE runners SET state = ?, revoked_at = COALESCE(?, revoked_at) WHERE id = ? AND "
          "state = ?")
        .bind(1, to_string(to))
        .bind(2, revoked_at)
        .bind(3, id)
        .bind(4, to_string(from))
        .run();
    return db.changes() > 0;
}

void record_hello(Database& db, RunnerId id, const std::string& version, int64_t capacity,
                  const std::vector<std::string>& labels, int64_t now) {
    db.prepare(
          "UPDATE runners SET version = ?, capacity = ?, labels = ?, last_heartbeat_at = ? "
          "WHERE id = ?")
        .bind(1, version)
        .bind(2, capacity)
        .bind(3, to_json_array(labels))
        .bind(4, now)
        .bind(5, id)
        .run();
}

void record_heartbeats(Database& db, const std::map<RunnerId, int64_t>& latest) {
    if (latest.empty()) return;
    db.transaction([&] {
        Statement update = db.prepare("UPDATE runners SET last_heartbeat_at = ? WHERE id = ?");
        for (const auto& [id, at] : latest) {
            update.bind(1, at).bind(2, id).run();
            update.reset();
        }
    });
}

}  // namespace fmg::coordinator::runners
