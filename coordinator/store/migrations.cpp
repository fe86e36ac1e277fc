#include "coordinator/store/migrations.h"

#include <array>
#include <string>

#include "shared/log.h"

namespace fmg::coordinator {
namespace {

// Each entry is one migration; never edit a released one, append a new one instead.
// Times are epoch milliseconds (UTC); the API formats them as RFC 3339.
constexpr std::array kMigrations = {
    // 1: the initial schema.
    R"SQL(
CREATE TABLE pipelines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repo TEXT NOT NULL,              -- owner/name
    repo_url TEXT NOT NULL,
    ref TEXT NOT NULL,
    sha TEXT NOT NULL,               -- empty until resolved for manual triggers
    trigger TEXT NOT NULL,           -- push, pull_request, manual, retry
    status TEXT NOT NULL,
    error TEXT,
    prepared INTEGER NOT NULL DEFAULT 0,  -- its jobs exist (or its config error is recorded)
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    retry_of INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX pipelines_by_status ON pipelines(status);
CREATE INDEX pipelines_by_repo ON pipelines(repo);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
    name TEXT NOT NULL,
    position INTEGER NOT NULL,       -- order in the config (topological)
    status TEXT NOT NULL,
    requires TEXT NOT NULL,          -- JSON array of job names
    spec TEXT NOT NULL,              -- JSON: image, services, environment, working_directory, steps
    current_attempt_id INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    UNIQUE (pipeline_id, name)
);
CREATE INDEX jobs_by_status ON jobs(status);

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    number INTEGER NOT NULL,         -- 1, 2, ... per job
    runner_id INTEGER REFERENCES runners(id),
    status TEXT NOT NULL,
    error TEXT,
    log_seq INTEGER NOT NULL DEFAULT 0,    -- highest log chunk appended
    log_bytes INTEGER NOT NULL DEFAULT 0,  -- bytes of the log file that are committed
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX attempts_by_job ON attempts(job_id);
CREATE INDEX attempts_by_status ON attempts(status);

CREATE TABLE attempt_steps (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    step_index INTEGER NOT NULL,
    status TEXT NOT NULL,
    exit_code INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (attempt_id, step_index)
);

CREATE TABLE runners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    host TEXT NOT NULL,
    labels TEXT NOT NULL,            -- JSON array
    capacity INTEGER NOT NULL,
    public_key TEXT NOT NULL UNIQUE, -- CURVE public key, hex
    state TEXT NOT NULL,
    version TEXT,
    last_heartbeat_at INTEGER,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE webhook_deliveries (
    delivery_id TEXT PRIMARY KEY,
    status_code INTEGER NOT NULL,
    response TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

CREATE TABLE status_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repo TEXT NOT NULL,
    sha TEXT NOT NULL,
    context TEXT NOT NULL,
    state TEXT NOT NULL,
    description TEXT NOT NULL,
    target_url TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
)SQL",
    // 2: a log over its cap (logs/log_store.h) keeps its head in the log file and its tail in
    // a tail file. log_cap: the cap in force once the head filled (0 while under it);
    // log_tail_gen: generation of the tail file; log_tail_bytes: its committed size;
    // log_dropped: bytes past the head that are no longer in the tail file.
    R"SQL(
ALTER TABLE attempts ADD COLUMN log_cap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN log_tail_gen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN log_tail_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN log_dropped INTEGER NOT NULL DEFAULT 0;
)SQL",
    // 3: dispatch reads the queue in order (pipelines::queued_jobs) on every hello, result
    // and lost agent; without this index it sorted every queued job each time (~25 ms with
    // 10,000 queued, see docs/performance/scale.md), with it it reads only the rows it takes.
    R"SQL(
CREATE INDEX IF NOT EXISTS jobs_in_queue_order ON jobs(status, pipeline_id, position);
)SQL",
    // 4: a log starts in SQLite, one row per chunk, and moves to its file once it passes
    // kMaxLogInDbBytes (logs/log_store.h): most logs are small, and a file each cost more
    // than the rest of a job's bookkeeping (docs/performance.md, throughput). log_in_db: 1
    // while the head is in attempt_log_chunks; attempts from before this migration have files.
    R"SQL(
CREATE TABLE attempt_log_chunks (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (attempt_id, seq)
) WITHOUT ROWID;
ALTER TABLE attempts ADD COLUMN log_in_db INTEGER NOT NULL DEFAULT 1;
UPDATE attempts SET log_in_db = 0;
)SQL",
    // 5: pull requests from forks wait for approval (lifecycle/approval.h). fork_repo: the
    // head repository (owner/name) of a fork's pull request whose jobs are held, '' for a
    // deleted fork, NULL when the pipeline needs no approval; approved_by/approved_at: who
    // approved the whole pipeline, and when (jobs ready later are queued at once). A job's
    // approved_by/approved_at: who released it from on_hold.
    R"SQL(
