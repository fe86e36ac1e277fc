#pragma once
// The CircleCI-style pipeline config (`.circleci/config.yml`), as fmg understands it.
// Parsed by the coordinator for every pipeline and by `fmg validate` offline.
// What is supported, with examples: docs/pipeline-config.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "shared/pipeline/constants.h"

namespace fmg::pipeline {

using Environment = std::map<std::string, std::string>;

enum class StepKind {
    checkout,              // check the commit out into the working directory
    run,                   // run a shell command in the job's primary container (or `deploy`)
    save_cache,            // `files`: one key, the paths
    restore_cache,         // `files`: the keys to try, in order
    persist_to_workspace,  // `files`: root and paths
    attach_workspace,      // `files`: where (`at`)
    store_artifacts,       // `files`: one path and its destination
    store_test_results,    // `files`: one path
    setup_remote_docker,   // a Docker engine for the job's steps
    add_ssh_keys,          // `fingerprints`: the keys to add
};

/// What a step that moves files names: caches, workspaces, artifacts, test results. The
/// values are as written (cache keys keep their `{{ }}` templates).
struct FileStep {
    std::vector<std::string> keys;   // save_cache: its `key`; restore_cache: `key` or `keys`
    std::vector<std::string> paths;  // save_cache and persist_to_workspace: `paths`;
                                     // store_artifacts and store_test_results: `path`
    std::string root;                // persist_to_workspace
    std::string at;                  // attach_workspace
    std::string destination;         // store_artifacts; empty: the path as written
};

/// When a run step runs, relative to the outcome of the steps before it (CircleCI `when`).
enum class StepWhen {
    on_success,  // only while every step before it succeeded (the default)
    on_fail,     // only once a step before it failed
    always,      // whatever happened before
};

struct Step {
    StepKind kind = StepKind::run;
    std::string name;         // shown in logs and the API; defaults to the command's first line
    std::string command;      // run steps only
    Environment environment;  // added to (and overriding) the job's, run steps only
    // Run steps: where the command runs; empty: the job's working directory; relative paths
    // are relative to it. Checkout steps: always empty (the code goes to the job's).
    std::string working_directory;
    std::optional<int64_t> no_output_timeout_ms;  // from `no_output_timeout` ("10m", "1.5h")
    StepWhen when = StepWhen::on_success;
    // Run steps: the shell that runs the command (`shell`, else the job's); empty: the agent's
    // default, `/bin/bash -eo pipefail` where bash is, else `/bin/sh -eo pipefail`.
    std::string shell;
    bool background = false;          // run steps: the job goes on at once (`background: true`)
    int max_auto_reruns = 0;          // run steps: reruns after a failure, 0..5
    int64_t auto_rerun_delay_ms = 0;  // run steps: the wait before each rerun, at most 10 min
    FileStep files;                   // the file steps only
    std::vector<std::string> fingerprints;  // add_ssh_keys only; empty: every key
};

/// The credentials a `docker` image is pulled with (CircleCI `auth`). Each value is a
/// literal or a reference to one variable of the job's environment, `$NAME` or `${NAME}`,
/// which the agent resolves (never in its own environment). No username: no credentials.
struct RegistryAuth {
    std::string username;
    std::string password;

    friend bool operator==(const RegistryAuth&, const RegistryAuth&) = default;
};

/// One `docker` image and how its container runs (CircleCI's keys of a `docker` item).
struct ImageSpec {
    std::string image;  // the reference, e.g. "postgres:16" or "registry:5000/team/app@sha256:..."
    // The host name the job's containers reach this one by (they share one network namespace,
    // so it names 127.0.0.1); empty: `localhost` only.
    std::string name;
    std::vector<std::string> entrypoint;  // empty: the image's
    std::vector<std::string> command;     // empty: the image's; the primary runs none without
    std::string user;                     // empty: the image's; the primary's runs the steps
    // A service's own variables. The primary's `environment` joins the job's instead (its
    // steps see it), so it is always empty on the primary.
    Environment environment;
    RegistryAuth auth;

