// fmg show ID: one pipeline with its jobs, attempts and steps.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format.h"
#include "shared/exit_codes.h"
#include "shared/time_format.h"

namespace fmg::cli {

namespace {

int run_show(const CommandContext& context) {
    const std::string& argument = context.options.positional[0];
    auto id = parse_id(argument);
    if (!id) return usage_error(context, "'" + argument + "' is not a pipeline id");
    JsonReply raw;
    auto pipeline = fetch_pipeline(context.api, *id, &raw);
    if (!pipeline) return report(context, pipeline.error());
    if (context.options.flag("json")) {
        print_json(context, raw);
    } else {
        context.console.out << pipeline_details(*pipeline, wall_clock_ms());
    }
    return exit_code::kOk;
}

}  // namespace

Command show_command() {
    return {"show", "ID",    "one pipeline: jobs, attempts, runners, steps and durations", {}, 1,
            1,      run_show};
}

}  // namespace fmg::cli