ALTER TABLE pipelines ADD COLUMN fork_repo TEXT;
ALTER TABLE pipelines ADD COLUMN approved_by TEXT;
ALTER TABLE pipelines ADD COLUMN approved_at INTEGER;
ALTER TABLE jobs ADD COLUMN approved_by TEXT;
ALTER TABLE jobs ADD COLUMN approved_at INTEGER;
)SQL",
    // 6: the labels a runner needs to take a job (its config's machine, macos, windows and
    // resource_class; domain/runner_match.h), a JSON array; jobs from before need none.
    R"SQL(
ALTER TABLE jobs ADD COLUMN needed_labels TEXT NOT NULL DEFAULT '[]';
)SQL",
    // 7: what a job's built-in variables (CIRCLE_PR_NUMBER) and its config
    // (`pipeline.parameters`) need of the pipeline: pr_number, a pull_request pipeline's pull
    // request (NULL for others and for those from before); parameters, the pipeline
    // parameters its trigger gave, a JSON object of strings.
    R"SQL(
ALTER TABLE pipelines ADD COLUMN pr_number INTEGER;
ALTER TABLE pipelines ADD COLUMN parameters TEXT NOT NULL DEFAULT '{}';
)SQL",
    // 8: scheduled workflows (lifecycle/schedules.h). schedules: what each branch's config
    // schedules, recorded when a pipeline of that branch is prepared (replacing the branch's
    // earlier rows); last_fire_at: when it last fired (or was recorded, so it fires only at
    // fire times after that), so each fire time starts one pipeline even across restarts.
    // scheduled_pipelines: the pipelines a schedule started, with the workflow they run and
    // the fire time that made them due (one pipeline per schedule and fire time).
    R"SQL(
CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repo TEXT NOT NULL,              -- owner/name
    repo_url TEXT NOT NULL,          -- where the branch's pipelines fetch from
    branch TEXT NOT NULL,
    workflow TEXT NOT NULL,
    cron TEXT NOT NULL,              -- five POSIX fields, UTC
    last_fire_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (repo, branch, workflow, cron)
);
CREATE TABLE scheduled_pipelines (
    pipeline_id INTEGER PRIMARY KEY REFERENCES pipelines(id),
    schedule_id INTEGER NOT NULL,    -- no reference: a schedule's row goes when its config drops it
    workflow TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    UNIQUE (schedule_id, due_at)
);
)SQL",
    // 9: what a job is (domain/job_kind.h): 'build' runs on a runner, 'approval' waits on_hold
    // for a person, 'no-op' succeeds once ready. Jobs from before all ran on runners.
    R"SQL(
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'build';
)SQL",
    // 10: the `requires` items with status qualifiers (domain/requirements.h), a JSON array
    // of {"jobs", "statuses"}; the jobs named in `requires` and not here must succeed, as all
    // did before.
    R"SQL(
ALTER TABLE jobs ADD COLUMN requires_statuses TEXT NOT NULL DEFAULT '[]';
)SQL",
    // 11: the `serial-group` a job takes its turn in (lifecycle/serial_groups.h); NULL for
    // none, as for every job from before. Dispatch asks whether a group has a running job.
    R"SQL(
ALTER TABLE jobs ADD COLUMN serial_group TEXT;
CREATE INDEX jobs_by_serial_group ON jobs(serial_group, status) WHERE serial_group IS NOT NULL;
)SQL",
    // 12: files (docs/files.md). `blobs`: every file in the blob store, by digest. `artifacts`:
    // the files a job's attempt kept with store_artifacts, each a path naming a blob; the
    // upload that stored it makes a repeated upload_end idempotent.
    R"SQL(
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE artifacts (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    upload_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, path)
);
CREATE INDEX artifacts_by_upload ON artifacts(attempt_id, upload_id);
CREATE INDEX artifacts_by_blob ON artifacts(sha256);
)SQL",
    // 13: workspace layers (docs/files.md): the tar each persist_to_workspace step of an
    // attempt stored, in the order they were stored; a job attaching the workspace gets the
    // layers of the jobs it requires, directly or not.
    R"SQL(
CREATE TABLE workspace_layers (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    upload_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    root TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, upload_id)
);
CREATE INDEX workspace_layers_by_blob ON workspace_layers(sha256);
)SQL",
    // 14: test results (docs/files.md): each JUnit file a store_test_results step of an
    // attempt stored, and the test cases read from it.
    R"SQL(
CREATE TABLE test_result_files (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    upload_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, upload_id)
);
CREATE TABLE test_cases (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    upload_id INTEGER NOT NULL,
    classname TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX test_cases_by_attempt ON test_cases(attempt_id, status);
)SQL",
    // 15: caches (docs/files.md). `cache_uploads`: each path a save_cache step of an attempt
    // uploaded, until the step names them in a cache. `caches`: one per repository and key,
    // never replaced; `cache_parts`: its blobs in restore order, each with where it goes.
    R"SQL(