    friend bool operator==(const ImageSpec&, const ImageSpec&) = default;
};

/// What a job is (CircleCI `type`): one that runs steps, or one that runs nothing.
enum class JobType {
    build,     // runs its steps on a runner (the default)
    approval,  // a workflow entry `type: approval`: waits for a person to approve it
    no_op,     // a definition `type: no-op`: succeeds at once, for shaping `requires`
};

/// The ends a `requires` status qualifier names (CircleCI's job statuses): `success`,
/// `failed` (fmg's failed and error), `canceled` and `not_run` (fmg's skipped).
inline constexpr std::string_view kRequiredStatuses[] = {"canceled", "failed", "not_run",
                                                         "success"};

/// Where a job a 2.1 `matrix` made comes from: the matrix's alias (by default the job it
/// spreads) and the parameters' values of this job, in the order of their names.
struct MatrixOrigin {
    std::string alias;
    std::vector<std::pair<std::string, std::string>> parameters;

    friend bool operator==(const MatrixOrigin&, const MatrixOrigin&) = default;
};

struct Job {
    // Its name in the pipeline (unique there): the name its workflow gives it, or, when two
    // workflows that run together each have a job of that name, `WORKFLOW:NAME`
    // (nodes.h, shared_name).
    std::string name;
    std::string name_in_workflow;  // the name its workflow gives it (CIRCLE_JOB)
    // approval and no_op jobs have no image, services, steps or labels: nothing runs.
    JobType type = JobType::build;
    std::string workflow;                // the workflow it comes from; empty without workflows
    std::optional<MatrixOrigin> matrix;  // set for a job a 2.1 matrix made
    ImageSpec image;                     // first `docker` image: runs the steps
    std::vector<ImageSpec> services;     // further `docker` images
    Environment environment;
    std::string working_directory = kDefaultWorkingDirectory;
    std::string shell;  // the job's `shell`: its run steps' unless they name their own
    std::vector<Step> steps;
    // Names of the jobs that must succeed first (CircleCI `requires`, a C++20 keyword); all
    // are in the same Config.
    std::vector<std::string> required_jobs;
    // The `requires` items with status qualifiers (`- build: [success, failed]`): how each of
    // those jobs may end for this one to run, as sorted kRequiredStatuses. A required job
    // missing here must succeed.
    std::map<std::string, std::vector<std::string>> required_statuses;
    // What the runner that takes it must be labelled with (`machine`, `macos`, `windows`,
    // `resource_class`; runner_labels.h); empty: any runner. A `machine` job has no `image`
    // (`image.image` is empty).
    std::vector<std::string> labels;
    // The workflow entry's `context`s: the secrets the job's steps get. fmg has no secrets
    // yet, so a job naming a context fails with a clear message (coordinator/domain/job_spec).
    std::vector<std::string> contexts;
    // `parallelism`: how many copies of the job run at once, each told its CIRCLE_NODE_INDEX
    // (0 to parallelism - 1) and CIRCLE_NODE_TOTAL; the job succeeds when every copy does.
    uint32_t parallelism = 1;
    // `retention: {caches: Nd}`: days the caches it saves are kept; 0: the store's default.
    uint32_t cache_retention_days = 0;
    // `serial-group`: jobs of one group run one at a time across all pipelines, the newest
    // pipeline's first (coordinator/lifecycle/serial_groups.h); empty: none.
    std::string serial_group;
};

/// A workflow's `triggers: - schedule:` (CircleCI's scheduled workflows): the workflow runs
/// on this schedule, for the branches its filter lets through, and never for pushes.
struct Schedule {
    std::string workflow;                    // the workflow it runs
    std::string cron;                        // five POSIX fields, UTC (cron.h), as written
    std::vector<std::string> branches_only;  // the filter's values as written
    std::vector<std::string> branches_ignore;
};

struct Config {
    std::string version;    // "2" or "2.1"
    std::vector<Job> jobs;  // the jobs that run for this ref, each after all it requires;
                            // empty when the filters select nothing for the ref
    // The schedules whose branch filter lets the ref's branch through (every one for an empty
    // ref, none for a tag), in config order.
    std::vector<Schedule> schedules;
};

/// Where and why a config is wrong; `to_string()` is `FILE:LINE:COL: message` (1-based).
struct ParseError {
    std::string file;
    int line = 1;
    int column = 1;
    std::string message;

