#pragma once
// The CircleCI-style pipeline config (`.circleci/config.yml`), as fmg understands it.
// Parsed by the coordinator for every pipeline and by `fmg validate` offline.
// What is supported, with examples: docs/pipeline-config.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/pipeline/constants.h"

namespace fmg::pipeline {

using Environment = std::map<std::string, std::string>;

enum class StepKind {
    checkout,  // check the commit out into the working directory
    run,       // run a shell command in the job's primary container
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
};

struct Job {
    std::string name;                   // the name in the workflow (unique in the pipeline)
    std::string workflow;               // the workflow it comes from; empty without workflows
    std::string image;                  // first `docker` image: runs the steps
    std::vector<std::string> services;  // further `docker` images
    Environment environment;
    std::string working_directory = kDefaultWorkingDirectory;
    std::vector<Step> steps;
    // Names of the jobs that must succeed first (CircleCI `requires`, a C++20 keyword); all
    // are in the same Config.
    std::vector<std::string> required_jobs;
    // What the runner that takes it must be labelled with (`machine`, `macos`, `windows`,
    // `resource_class`; runner_labels.h); empty: any runner. A `machine` job has no `image`.
    std::vector<std::string> labels;
};

struct Config {
    std::string version;    // "2" or "2.1"
    std::vector<Job> jobs;  // the jobs that run for this ref, each after all it requires;
                            // empty when the filters select nothing for the ref
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
};

/// Parses a config. With workflows, the result holds the jobs whose filters match `ref`
/// (CircleCI rules: on a tag push only jobs with a matching `tags` filter run; a job whose
/// required job does not run does not run either), ordered so every job comes after all it
/// requires, and otherwise in config order. Without workflows, the job `build` (for a branch
/// push; nothing for a tag push, as CircleCI). Every job definition is checked, used or not.
/// Every problem, YAML syntax included, comes back as a ParseError with the position of the
/// offending node; nothing is thrown. Input is bounded (see constants.h).
std::variant<Config, ParseError> parse_config(std::string_view yaml_text,
                                              std::string_view file_name, const RefContext& ref);

}  // namespace fmg::pipeline
