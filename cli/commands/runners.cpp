// fmg configure add-runner / list-runners / remove-runner: the runner hosts.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/decode.h"
#include "cli/format.h"
#include "shared/exit_codes.h"
#include "shared/host_names.h"
#include "shared/result.h"
#include "shared/time_format.h"

namespace fmg::cli {

namespace {

options::Validator label_list() {
    return [](std::string_view text) { return runner_labels_problem(text); };
}

// Writes the credentials to `path`, created (or truncated) with mode 0600 before a byte is
// written: the file holds the runner's secret key.
Status write_private_file(const std::string& path, const std::string& text) {
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Error{"cannot create " + path + ": " + std::strerror(errno)};
    // An existing file keeps its mode through O_TRUNC: narrow it too.
    bool ok = ::fchmod(fd, 0600) == 0;
    size_t written = 0;
    while (ok && written < text.size()) {
        ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) written += static_cast<size_t>(n);
    }
    const int saved = errno;
    if (::close(fd) != 0 && ok) return Error{"cannot write " + path + ": " + std::strerror(errno)};
    if (!ok) return Error{"cannot write " + path + ": " + std::strerror(saved)};
    return {};
}

// Whether standard output is a file that others than its owner may read (`> agent.cred`
// creates it with the shell's umask, usually 0644).
bool stdout_is_readable_by_others() {
    struct stat info {};
    return ::fstat(STDOUT_FILENO, &info) == 0 && S_ISREG(info.st_mode) &&
           (info.st_mode & (S_IRWXG | S_IRWXO)) != 0;
}

std::string add_runner_body(const std::string& host, const options::Values& options) {
    Poco::JSON::Array labels;
    if (auto text = options.get("labels")) {
        for (const std::string& label : split_runner_labels(*text)) labels.add(label);
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
    if (auto bad = host_name_problem(host)) return usage_error(context, *bad);
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
    const std::string credentials = object->get("credentials").toString();
    std::string file = "agent.cred";
    if (auto output = context.options.get("output")) {
        if (auto written = write_private_file(*output, credentials); !written) {
            context.console.err << "fmg: " << written.error().message << "\n";
            context.console.err << "runner " << *id << " was registered; remove it with "
                                << "'fmg configure remove-runner " << *id << "' and try again\n";
            return exit_code::kFailed;
        }
        file = *output;
        context.console.err << "runner " << *id << " registered for " << host
                            << "; its credentials are in " << file << " (mode 0600)\n";
    } else {
        if (context.options.flag("json")) {
            print_json(context, *reply);
        } else {
            context.console.out << credentials;
            context.console.out.flush();
        }
        context.console.err << "runner " << *id << " registered for " << host << "\n"
                            << "Its credentials went to standard output (save them with "
                               "'-o agent.cred', which makes the file mode 0600)\n";
        if (stdout_is_readable_by_others()) {
            context.console.err << "warning: standard output is a file others can read; it "
                                   "holds the runner's secret key: chmod 600 it now\n";
        }
    }
    context.console.err << "Install them on " << host << " and start the agent there:\n"
                        << "  ssh " << host
                        << " 'sudo install -D -m 600 /dev/stdin /etc/fmg/agent.cred' < " << file
                        << "\n"
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
            "HOST [--labels a,b] [--capacity N] [-o FILE]",
            "register a runner host; its agent's credentials go to stdout, or to FILE",
            {
                {"labels", "a,b", "", "", "labels that jobs can ask for", label_list()},
                {"capacity", "N", "", "1", "jobs the runner takes at once",
                 options::integer_between(1, 1024)},
                {"output", "FILE", "", "",
                 "write the credentials to FILE, created with mode 0600, instead of stdout",
                 options::non_empty(), 'o'},
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