    std::string to_string() const;
};

/// What the pipeline runs for, to apply workflow `filters`.
/// A tag push sets `tag` (`branch` is then ignored); a branch push or pull request sets
/// `branch`. Neither set selects every job of every workflow, unfiltered: that is what
/// `fmg validate` shows.
struct RefContext {
    std::string branch;  // set for branch pushes and pull requests
    std::string tag;     // set for tag pushes
    // Set for a run of a scheduled workflow (with `branch`): only that workflow's jobs run.
    // Otherwise workflows with `triggers` never run for a ref (only for an empty one).
    std::string scheduled_workflow = {};
};

/// The values a 2.1 config can refer to as `<< pipeline.* >>`, for one pipeline.
struct PipelineValues {
    std::string id;              // `pipeline.id`
    int64_t number = 0;          // `pipeline.number`
    std::string revision;        // `pipeline.git.revision`: the commit
    std::string base_revision;   // `pipeline.git.base_revision`: the commit before, if known
    std::string git_url;         // `pipeline.project.git_url`
    std::string repository;      // OWNER/NAME: `pipeline.project.slug` is gh/OWNER/NAME
    std::string trigger_source;  // `pipeline.trigger_source`: webhook, api, scheduled_pipeline
    std::string schedule_name;   // `pipeline.schedule.name`, for scheduled pipelines
    // `pipeline.parameters.NAME`: values the trigger gave (`fmg trigger --param k=v`); the
    // config's `parameters` declare them, with types and defaults.
    std::map<std::string, std::string> parameters;
};

/// Everything parsing a config depends on besides its text.
struct ParseOptions {
    RefContext ref;  // also `pipeline.git.branch` and `pipeline.git.tag`
    PipelineValues pipeline;
    // Where registry orbs' sources are (`NAMESPACE/NAME@VERSION.yml`, as `circleci orb
    // source` prints them); empty: none, so a config importing a registry orb is refused.
    std::string orb_dir;
};

/// Parses a config. With workflows, the result holds the jobs whose filters match `ref`
/// (CircleCI rules: on a tag push only jobs with a matching `tags` filter run; a job whose
/// required job does not run does not run either), ordered so every job comes after all it
/// requires, and otherwise in config order. Without workflows, the job `build` (for a branch
/// push; nothing for a tag push, as CircleCI). Every job definition is checked, used or not.
/// Every problem, YAML syntax included, comes back as a ParseError with the position of the
/// offending node; nothing is thrown. Input is bounded (see constants.h).
std::variant<Config, ParseError> parse_config(std::string_view yaml_text,
                                              std::string_view file_name,
                                              const ParseOptions& options);
/// The same with only a ref: no pipeline values beyond the branch or tag, no orb directory.
std::variant<Config, ParseError> parse_config(std::string_view yaml_text,
                                              std::string_view file_name, const RefContext& ref);

/// The config as fmg runs it, as YAML (what CircleCI's `circleci config process` prints): a
/// 2.1 config with orbs, commands, executors, parameters, matrices and `when` conditions
/// expanded into plain jobs and workflows; a 2.0 config with its anchors and merge keys
/// resolved. Fails as parse_config does.
std::variant<std::string, ParseError> expand_config(std::string_view yaml_text,
                                                    std::string_view file_name,
                                                    const ParseOptions& options);

}  // namespace fmg::pipeline
