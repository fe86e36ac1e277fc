#pragma once
// The CircleCI-style pipeline config (`.circleci/config.yml`), as fmg understands it.
// Parsed by the coordinator for every pipeline and by `fmg validate` offline.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fmg::pipeline {

using Environment = std::map<std::string, std::string>;

enum class StepKind {
    checkout,  // check the commit out into the working directory
    run,       // run a shell command in the job's primary container
};

/// When a run step runs, relative to the outcome of the steps before it (CircleCI `when`).
enum class StepWhen { on_success, on_fail, always };

struct Step {
    StepKind kind = StepKind::run;
    std::string name;     // shown in logs and the API; defaults to the command's first line
    std::string command;  // run steps only
    Environment environment;
    std::string working_directory;                // empty: the job's
    std::optional<int64_t> no_output_timeout_ms;  // from `no_output_timeout` ("10m", "30s", "1h")
    StepWhen when = StepWhen::on_success;
};

struct Job {
    std::string name;                   // the name in the workflow (unique in the pipeline)
    std::string image;                  // first `docker` image: runs the steps
    std::vector<std::string> services;  // further `docker` images
    Environment environment;
    std::string working_directory = "~/project";
    std::vector<Step> steps;
    std::vector<std::string>
    requires;  // names of jobs that must succeed first
};

struct Config {
    std::string version;    // "2" or "2.1"
    std::vector<Job> jobs;  // the jobs that run for this ref, each after all it requires
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
struct RefContext {
    std::string branch;  // set for branch pushes and pull requests
    std::string tag;     // set for tag pushes
};

/// Parses a config. With workflows, the result holds the jobs whose filters match `ref`,
/// ordered so every job comes after all it requires. Without workflows, the job `build`.
/// Every problem comes back as a ParseError with the position of the offending node.
std::variant<Config, ParseError> parse_config(std::string_view yaml_text,
                                              std::string_view file_name, const RefContext& ref);

}  // namespace fmg::pipeline
