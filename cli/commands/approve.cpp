// fmg approve ID [JOB]: release the jobs of a fork's pull request held for approval
// (SPEC "fmg (CLI)"). Without JOB every held job is released and jobs that become ready
// later run at once; with JOB only that job is.

#include <Poco/JSON/Object.h>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

/// The names in the answer's `approved` array, joined by ", " (other items are skipped).
std::string approved_names(const JsonReply& reply) {
    std::string names;
    if (reply.json.type() != typeid(Poco::JSON::Object::Ptr)) return names;
    auto array = reply.json.extract<Poco::JSON::Object::Ptr>()->getArray("approved");
    if (!array) return names;
    for (size_t i = 0; i < array->size(); ++i) {
        auto item = array->get(static_cast<unsigned>(i));
        if (!item.isString()) continue;
        if (!names.empty()) names += ", ";
        names += item.toString();
    }
    return names;
}

int run_approve(const CommandContext& context) {
    const std::string& argument = context.options.positional[0];
    auto id = parse_id(argument);
    if (!id) return usage_error(context, "'" + argument + "' is not a pipeline id");
    std::string path = "/api/v1/pipelines/" + std::to_string(*id);
    if (context.options.positional.size() > 1) {
        path += "/jobs/" + path_segment(context.options.positional[1]);
    }
    auto reply = context.api.post(path + "/approve", "");
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    std::string names = approved_names(*reply);
    context.console.out << "pipeline #" << *id << " approved";
    if (!names.empty()) context.console.out << ": " << names << " queued";
    context.console.out << "\n";
    return exit_code::kOk;
}

}  // namespace

Command approve_command() {
    return {"approve",
            "ID [JOB]",
            "run a pull request from a fork: release its jobs held for approval",
            {},
            1,
            2,
            run_approve};
}

}  // namespace fmg::cli