CREATE TABLE cache_uploads (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    upload_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, upload_id)
);
CREATE TABLE caches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repo TEXT NOT NULL,
    key TEXT NOT NULL,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    UNIQUE (repo, key)
);
CREATE INDEX caches_by_use ON caches(last_used_at);
CREATE TABLE cache_parts (
    cache_id INTEGER NOT NULL REFERENCES caches(id),
    position INTEGER NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    PRIMARY KEY (cache_id, position)
);
CREATE INDEX cache_parts_by_blob ON cache_parts(sha256);
)SQL",
    // 16: what retention and the store's quota removed, and why (docs/files.md), so `fmg`
    // can say what became of a file that is gone.
    R"SQL(
CREATE TABLE evictions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,              -- artifact, workspace_layer, test_results, cache
    repo TEXT NOT NULL,              -- owner/name
    pipeline_id INTEGER,             -- the pipeline whose job stored it (not for caches)
    job TEXT,
    name TEXT NOT NULL,              -- the artifact's path, the layer's root, the report's name, the cache's key
    size INTEGER NOT NULL,
    reason TEXT NOT NULL,
    evicted_at INTEGER NOT NULL
);
CREATE INDEX evictions_by_pipeline ON evictions(pipeline_id, job);
CREATE INDEX evictions_by_time ON evictions(evicted_at);
CREATE INDEX test_result_files_by_blob ON test_result_files(sha256);
CREATE INDEX cache_uploads_by_blob ON cache_uploads(sha256);
)SQL",
    // 17: the file each test case came from (JUnit's `file` attribute), for
    // `circleci tests split --split-by=timings` (docs/files.md).
    R"SQL(
ALTER TABLE test_cases ADD COLUMN file TEXT NOT NULL DEFAULT '';
)SQL",
    // 18: API tokens with roles, stored as SHA-256 digests only, and the audit log of what
    // each token changed (docs/security.md).
    R"SQL(
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'trigger', 'admin')),
    digest TEXT NOT NULL UNIQUE,     -- lower-case hex SHA-256 of the token; never the token
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,        -- the creating token's name, or 'first start'
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    token_id INTEGER,                -- NULL for what the coordinator itself did
    actor TEXT NOT NULL,             -- the token's name then
    role TEXT NOT NULL,
    action TEXT NOT NULL,            -- METHOD /path as requested
    status INTEGER NOT NULL,         -- the HTTP status answered (403: refused)
    detail TEXT NOT NULL DEFAULT ''  -- what the handler named: "runner 3 (ci-1)"
);
CREATE INDEX audit_log_by_time ON audit_log(at);
)SQL",
    // 19: secrets of contexts, sealed with AES-256-GCM under the key in DATA_DIR/secrets.key
    // (coordinator/secrets/keyring.h), and which pipelines come from a fork (they get none).
    R"SQL(
CREATE TABLE secrets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    context TEXT NOT NULL,
    name TEXT NOT NULL,
    key_id INTEGER NOT NULL,         -- the key of secrets.key that sealed it
    nonce BLOB NOT NULL,
    sealed BLOB NOT NULL,            -- ciphertext and GCM tag; never the value
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,        -- the token's name
    UNIQUE (context, name)
);
ALTER TABLE pipelines ADD COLUMN from_fork INTEGER NOT NULL DEFAULT 0;
UPDATE pipelines SET from_fork = 1 WHERE fork_repo IS NOT NULL;
)SQL",
    // 20: a secret belongs to a context or to a repository (secret_store.h Scope): the column
    // names the scope, a context's name or a repository's owner/name (a context's has no '/').
    R"SQL(
ALTER TABLE secrets RENAME COLUMN context TO scope;
)SQL",
    // 21: the dashboard's sessions (docs/dashboard.md "Access"): a login with a token gives
    // the browser a cookie; only its digest is kept, as for tokens.
    R"SQL(
CREATE TABLE web_sessions (
    digest TEXT PRIMARY KEY,         -- lower-case hex SHA-256 of the cookie; never the cookie
    token_id INTEGER NOT NULL REFERENCES api_tokens(id),
    csrf TEXT NOT NULL,              -- what the session's forms carry back (docs/dashboard.md)
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
)SQL",
};

int current_version(Database& db) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "applied_at INTEGER NOT NULL)");
    auto query = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    query.step();
    return static_cast<int>(query.integer(0));
}

}  // namespace

int latest_schema_version() {
    return static_cast<int>(kMigrations.size());
}

int migrate(Database& db) {
    int version = current_version(db);
    if (version > latest_schema_version()) {
        throw DbError("database schema version " + std::to_string(version) +
                      " is newer than this fmg-coordinator knows (" +
                      std::to_string(latest_schema_version()) + "); upgrade fmg");
    }
    for (int next = version + 1; next <= latest_schema_version(); ++next) {
        db.transaction([&] {
            db.exec(kMigrations[static_cast<size_t>(next - 1)]);
            db.prepare(
                  "INSERT INTO schema_migrations (version, applied_at) VALUES (?, "
                  "CAST(strftime('%s','now') AS INTEGER) * 1000)")
                .bind(1, int64_t{next})
                .run();
        });
        FMG_LOG(info) << "database migrated to schema version " << next;
    }
    return latest_schema_version();
}

}  // namespace fmg::coordinator
