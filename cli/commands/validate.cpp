// fmg validate [FILE]: parse a pipeline config offline and show the jobs in the order
// they run, or where the config is wrong.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/constants.h"
#include "cli/parameter_flags.h"
#include "shared/exit_codes.h"
#include "shared/pipeline/config.h"
#include "shared/pipeline/nodes.h"

namespace fmg::cli {

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

/// `build, test (failed or success)`: the jobs required, each with the statuses it may end in
/// when that is not only success.
std::string required_list(const pipeline::Job& job) {
    std::string out;
    for (const auto& name : job.required_jobs) {
        out += (out.empty() ? "" : ", ") + name;
        const auto statuses = job.required_statuses.find(name);
        if (statuses == job.required_statuses.end()) continue;
        std::string accepted;
        for (const auto& status : statuses->second) {
            accepted += (accepted.empty() ? "" : " or ") + status;
        }
        out += " (" + accepted + ")";
    }
    return out;
}

/// `1. test (workflow ci): image cimg/base:stable with services postgres:16, 4 steps,
/// requires build`; a job that runs on the runner's host (`machine`) says `on the host`, and
/// one that needs runner labels ends with `, runner labels machine, large`; one with
/// `parallelism` says `, parallelism 4 (nodes test[0] to test[3])` before its requires; one
/// in a `serial-group` ends with `, serial group deploy/prod`; one a 2.1 matrix made says
/// `, matrix test (node=18, shard=0)` before its requires.
std::string job_line(size_t position, const pipeline::Job& job) {
    std::string line = std::to_string(position) + ". " + job.name;
    if (!job.workflow.empty()) line += " (workflow " + job.workflow + ")";
    if (job.type != pipeline::JobType::build) {
        // `3. hold (workflow ci): approval, requires build`: nothing runs on a runner.
        line += job.type == pipeline::JobType::approval ? ": approval" : ": no-op";
        if (!job.required_jobs.empty()) line += ", requires " + required_list(job);
        return line;
    }
    line += job.image.image.empty() ? ": on the host" : ": image " + job.image.image;
    if (!job.services.empty()) {
        std::vector<std::string> services;
        for (const auto& service : job.services) services.push_back(service.image);
        line += " with services " + joined(services);
    }
    line += ", " + std::to_string(job.steps.size()) + (job.steps.size() == 1 ? " step" : " steps");
    if (job.parallelism > 1) {
        line += ", parallelism " + std::to_string(job.parallelism) + " (nodes " +
                pipeline::node_name(job.name, 0) + " to " +
                pipeline::node_name(job.name, job.parallelism - 1) + ")";
    }
    if (job.matrix) {
        std::vector<std::string> values;
        for (const auto& [name, value] : job.matrix->parameters)
            values.push_back(name + "=" + value);
        line += ", matrix " + job.matrix->alias + " (" + joined(values) + ")";
    }
    if (!job.required_jobs.empty()) line += ", requires " + required_list(job);
    if (!job.labels.empty()) line += ", runner labels " + joined(job.labels);
    if (!job.serial_group.empty()) line += ", serial group " + job.serial_group;
    return line;
}

std::string_view type_name(pipeline::JobType type) {
    switch (type) {
        case pipeline::JobType::approval:
            return "approval";
        case pipeline::JobType::no_op:
            return "no-op";
        case pipeline::JobType::build:
            break;
    }
    return "build";
}

std::string config_json(const std::string& file, const pipeline::Config& config) {
    Poco::JSON::Array jobs;
    for (const pipeline::Job& job : config.jobs) {
        Poco::JSON::Object item;
        item.set("name", job.name);
        item.set("workflow", job.workflow);
        item.set("type", std::string(type_name(job.type)));
        item.set("image", job.image.image);
        Poco::JSON::Array services, required, labels;
        for (const auto& service : job.services) services.add(service.image);
        for (const auto& name : job.required_jobs) required.add(name);
        for (const auto& label : job.labels) labels.add(label);
        item.set("services", services);
        item.set("requires", required);
        Poco::JSON::Object required_statuses;
        for (const auto& [name, statuses] : job.required_statuses) {
            Poco::JSON::Array accepted;
            for (const auto& status : statuses) accepted.add(status);
            required_statuses.set(name, accepted);
        }
        item.set("requires_statuses", required_statuses);
        item.set("labels", labels);
        item.set("steps", static_cast<int64_t>(job.steps.size()));
        item.set("parallelism", static_cast<int64_t>(job.parallelism));
        if (job.matrix) {
            Poco::JSON::Object matrix, parameters;
            for (const auto& [name, value] : job.matrix->parameters) parameters.set(name, value);
            matrix.set("alias", job.matrix->alias);
            matrix.set("parameters", parameters);
            item.set("matrix", matrix);
        } else {
            item.set("matrix", Poco::Dynamic::Var());
        }
        item.set("serial_group", job.serial_group.empty() ? Poco::Dynamic::Var()
                                                          : Poco::Dynamic::Var(job.serial_group));
        jobs.add(item);
    }
    Poco::JSON::Object root;
    root.set("file", file);
    root.set("version", config.version);
    root.set("jobs", jobs);
    std::ostringstream out;
    root.stringify(out);
    return out.str();
}

int run_validate(const CommandContext& context) {
    const options::Values& options = context.options;
    std::string file =
        options.positional.empty() ? std::string(kDefaultConfigFile) : options.positional[0];
    if (options.get("branch") && options.get("tag")) {
        return usage_error(context, "give --branch or --tag, not both");
    }
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        return report(context, {exit_code::kNotFound, "no config file " + file});
    }
    if (std::filesystem::is_directory(file, ec)) {
        return report(context, {exit_code::kFailed, "cannot read " + file + ": it is a directory"});
    }
    std::ifstream in(file, std::ios::binary);
    std::string text;
    if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
        return report(context,
                      {exit_code::kFailed, "cannot read " + file + ": " + std::strerror(errno)});
    }
    pipeline::ParseOptions parse_options;
    parse_options.ref = {options.text("branch"), options.text("tag")};
    parse_options.orb_dir = options.text("orb-dir");
    parse_options.pipeline.trigger_source = "api";
    static const std::vector<std::string> kNone;
    const auto flags = context.repeated.find("param");
    auto parameters =
        parameters_from_flags(flags == context.repeated.end() ? kNone : flags->second);
    if (!parameters) return usage_error(context, parameters.error().message);
    parse_options.pipeline.parameters = std::move(*parameters);
    const pipeline::RefContext& ref = parse_options.ref;
    if (options.flag("expand")) {
        auto expanded = pipeline::expand_config(text, file, parse_options);
        if (auto* error = std::get_if<pipeline::ParseError>(&expanded)) {
            context.console.err << error->to_string() << "\n";
            return exit_code::kFailed;
        }
        context.console.out << std::get<std::string>(expanded);
        return exit_code::kOk;
    }
    auto parsed = pipeline::parse_config(text, file, parse_options);
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) {
        context.console.err << error->to_string() << "\n";
        return exit_code::kFailed;
    }
    const auto& config = std::get<pipeline::Config>(parsed);
    if (options.flag("json")) {
        context.console.out << config_json(file, config) << "\n";
        return exit_code::kOk;
    }
    std::string scope = ref.tag.empty() ? (ref.branch.empty() ? "" : " for branch " + ref.branch)
                                        : " for tag " + ref.tag;
    context.console.out << file << ": valid, version " << config.version << ", "
                        << config.jobs.size() << (config.jobs.size() == 1 ? " job" : " jobs")
                        << scope << (config.jobs.empty() ? "" : ", in order:") << "\n";
    for (size_t i = 0; i < config.jobs.size(); ++i) {
        context.console.out << job_line(i + 1, config.jobs[i]) << "\n";
    }
    return exit_code::kOk;
}

}  // namespace

Command validate_command() {
    return {
        "validate",
        "[FILE] [--branch B | --tag T] [--orb-dir DIR] [--param NAME=VALUE]... [--expand]",
        "check a pipeline config offline (default .circleci/config.yml) and list its jobs",
        {
            {"branch", "B", "", "", "show only the jobs that run for this branch",
             options::non_empty()},
            {"tag", "T", "", "", "show only the jobs that run for this tag", options::non_empty()},
            {"orb-dir", "DIR", "FMG_ORB_DIR", "",
             "read registry orbs from DIR/NAMESPACE/NAME@VERSION.yml (fmg cannot download them)",
             options::non_empty()},
            {"expand",
             "",
             "",
             "",
             "print the config as fmg runs it: 2.1 orbs, commands, executors, parameters and "
             "matrices expanded",
             {}},
        },
        0,
        1,
        run_validate,
        {"param"}};
}

}  // namespace fmg::cli
