#pragma once
// Every message between agent and coordinator (protocol/PROTOCOL.md is the normative text).
// These are wire types: the coordinator and agent translate them to their own domain types
// at the boundary (principles: wire types are not domain types).

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "shared/wire_limits.h"

namespace fmg::protocol {

/// The version this build speaks, and the oldest peer version it accepts.
constexpr uint32_t kProtocolVersion = 1;
constexpr uint32_t kMinimumProtocolVersion = 1;

// The size limits (PROTOCOL.md 5) are defined in shared/wire_limits.h, so the config parser
// below protocol/ enforces the same values; these are the same constants under this namespace.
using wire::kMaxAutoRerunDelayMs;
using wire::kMaxAutoReruns;
using wire::kMaxCacheKeyBytes;
using wire::kMaxFrameBytes;
using wire::kMaxListItems;
using wire::kMaxLogChunkBytes;
using wire::kMaxMapEntries;
using wire::kMaxNameBytes;
using wire::kMaxNestingDepth;
using wire::kMaxTextBytes;

using AttemptId = int64_t;
using Environment = std::map<std::string, std::string>;

// ---- agent -> coordinator ----

/// First message of every connection: who the agent is and what it still runs.
struct Hello {
    std::string name;       // runner name (defaults to the host name)
    std::string version;    // fmg version of the agent binary
    uint32_t capacity = 1;  // jobs at once
    std::vector<std::string> labels;
    // attempts the agent holds: still executing, or finished with job_finished unacked
    std::vector<AttemptId> running;

    friend bool operator==(const Hello&, const Hello&) = default;
};

/// Sent every heartbeat interval; any frame also counts as a heartbeat.
struct AgentHeartbeat {
    std::vector<AttemptId> running;  // as Hello::running
    uint32_t free_slots = 0;
    bool draining = false;  // stopped taking work before leaving (SIGTERM)

    friend bool operator==(const AgentHeartbeat&, const AgentHeartbeat&) = default;
};

/// The agent took an assigned attempt and starts it.
struct Accepted {
    AttemptId attempt_id = 0;

    friend bool operator==(const Accepted&, const Accepted&) = default;
};

/// The agent cannot take an assigned attempt (no free slot, draining, ...).
struct Refused {
    AttemptId attempt_id = 0;
    std::string reason;

    friend bool operator==(const Refused&, const Refused&) = default;
};

struct StepStarted {
    AttemptId attempt_id = 0;
    uint32_t step_index = 0;    // index into Assign::steps
    int64_t started_at_ms = 0;  // wall clock of the agent, epoch milliseconds

    friend bool operator==(const StepStarted&, const StepStarted&) = default;
};

/// A chunk of the attempt's log. `seq` starts at 1 and increases by one per chunk;
/// the coordinator appends a chunk exactly once and acks the highest contiguous seq.
struct Log {
    AttemptId attempt_id = 0;
    uint64_t seq = 0;
    std::string data;  // raw bytes (msgpack bin)

    friend bool operator==(const Log&, const Log&) = default;
};

enum class StepOutcome { success, failed, error, cancelled };

struct StepFinished {
    AttemptId attempt_id = 0;
    uint32_t step_index = 0;
    StepOutcome outcome = StepOutcome::success;
    int32_t exit_code = 0;
    int64_t finished_at_ms = 0;

    friend bool operator==(const StepFinished&, const StepFinished&) = default;
};

enum class JobOutcome { success, failed, error, cancelled };

/// The attempt is over. `last_seq` is the seq of its final log chunk (0 if none), so the
/// coordinator knows when the log is complete. The coordinator acknowledges the result itself
/// with `Ack{attempt_id, last_seq + 1}`; the agent keeps and resends it until then.
struct JobFinished {
    AttemptId attempt_id = 0;
    JobOutcome outcome = JobOutcome::success;
    std::string error;  // for error: what went wrong (e.g. Docker's message)
    uint64_t last_seq = 0;
    int64_t finished_at_ms = 0;

