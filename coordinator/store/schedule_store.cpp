#include "coordinator/store/schedule_store.h"

namespace fmg::coordinator::schedules {
namespace {

constexpr const char* kColumns =
    "id, repo, repo_url, branch, workflow, cron, last_fire_at, created_at";

ScheduleRow read_schedule(const Statement& q) {
    ScheduleRow row;
    row.id = q.integer(0);
    row.repo = q.text(1);
    row.repo_url = q.text(2);
    row.branch = q.text(3);
    row.workflow = q.text(4);
    row.cron = q.text(5);
    row.last_fire_at = q.integer(6);
    row.created_at = q.integer(7);
    return row;
}

std::vector<ScheduleRow> read_all(Statement& q) {
    std::vector<ScheduleRow> rows;
    while (q.step()) rows.push_back(read_schedule(q));
    return rows;
}

}  // namespace

std::vector<ScheduleRow> all(Database& db) {
    auto q = db.prepare(std::string("SELECT ") + kColumns + " FROM schedules ORDER BY id");
    return read_all(q);
}

std::optional<ScheduleRow> find(Database& db, ScheduleId id) {
    auto q = db.prepare(std::string("SELECT ") + kColumns + " FROM schedules WHERE id = ?");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_schedule(q);
}

std::vector<ScheduleRow> of_branch(Database& db, const std::string& repo,
                                   const std::string& branch) {
    auto q = db.prepare(std::string("SELECT ") + kColumns +
                        " FROM schedules WHERE repo = ? AND branch = ? ORDER BY id");
    q.bind(1, repo).bind(2, branch);
    return read_all(q);
}

ScheduleId insert(Database& db, const ScheduleRow& row) {
    db.prepare(
          "INSERT INTO schedules (repo, repo_url, branch, workflow, cron, last_fire_at, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, row.repo)
        .bind(2, row.repo_url)
        .bind(3, row.branch)
        .bind(4, row.workflow)
        .bind(5, row.cron)
        .bind(6, row.last_fire_at)
        .bind(7, row.created_at)
        .run();
    return db.last_insert_id();
}

void remove(Database& db, ScheduleId id) {
    db.prepare("DELETE FROM schedules WHERE id = ?").bind(1, id).run();
}

void set_repo_url(Database& db, ScheduleId id, const std::string& repo_url) {
    db.prepare("UPDATE schedules SET repo_url = ? WHERE id = ?")
        .bind(1, repo_url)
        .bind(2, id)
        .run();
}

void set_last_fire(Database& db, ScheduleId id, int64_t at) {
    db.prepare("UPDATE schedules SET last_fire_at = ? WHERE id = ?").bind(1, at).bind(2, id).run();
}

void insert_scheduled_pipeline(Database& db, PipelineId pipeline_id, ScheduleId schedule_id,
                               const std::string& workflow, int64_t due_at) {
    db.prepare(
          "INSERT INTO scheduled_pipelines (pipeline_id, schedule_id, workflow, due_at) VALUES "
          "(?, ?, ?, ?)")
        .bind(1, pipeline_id)
        .bind(2, schedule_id)
        .bind(3, workflow)
        .bind(4, due_at)
        .run();
}

std::optional<std::string> scheduled_workflow_of(Database& db, PipelineId pipeline_id) {
    auto q = db.prepare("SELECT workflow FROM scheduled_pipelines WHERE pipeline_id = ?");
    q.bind(1, pipeline_id);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

}  // namespace fmg::coordinator::schedules
