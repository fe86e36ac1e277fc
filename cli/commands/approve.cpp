// fmg approve ID [JOB]: release the jobs of a fork's pull request held for approval, or
// approve an approval job (SPEC "fmg (CLI)"). Without JOB every held job of a fork's pull
// request is released and jobs that become ready later run at once; with JOB only that job
// is, or, for an approval job, it passes and the jobs requiring it run.

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

/// The strings of the answer's array `key` (other items are skipped).
std::vector<std::string> names_in(const JsonReply& reply, const std::string& key) {
    std::vector<std::string> names;
    if (reply.json.type() != typeid(Poco::JSON::Object::Ptr)) return names;
    auto array = reply.json.extract<Poco::JSON::Object::Ptr>()->getArray(key);
    if (!array) return names;
    for (size_t i = 0; i < array->size(); ++i) {
        auto item = array->get(static_cast<unsigned>(i));
        if (item.isString()) names.push_back(item.toString());
    }
    return names;
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

/// `build, test queued`, `hold passed`, or both joined by `; `: the approved jobs that went to
/// the queue, and the approval jobs among them (`passed`) that succeeded.
std::string approved_summary(const JsonReply& reply) {
    const std::vector<std::string> passed = names_in(reply, "passed");
    std::vector<std::string> queued;
    for (const auto& name : names_in(reply, "approved")) {
        if (std::find(passed.begin(), passed.end(), name) == passed.end()) queued.push_back(name);
    }
    std::string summary;
    if (!queued.empty()) summary = joined(queued) + " queued";
    if (!passed.empty()) summary += (summary.empty() ? "" : "; ") + joined(passed) + " passed";
    return summary;
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
    std::string summary = approved_summary(*reply);
    context.console.out << "pipeline #" << *id << " approved";
    if (!summary.empty()) context.console.out << ": " << summary;
    context.console.out << "\n";
    return exit_code::kOk;
}

}  // namespace

Command approve_command() {
    return {"approve",
            "ID [JOB]",
            "approve a pull request from a fork (its held jobs run), or an approval job JOB",
            {},
            1,
            2,
            run_approve};
}

}  // namespace fmg::cli