    friend bool operator==(const JobFinished&, const JobFinished&) = default;
};

/// What a finished upload becomes at the coordinator (PROTOCOL.md 11).
enum class UploadKind {
    artifact,         // one file of a `store_artifacts` step, kept under `path`
    workspace_layer,  // the tar a `persist_to_workspace` step made; `path`: its root
    test_results,     // a JUnit XML file of a `store_test_results` step; `path`: its name
    cache_part,       // one path of a `save_cache` step; `path`: where it is restored
};

/// One chunk of an upload: the bytes at `offset` of the file the agent sends (PROTOCOL.md 11).
/// Upload ids are the agent's, unique within the attempt, from 1.
struct Upload {
    AttemptId attempt_id = 0;
    uint64_t upload_id = 0;
    uint64_t offset = 0;
    std::string data;  // raw bytes (msgpack bin), at most kMaxLogChunkBytes
    friend bool operator==(const Upload&, const Upload&) = default;
};

/// Every byte of the upload was acknowledged: store it as `kind` under `path`, if its
/// `size` and `sha256` (lowercase hex) are those of the bytes received.
struct UploadEnd {
    AttemptId attempt_id = 0;
    uint64_t upload_id = 0;
    UploadKind kind = UploadKind::artifact;
    std::string path;
    uint64_t size = 0;
    std::string sha256;
    friend bool operator==(const UploadEnd&, const UploadEnd&) = default;
};

/// Asks for `length` bytes at `offset` of a blob the attempt may read (a workspace layer of
/// its assign). Fetch ids are the agent's, unique within the attempt, from 1.
struct Fetch {
    AttemptId attempt_id = 0;
    uint64_t fetch_id = 0;
    std::string sha256;
    uint64_t offset = 0;
    uint32_t length = 0;  // 1..kMaxLogChunkBytes
    friend bool operator==(const Fetch&, const Fetch&) = default;
};

/// Looks caches of the attempt's repository up (PROTOCOL.md 11.1): with `exact`, the cache
/// named `keys[0]`; otherwise, for each key in order, the newest cache whose name starts with
/// it. Request ids are the agent's, unique within the attempt, from 1.
struct CacheFind {
    AttemptId attempt_id = 0;
    uint64_t request_id = 0;
    std::vector<std::string> keys;  // rendered keys, 1..kMaxListItems
    bool exact = false;
    friend bool operator==(const CacheFind&, const CacheFind&) = default;
};

/// Stores the cache `key` of the attempt's repository, made of the `cache_part` uploads
/// `upload_ids` (each stored, in restore order), unless a cache of that name exists.
struct CacheSave {
    AttemptId attempt_id = 0;
    uint64_t request_id = 0;
    std::string key;
    std::vector<uint64_t> upload_ids;
    friend bool operator==(const CacheSave&, const CacheSave&) = default;
};

/// The agent is leaving on purpose (SIGTERM); its attempts were handed back.
struct Goodbye {
    std::string reason;

    friend bool operator==(const Goodbye&, const Goodbye&) = default;
};

using AgentMessage =
    std::variant<Hello, AgentHeartbeat, Accepted, Refused, StepStarted, Log, StepFinished,
                 JobFinished, Goodbye, Upload, UploadEnd, Fetch, CacheFind, CacheSave>;

// ---- coordinator -> agent ----

struct Welcome {
    int64_t runner_id = 0;
    uint32_t heartbeat_interval_ms = 1000;
    uint32_t agent_timeout_ms = 3000;

    friend bool operator==(const Welcome&, const Welcome&) = default;
};

/// Why the coordinator refuses an agent (PROTOCOL.md 6.2). Only `no_session` asks the agent to
/// open a new session with `hello`; every other code ends the agent. `other` is the code of a
/// reject that carries none (from an older coordinator) or one this build does not know.
enum class RejectCode {
    no_session,      // a message other than hello from a peer without a session (7.2.4)
    unknown_runner,  // the hello's key or name belongs to no registered runner (7.2.1)
    revoked,         // an operator revoked the runner (7.2.1, 7.6)
    replaced,        // a newer connection of the same runner said hello (7.2.2)
    invalid_frame,   // the coordinator's decoder refused the frame, e.g. its version (7.2.3)
    other,
};

/// The coordinator refuses the agent: `code` says what the agent must do, `reason` is for
/// people.
struct Reject {
    RejectCode code = RejectCode::other;
    std::string reason;

    friend bool operator==(const Reject&, const Reject&) = default;
};

struct CoordinatorHeartbeat {
    friend bool operator==(const CoordinatorHeartbeat&, const CoordinatorHeartbeat&) = default;
};

// setup_remote_docker: the job's later steps get the runner's Docker engine, if the runner
// allows it (docs/executors.md); store_artifacts: the files at `paths[0]` are uploaded as
// artifacts under `destination`; persist_to_workspace: the `paths` under `root` are uploaded
// as a workspace layer; attach_workspace: the `layers` are fetched and unpacked at `at`;
// store_test_results: the JUnit XML files at `paths[0]` are uploaded; save_cache: the `paths`
// are uploaded as the cache named by `keys[0]` (a template); restore_cache: the first of
// `keys` that names a cache is restored (docs/files.md). All added within version 1.
enum class StepKind {
    checkout,
    run,
    setup_remote_docker,
    store_artifacts,
    persist_to_workspace,
    attach_workspace,
    store_test_results,
    save_cache,
    restore_cache,
    add_ssh_keys,
};

/// When a step runs, given how the steps before it ended (CircleCI `when`).
enum class StepWhen { on_success, on_fail, always };

struct StepSpec {
    StepKind kind = StepKind::run;
    std::string name;
    std::string command;  // for run steps
    Environment environment;
    std::string working_directory;      // empty: the job's
    uint32_t no_output_timeout_ms = 0;  // 0: the agent's default
    StepWhen when = StepWhen::on_success;
    // OPTIONAL on the wire (an older coordinator does not send them): the defaults below.
    std::string shell;                      // run steps: empty: the agent's default shell
    bool background = false;                // run steps: the job goes on at once
    uint32_t max_auto_reruns = 0;           // run steps: reruns after a failure, at most 5
    uint32_t auto_rerun_delay_ms = 0;       // run steps: wait before each rerun, at most 10 min
    std::vector<std::string> paths;         // file steps: the paths in the job they read
    std::string destination;                // store_artifacts: the prefix of the artifacts' paths
    std::string root;                       // persist_to_workspace: what `paths` are relative to
    std::string at;                         // attach_workspace: where the workspace goes
    std::vector<std::string> layers;        // attach_workspace: blobs (SHA-256), oldest first
    std::vector<std::string> keys;          // save_cache: its key; restore_cache: keys to try
    std::vector<std::string> fingerprints;  // add_ssh_keys: the keys to load; empty: every key

