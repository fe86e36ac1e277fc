#pragma once
// What the benchmark scenarios measured: one Figure per metric, summarised from its samples
// (min, median, p99), with its target and the baseline it is read against. Printed as a
// table at the end of a run and written as JSON with the machine and the commit.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace fmg::bench {

/// The summary of a metric's samples (nearest-rank percentiles).
struct Summary {
    size_t count = 0;
    double min = 0;
    double median = 0;
    double p99 = 0;
    double max = 0;
};

/// Summarises `samples`; all zero when there are none.
Summary summarize(std::vector<double> samples);

struct Figure {
    std::string scenario;     // e.g. "dispatch"
    std::string metric;       // e.g. "webhook -> first step started"
    std::string unit;         // e.g. "ms", "jobs/s", "MiB"
    Summary summary;          // one sample for a single value
    std::string target;       // e.g. "p50 <= 15 ms, p99 <= 50 ms"; empty: none
    std::optional<bool> met;  // whether the target was met; nullopt without a target
    std::string baseline;     // what it is compared with, measured in the same run
};

/// Adds a figure from samples to the run's report.
void record(const std::string& scenario, const std::string& metric, const std::string& unit,
            const std::vector<double>& samples, const std::string& target = {},
            std::optional<bool> met = std::nullopt, const std::string& baseline = {});

/// Every figure recorded so far, in order.
const std::vector<Figure>& figures();

/// Prints the figures as an aligned text table.
void print_table(std::ostream& out);

/// The machine and build a run measured: cores, memory, CPU model, kernel, commit.
struct Machine {
    unsigned cores = 0;
    double memory_gib = 0;
    std::string cpu_model;
    std::string kernel;
    std::string commit;
};

/// Reads the machine's facts (the commit from `git rev-parse HEAD` in `source_dir`).
Machine describe_machine(const std::string& source_dir);

/// Writes {"machine": ..., "started_at": ..., "figures": [...]} to `path`; false when the
/// file cannot be written.
bool write_json(const std::string& path, const Machine& machine, const std::string& started_at);

}  // namespace fmg::bench
