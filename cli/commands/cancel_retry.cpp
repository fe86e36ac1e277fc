// fmg cancel ID and fmg retry ID: act on a whole pipeline.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/decode.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

int run_cancel(const CommandContext& context) {
    const std::string& argument = context.options.positional[0];
    auto id = parse_id(argument);
    if (!id) return usage_error(context, "'" + argument + "' is not a pipeline id");
    auto reply = context.api.post("/api/v1/pipelines/" + std::to_string(*id) + "/cancel", "");
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        if (!reply->body.empty()) print_json(context, *reply);
    } else {
        context.console.out << "pipeline #" << *id << " cancelling\n";
    }
    return exit_code::kOk;
}

int run_retry(const CommandContext& context) {
    const std::string& argument = context.options.positional[0];
    auto id = parse_id(argument);
    if (!id) return usage_error(context, "'" + argument + "' is not a pipeline id");
    auto reply = context.api.post("/api/v1/pipelines/" + std::to_string(*id) + "/retry", "");
    if (!reply) return report(context, reply.error());
    auto new_id = decode_integer_field(reply->json, "id");
    if (!new_id) {
        return report(context, {exit_code::kFailed, "unexpected answer from the coordinator: " +
                                                        new_id.error().message});
    }
    if (context.options.flag("json")) {
        print_json(context, *reply);
    } else {
        context.console.out << "pipeline #" << *new_id << " queued (retry of #" << *id << ")\n";
    }
    return exit_code::kOk;
}

}  // namespace

Command cancel_command() {
    return {"cancel", "ID", "cancel a pipeline", {}, 1, 1, run_cancel};
}

Command retry_command() {
    return {"retry",  "ID", "run a finished pipeline again (its failed jobs and those after them)",
            {},       1,    1,
            run_retry};
}

}  // namespace fmg::cli