    friend bool operator==(const StepSpec&, const StepSpec&) = default;
};

/// How the container of one image of an assign runs (PROTOCOL.md 6.2 `image_options`); every
/// field empty: as the image says.
struct ImageOptions {
    std::string name;  // a host name the job's containers reach it by; empty: none
    std::vector<std::string> entrypoint;  // empty: the image's
    std::vector<std::string> command;     // empty: the image's
    std::string user;                     // empty: the image's
    Environment environment;              // the container's own variables
    // Registry credentials for pulling it: each a literal, or `$NAME` / `${NAME}` naming a
    // variable of the assign's `environment`. Empty username: none.
    std::string auth_username;
    std::string auth_password;

    friend bool operator==(const ImageOptions&, const ImageOptions&) = default;
};

/// Run one attempt of a job.
struct Assign {
    AttemptId attempt_id = 0;
    int64_t pipeline_id = 0;
    std::string job_name;
    std::string repo_url;
    std::string ref;
    std::string sha;
    std::string image;                  // the primary image; steps run in it
    std::vector<std::string> services;  // further images sharing its network
    Environment environment;
    std::string working_directory;
    std::vector<StepSpec> steps;
    uint32_t job_timeout_ms = 0;  // 0: none
    // OPTIONAL: the options of each image, the primary's first, then one per service in
    // order; empty when the coordinator sent none (every image as the image says).
    std::vector<ImageOptions> image_options;
    // OPTIONAL: the job's secrets (its contexts'), variables for every step under
    // `environment` (a name in both takes the environment's value). The agent masks their
    // values in the log, and never writes them to disk or into a process's arguments
    // (PROTOCOL.md 6.2).
    Environment secrets;

    friend bool operator==(const Assign&, const Assign&) = default;
};

/// Log chunks of the attempt up to and including `seq` are durable; the agent may drop them.
/// `seq == JobFinished::last_seq + 1` acknowledges the attempt's result: the agent forgets it.
struct Ack {
    AttemptId attempt_id = 0;
    uint64_t seq = 0;

    friend bool operator==(const Ack&, const Ack&) = default;
};

/// Stop the attempt now (cancelled, stale, or no longer owned by this agent).
struct Cancel {
    AttemptId attempt_id = 0;
    std::string reason;

    friend bool operator==(const Cancel&, const Cancel&) = default;
};

/// How many bytes of the upload the coordinator holds, in order from its start: the agent
/// sends on from there (PROTOCOL.md 11).
struct UploadAck {
    AttemptId attempt_id = 0;
    uint64_t upload_id = 0;
    uint64_t received = 0;
    friend bool operator==(const UploadAck&, const UploadAck&) = default;
};

/// The answer to an `upload_end`: stored (empty `error`), or why not.
struct UploadDone {
    AttemptId attempt_id = 0;
    uint64_t upload_id = 0;
    std::string error;
    friend bool operator==(const UploadDone&, const UploadDone&) = default;
};

/// The answer to a `fetch`: the bytes at `offset` (fewer than asked at the blob's end) and
/// the blob's whole `size`; or, with `error` set and no data, why it cannot be read.
struct FetchData {
    AttemptId attempt_id = 0;
    uint64_t fetch_id = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
    std::string data;  // raw bytes (msgpack bin)
    std::string error;
    friend bool operator==(const FetchData&, const FetchData&) = default;
};

/// One path of a cache: the blob to unpack at `path` (as a step names a path in the job).
struct CachePart {
    std::string path;
    std::string sha256;
    uint64_t size = 0;
    friend bool operator==(const CachePart&, const CachePart&) = default;
};

/// The answer to a `cache_find` or `cache_save`. Find: the cache found (`key` empty: none)
/// and its parts. Save: `key` stored, or `existed` when a cache of that name was there
/// already (it is kept, never overwritten). `error`: why the request failed.
struct CacheAnswer {
    AttemptId attempt_id = 0;
    uint64_t request_id = 0;
    std::string key;
    std::vector<CachePart> parts;
    bool existed = false;
    std::string error;
    friend bool operator==(const CacheAnswer&, const CacheAnswer&) = default;
};

using CoordinatorMessage = std::variant<Welcome, Reject, CoordinatorHeartbeat, Assign, Ack, Cancel,
                                        UploadAck, UploadDone, FetchData, CacheAnswer>;

}  // namespace fmg::protocol
