// fmg configure add-runner / list-runners / remove-runner: the runner hosts.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/decode.h"
#include "cli/format.h"
#include "shared/exit_codes.h"
#include "shared/time_format.h"

namespace fmg::cli {

namespace {

std::vector<std::string> split_labels(std::string_view text) {
    std::vector<std::string> labels;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = std::min(text.find(',', start), text.size());
        labels.emplace_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return labels;
}

bool has_space(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); });
}

options::Validator label_list() {
    return [](std::string_view text) -> std::optional<std::string> {
        for (const std::string& label : split_labels(text)) {
            if (label.empty() || has_space(label)) {
                return "expected labels separated by commas, e.g. docker,arm64";
            }
        }
        return std::nullopt;
    };
}

std::string add_runner_body(const std::string& host, const options::Values& options) {
    Poco::JSON::Array labels;
    if (auto text = options.get("labels")) {
        for (const std::string& label : split_labels(*text)) labels.add(label);
    }
    Poco::JSON::Object body;
    body.set("host", host);
    body.set("labels", labels);
    body.set("capacity", options.integer("capacity"));
    std::ostringstream out;
    body.stringify(out);
    return out.str();
}

int run_add_runner(const CommandContext& context) {
    const std::string& host = context.options.positional[0];
    if (host.empty() || has_space(host) || host.find('/') != std::string::npos) {
        return usage_error(context, "'" + host + "' is not a host name");
    }
    auto reply = context.api.post("/api/v1/runners", add_runner_body(host, context.options));
    if (!reply) return report(context, reply.error());
    auto id = decode_integer_field(reply->json, "id");
    Poco::JSON::Object::Ptr object = reply->json.type() == typeid(Poco::JSON::Object::Ptr)
                                         ? reply->json.extract<Poco::JSON::Object::Ptr>()
                                         : nullptr;
    if (!id || !object || !object->get("credentials").isString()) {
        return report(context, {exit_code::kFailed,
                                "unexpected answer from the coordinator: "
                                "expected {\"id\", \"credentials\"}"});
    }
    if (context.options.flag("json")) {
        print_json(context, *reply);
    } else {
        context.console.out << object->get("credentials").toString();
        context.console.out.flush();
    }
    context.console.err << "runner " << *id << " registered for " << host << "\n"
                        << "Its credentials went to standard output (save them, e.g. with "
                           "'> agent.cred'); install them on "
                        << host << " and start the agent there:\n"
                        << "  ssh " << host
                        << " 'sudo install -D -m 600 /dev/stdin /etc/fmg/agent.cred' < agent.cred\n"
                        << "  ssh " << host << " 'sudo systemctl enable --now fmg-agent'\n";
    return exit_code::kOk;
}

int run_list_runners(const CommandContext& context) {
    auto reply = context.api.get("/api/v1/runners");
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto runners = decode_runner_list(reply->json);
    if (!runners) {
        return report(context, {exit_code::kFailed, "unexpected answer from the coordinator: " +
                                                        runners.error().message});
    }
    int64_t now = wall_clock_ms();
    for (const RunnerView& runner : *runners) {
        context.console.out << runner_line(runner, now) << "\n";
    }
    if (runners->empty()) {
        context.console.err << "no runners; register one with: fmg configure add-runner HOST\n";
    }
    return exit_code::kOk;
}

/// The id of the runner named by `argument`: an id as given, or the one runner (not yet
/// revoked) registered for that host.
ApiResult<int64_t> runner_id(const CommandContext& context, const std::string& argument) {
    if (auto id = parse_id(argument)) return *id;
    auto reply = context.api.get("/api/v1/runners");
    if (!reply) return reply.error();
    auto runners = decode_runner_list(reply->json);
    if (!runners) {
        return ApiError{exit_code::kFailed,
                        "unexpected answer from the coordinator: " + runners.error().message};
    }
    std::vector<int64_t> matches;
    for (const RunnerView& runner : *runners) {
        if (runner.host == argument && runner.state != "revoked") matches.push_back(runner.id);
    }
    if (matches.empty()) return ApiError{exit_code::kNotFound, "no runner for host " + argument};
    if (matches.size() > 1) {
        std::string ids;
        for (int64_t id : matches) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        return ApiError{exit_code::kUsage,
                        "several runners for host " + argument + " (" + ids + "); give the id"};
    }
    return matches.front();
}

int run_remove_runner(const CommandContext& context) {
    const std::string& argument = context.options.positional[0];
    auto id = runner_id(context, argument);
    if (!id) return report(context, id.error());
    auto reply = context.api.remove("/api/v1/runners/" + std::to_string(*id));
    if (!reply) return report(context, reply.error());
    context.console.out << "runner " << *id << " revoked\n";
    return exit_code::kOk;
}

}  // namespace

Command add_runner_command() {
    return {"configure add-runner",
            "HOST [--labels a,b] [--capacity N]",
            "register a runner host; its agent's credentials go to stdout",
            {
                {"labels", "a,b", "", "", "labels that jobs can ask for", label_list()},
                {"capacity", "N", "", "1", "jobs the runner takes at once",
                 options::integer_between(1, 1024)},
            },
            1,
            1,
            run_add_runner};
}

Command list_runners_command() {
    return {"configure list-runners", "", "the runners, one line each", {}, 0, 0, run_list_runners};
}

Command remove_runner_command() {
    return {"configure remove-runner",
            "ID|HOST",
            "revoke a runner: its agent is disconnected and cannot come back",
            {},
            1,
            1,
            run_remove_runner};
}

}  // namespace fmg::cli
