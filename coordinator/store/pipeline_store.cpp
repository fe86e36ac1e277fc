#include "coordinator/store/pipeline_store.h"

#include "coordinator/store/json_columns.h"
#include "coordinator/store/state_columns.h"

namespace fmg::coordinator::pipelines {
namespace {

constexpr const char* kPipelineColumns =
    "id, repo, repo_url, ref, sha, trigger, status, error, prepared, cancel_requested, "
    "created_at, started_at, finished_at, fork_repo, approved_by, approved_at, pr_number, "
    "parameters, from_fork";

PipelineRow read_pipeline(const Statement& q) {
    PipelineRow row;
    row.id = q.integer(0);
    row.repo = q.text(1);
    row.repo_url = q.text(2);
    row.ref = q.text(3);
    row.sha = q.text(4);
    row.trigger = q.text(5);
    row.status = pipeline_state_column(q, 6);
    row.error = q.optional_text(7);
    row.prepared = q.integer(8) != 0;
    row.cancel_requested = q.integer(9) != 0;
    row.created_at = q.integer(10);
    row.started_at = q.optional_integer(11);
    row.finished_at = q.optional_integer(12);
    row.fork_repo = q.optional_text(13);
    row.approved_by = q.optional_text(14);
    row.approved_at = q.optional_integer(15);
    row.pr_number = q.optional_integer(16);
    row.parameters = from_json_object(q.text(17));
    row.from_fork = q.integer(18) != 0;
    return row;
}

constexpr const char* kJobColumns =
    "id, pipeline_id, name, position, status, requires, spec, current_attempt_id, created_at, "
    "started_at, finished_at, approved_by, approved_at, needed_labels, kind, requires_statuses, "
    "serial_group";

JobRow read_job(const Statement& q) {
    JobRow row;
    row.id = q.integer(0);
    row.pipeline_id = q.integer(1);
    row.name = q.text(2);
    row.position = q.integer(3);
    row.status = job_state_column(q, 4);
    row.required_jobs = from_json_array(q.text(5));
    row.spec = q.text(6);
    row.current_attempt_id = q.optional_integer(7);
    row.created_at = q.integer(8);
    row.started_at = q.optional_integer(9);
    row.finished_at = q.optional_integer(10);
    row.approved_by = q.optional_text(11);
    row.approved_at = q.optional_integer(12);
    row.needed_labels = from_json_array(q.text(13));
    row.kind = job_kind_column(q, 14);
    row.status_requirements = status_requirements_from_json(q.text(15));
    row.serial_group = q.optional_text(16);
    return row;
}

constexpr const char* kAttemptColumns =
    "a.id, a.job_id, a.number, a.runner_id, COALESCE(r.host, ''), a.status, a.error, a.log_seq, "
    "a.log_bytes, a.created_at, a.started_at, a.finished_at, a.log_cap, a.log_tail_gen, "
    "a.log_tail_bytes, a.log_dropped, a.log_in_db";

AttemptRow read_attempt(const Statement& q) {
    AttemptRow row;
    row.id = q.integer(0);
    row.job_id = q.integer(1);
    row.number = q.integer(2);
    row.runner_id = q.optional_integer(3);
    row.runner_host = q.text(4);
    row.status = attempt_state_column(q, 5);
    row.error = q.optional_text(6);
    row.log_seq = q.integer(7);
    row.log_bytes = q.integer(8);
    row.created_at = q.integer(9);
    row.started_at = q.optional_integer(10);
    row.finished_at = q.optional_integer(11);
    row.log_cap = q.integer(12);
    row.log_tail_gen = q.integer(13);
    row.log_tail_bytes = q.integer(14);
    row.log_dropped = q.integer(15);
    row.log_in_db = q.integer(16) != 0;
    return row;
}

constexpr const char* kStepColumns =
    "attempt_id, step_index, status, exit_code, started_at, finished_at";

StepRow read_step(const Statement& q) {
    return {q.integer(0),          q.integer(1),          step_state_column(q, 2),
            q.optional_integer(3), q.optional_integer(4), q.optional_integer(5)};
}

std::string attempt_query(const std::string& where) {
    return std::string("SELECT ") + kAttemptColumns +
           " FROM attempts a LEFT JOIN runners r ON r.id = a.runner_id " + where;
}

}  // namespace

PipelineId insert(Database& db, const NewPipeline& p) {
    db.prepare(
          "INSERT INTO pipelines (repo, repo_url, ref, sha, trigger, status, created_at, "
          "retry_of, fork_repo, pr_number, parameters, from_fork) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, p.repo)
        .bind(2, p.repo_url)
        .bind(3, p.ref)
        .bind(4, p.sha)
        .bind(5, p.trigger)
        .bind(6, to_string(kNewPipelineState))
        .bind(7, p.created_at)
        .bind(8, p.retry_of)
        .bind(9, p.fork_repo)
        .bind(10, p.pr_number)
        .bind(11, to_json_object(p.parameters))
        .bind(12, int64_t{p.from_fork ? 1 : 0})
        .run();
    return db.last_insert_id();
}

std::optional<PipelineRow> find(Database& db, PipelineId id) {
    auto q = db.prepare(std::string("SELECT ") + kPipelineColumns + " FROM pipelines WHERE id = ?");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_pipeline(q);
}

std::pair<int64_t, std::vector<PipelineRow>> list(Database& db, const ListFilter& filter) {
    std::string where =
        " WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR repo = ?2) AND "
        "(?3 IS NULL OR substr(sha, 1, length(?3)) = ?3)";
    std::optional<std::string> status;
    if (filter.status) status = std::string(to_string(*filter.status));
    auto count = db.prepare("SELECT COUNT(*) FROM pipelines" + where);
    count.bind(1, status).bind(2, filter.repo).bind(3, filter.sha);
    count.step();
    int64_t total = count.integer(0);

    auto q = db.prepare(std::string("SELECT ") + kPipelineColumns + " FROM pipelines" + where +
                        " ORDER BY id DESC LIMIT ?4");
    q.bind(1, status).bind(2, filter.repo).bind(3, filter.sha).bind(4, filter.limit);
    std::vector<PipelineRow> rows;
    while (q.step()) rows.push_back(read_pipeline(q));
    return {total, std::move(rows)};
}

std::vector<PipelineId> unprepared(Database& db) {
    auto q =
        db.prepare("SELECT id FROM pipelines WHERE prepared = 0 AND status = 'queued' ORDER BY id");
    std::vector<PipelineId> ids;
    while (q.step()) ids.push_back(q.integer(0));
    return ids;
}

void set_sha(Database& db, PipelineId id, const std::string& sha) {
    db.prepare("UPDATE pipelines SET sha = ? WHERE id = ?").bind(1, sha).bind(2, id).run();
}

void mark_prepared(Database& db, PipelineId id) {
    db.prepare("UPDATE pipelines SET prepared = 1 WHERE id = ?").bind(1, id).run();
}

bool set_status(Database& db, PipelineId id, PipelineState from, PipelineState to,
                const std::optional<std::string>& error, std::optional<int64_t> started_at,
                std::optional<int64_t> finished_at) {
    db.prepare(
          "UPDATE pipelines SET status = ?, error = COALESCE(?, error), "
          "started_at = COALESCE(started_at, ?), finished_at = COALESCE(?, finished_at) "
          "WHERE id = ? AND status = ?")
        .bind(1, to_string(to))
        .bind(2, error)
        .bind(3, started_at)
        .bind(4, finished_at)
        .bind(5, id)
        .bind(6, to_string(from))
        .run();
    return db.changes() > 0;
}

void set_error_if_unset(Database& db, PipelineId id, const std::string& error) {
    db.prepare("UPDATE pipelines SET error = ? WHERE id = ? AND error IS NULL")
        .bind(1, error)
        .bind(2, id)
        .run();
}

void request_cancel(Database& db, PipelineId id) {
    db.prepare("UPDATE pipelines SET cancel_requested = 1 WHERE id = ?").bind(1, id).run();
}

std::vector<PipelineId> with_cancel_requested(Database& db) {
    auto q = db.prepare(
        "SELECT id FROM pipelines WHERE cancel_requested = 1 AND status IN ('queued', "
        "'running') ORDER BY id");
    std::vector<PipelineId> ids;
    while (q.step()) ids.push_back(q.integer(0));
    return ids;
}

std::vector<std::string> failed_job_names(Database& db, PipelineId id) {
    auto q = db.prepare(
        "SELECT name FROM jobs WHERE pipeline_id = ? AND status IN ('failed', 'error') ORDER BY "
        "position");
    q.bind(1, id);
    std::vector<std::string> names;
    while (q.step()) names.push_back(q.text(0));
    return names;
}

std::vector<std::string> held_job_names(Database& db, PipelineId id) {
    auto q = db.prepare(
        "SELECT name FROM jobs WHERE pipeline_id = ? AND status = 'on_hold' ORDER BY position");
    q.bind(1, id);
    std::vector<std::string> names;
    while (q.step()) names.push_back(q.text(0));
    return names;
}

void set_pipeline_approval(Database& db, PipelineId id, const std::string& by, int64_t at) {
    db.prepare("UPDATE pipelines SET approved_by = ?, approved_at = ? WHERE id = ?")
        .bind(1, by)
        .bind(2, at)
        .bind(3, id)
        .run();
}

JobId insert_job(Database& db, PipelineId pipeline_id, const NewJob& job, int64_t now) {
    db.prepare(
          "INSERT INTO jobs (pipeline_id, name, position, status, requires, spec, created_at, "
          "started_at, finished_at, needed_labels, kind, requires_statuses, serial_group) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, pipeline_id)
        .bind(2, job.name)
        .bind(3, job.position)
        .bind(4, to_string(job.status))
        .bind(5, to_json_array(job.required_jobs))
        .bind(6, job.spec)
        .bind(7, now)
        .bind(8, job.started_at)
        .bind(9, job.finished_at)
        .bind(10, to_json_array(job.needed_labels))
        .bind(11, to_string(job.kind))
        .bind(12, to_json(job.status_requirements))
        .bind(13, job.serial_group)
        .run();
    return db.last_insert_id();
}

std::optional<JobRow> running_in_serial_group(Database& db, const std::string& group,
                                              PipelineId other_than) {
    auto q = db.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE serial_group = ? AND status = 'running' AND "
                        "pipeline_id != ? LIMIT 1");
    q.bind(1, group);
    q.bind(2, other_than);
    if (!q.step()) return std::nullopt;
    return read_job(q);
}

std::optional<JobRow> newer_in_serial_group(Database& db, const std::string& group,
                                            PipelineId pipeline_id) {
    auto q = db.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE serial_group = ? AND pipeline_id > ? AND "
                        "(status = 'queued' OR started_at IS NOT NULL) "
                        "ORDER BY pipeline_id DESC LIMIT 1");
    q.bind(1, group);
    q.bind(2, pipeline_id);
    if (!q.step()) return std::nullopt;
    return read_job(q);
}

std::vector<JobRow> jobs_of(Database& db, PipelineId pipeline_id) {
    auto q = db.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE pipeline_id = ? ORDER BY position");
    q.bind(1, pipeline_id);
    std::vector<JobRow> rows;
    while (q.step()) rows.push_back(read_job(q));
    return rows;
}

std::optional<JobRow> find_job(Database& db, JobId id) {
    auto q = db.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_job(q);
}

std::optional<JobRow> find_job_by_name(Database& db, PipelineId pipeline_id,
                                       const std::string& name) {
    auto q = db.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE pipeline_id = ? AND name = ?");
    q.bind(1, pipeline_id).bind(2, name);
    if (!q.step()) return std::nullopt;
    return read_job(q);
}

std::vector<JobRow> queued_jobs(Database& db, int64_t limit) {
    auto q = db.prepare(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE status = 'queued' ORDER BY pipeline_id, position "
                        "LIMIT ?");
    q.bind(1, limit);
    std::vector<JobRow> rows;
    while (q.step()) rows.push_back(read_job(q));
    return rows;
}

std::vector<JobRow> queued_jobs_offered(Database& db, const std::vector<std::string>& offered,
                                        const std::optional<QueuePlace>& after, int64_t limit) {
    // Row values walk the queue's index (jobs_in_queue_order) from `after`; a job needing no
    // label ('[]') passes without looking into JSON, which is nearly every job. A job of a
    // serial group waits while another pipeline's job of its group runs
    // (lifecycle/serial_groups.h).
    auto q =
        db.prepare(std::string("SELECT ") + kJobColumns +
                   " FROM jobs WHERE status = 'queued' AND (pipeline_id, position) > (?, ?) "
                   "AND (needed_labels = '[]' OR NOT EXISTS (SELECT 1 FROM "
                   "json_each(jobs.needed_labels) AS needed WHERE needed.value NOT IN "
                   "(SELECT value FROM json_each(?)))) AND (serial_group IS NULL OR NOT EXISTS "
                   "(SELECT 1 FROM jobs AS holder WHERE holder.serial_group = jobs.serial_group "
                   "AND holder.status = 'running' AND holder.pipeline_id != jobs.pipeline_id)) "
                   "ORDER BY pipeline_id, position LIMIT ?");
    q.bind(1, after ? after->pipeline_id : int64_t{-1});
    q.bind(2, after ? after->position : int64_t{-1});
    q.bind(3, to_json_array(offered));
    q.bind(4, limit);
    std::vector<JobRow> rows;
    while (q.step()) rows.push_back(read_job(q));
    return rows;
}

bool set_job_status(Database& db, JobId id, JobState from, JobState to,
                    std::optional<int64_t> started_at, std::optional<int64_t> finished_at) {
    db.prepare(
          "UPDATE jobs SET status = ?, started_at = COALESCE(started_at, ?), "
          "finished_at = ? WHERE id = ? AND status = ?")
        .bind(1, to_string(to))
        .bind(2, started_at)
        .bind(3, finished_at)
        .bind(4, id)
        .bind(5, to_string(from))
        .run();
    return db.changes() > 0;
}

void set_current_attempt(Database& db, JobId id, AttemptId attempt_id) {
    db.prepare("UPDATE jobs SET current_attempt_id = ? WHERE id = ?")
        .bind(1, attempt_id)
        .bind(2, id)
        .run();
}

void set_job_approval(Database& db, JobId id, const std::string& by, int64_t at) {
    db.prepare("UPDATE jobs SET approved_by = ?, approved_at = ? WHERE id = ?")
        .bind(1, by)
        .bind(2, at)
        .bind(3, id)
        .run();
}

AttemptId insert_attempt(Database& db, JobId job_id, int64_t number, RunnerId runner_id,
                         int64_t now) {
    db.prepare(
          "INSERT INTO attempts (job_id, number, runner_id, status, created_at) VALUES (?, ?, ?, "
          "?, "
          "?)")
        .bind(1, job_id)
        .bind(2, number)
        .bind(3, runner_id)
        .bind(4, to_string(kNewAttemptState))
        .bind(5, now)
        .run();
    return db.last_insert_id();
}

std::optional<AttemptRow> find_attempt(Database& db, AttemptId id) {
    auto q = db.prepare(attempt_query("WHERE a.id = ?"));
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_attempt(q);
}

std::vector<AttemptRow> attempts_of(Database& db, JobId job_id) {
    auto q = db.prepare(attempt_query("WHERE a.job_id = ? ORDER BY a.number"));
    q.bind(1, job_id);
    std::vector<AttemptRow> rows;
    while (q.step()) rows.push_back(read_attempt(q));
    return rows;
}

std::vector<AttemptRow> active_attempts(Database& db) {
    auto q = db.prepare(attempt_query("WHERE a.status IN ('assigned', 'running') ORDER BY a.id"));
    std::vector<AttemptRow> rows;
    while (q.step()) rows.push_back(read_attempt(q));
    return rows;
}

std::vector<AttemptRow> active_attempts_of(Database& db, RunnerId runner_id) {
    auto q = db.prepare(attempt_query(
        "WHERE a.status IN ('assigned', 'running') AND a.runner_id = ? ORDER BY a.id"));
    q.bind(1, runner_id);
    std::vector<AttemptRow> rows;
    while (q.step()) rows.push_back(read_attempt(q));
    return rows;
}

bool set_attempt_status(Database& db, AttemptId id, AttemptState from, AttemptState to,
                        const std::optional<std::string>& error, std::optional<int64_t> started_at,
                        std::optional<int64_t> finished_at) {
    db.prepare(
          "UPDATE attempts SET status = ?, error = COALESCE(?, error), "
          "started_at = COALESCE(started_at, ?), finished_at = COALESCE(?, finished_at) "
          "WHERE id = ? AND status = ?")
        .bind(1, to_string(to))
        .bind(2, error)
        .bind(3, started_at)
        .bind(4, finished_at)
        .bind(5, id)
        .bind(6, to_string(from))
        .run();
    return db.changes() > 0;
}

void set_attempt_log(Database& db, AttemptId id, const LogIndex& log) {
    db.prepare(
          "UPDATE attempts SET log_seq = ?, log_bytes = ?, log_cap = ?, log_tail_gen = ?, "
          "log_tail_bytes = ?, log_dropped = ?, log_in_db = ? WHERE id = ?")
        .bind(1, log.seq)
        .bind(2, log.head_bytes)
        .bind(3, log.cap)
        .bind(4, log.tail_gen)
        .bind(5, log.tail_bytes)
        .bind(6, log.dropped)
        .bind(7, int64_t{log.in_db ? 1 : 0})
        .bind(8, id)
        .run();
}

void insert_step(Database& db, const StepRow& step) {
    db.prepare(
          "INSERT INTO attempt_steps (attempt_id, step_index, status, exit_code, started_at, "
          "finished_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, step.attempt_id)
        .bind(2, step.step_index)
        .bind(3, to_string(step.status))
        .bind(4, step.exit_code)
        .bind(5, step.started_at)
        .bind(6, step.finished_at)
        .run();
}

std::optional<StepRow> find_step(Database& db, AttemptId attempt_id, int64_t step_index) {
    auto q = db.prepare(std::string("SELECT ") + kStepColumns +
                        " FROM attempt_steps WHERE attempt_id = ? AND step_index = ?");
    q.bind(1, attempt_id).bind(2, step_index);
    if (!q.step()) return std::nullopt;
    return read_step(q);
}

bool set_step_status(Database& db, StepState from, const StepRow& step) {
    db.prepare(
          "UPDATE attempt_steps SET status = ?, exit_code = COALESCE(?, exit_code), "
          "started_at = COALESCE(started_at, ?), finished_at = COALESCE(?, finished_at) "
          "WHERE attempt_id = ? AND step_index = ? AND status = ?")
        .bind(1, to_string(step.status))
        .bind(2, step.exit_code)
        .bind(3, step.started_at)
        .bind(4, step.finished_at)
        .bind(5, step.attempt_id)
        .bind(6, step.step_index)
        .bind(7, to_string(from))
        .run();
    return db.changes() > 0;
}

std::vector<StepRow> steps_of(Database& db, AttemptId attempt_id) {
    auto q = db.prepare(std::string("SELECT ") + kStepColumns +
                        " FROM attempt_steps WHERE attempt_id = ? ORDER BY step_index");
    q.bind(1, attempt_id);
    std::vector<StepRow> rows;
    while (q.step()) rows.push_back(read_step(q));
    return rows;
}

}  // namespace fmg::coordinator::pipelines
