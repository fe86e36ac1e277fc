// fmg list: recent pipelines, newest first, one line each.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/decode.h"
#include "cli/format.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

int run_list(const CommandContext& context) {
    const options::Values& options = context.options;
    std::string target = with_query("/api/v1/pipelines", {{"limit", options.text("limit")},
                                                          {"status", options.text("status")},
                                                          {"repo", options.text("repo")}});
    auto reply = context.api.get(target);
    if (!reply) return report(context, reply.error());
    if (options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto pipelines = decode_pipeline_list(reply->json);
    if (!pipelines) {
        return report(context, {exit_code::kFailed, "unexpected answer from the coordinator: " +
                                                        pipelines.error().message});
    }
    for (const PipelineView& pipeline : *pipelines) {
        context.console.out << pipeline_line(pipeline) << "\n";
    }
    auto total = decode_integer_field(reply->json, "total");
    if (pipelines->empty()) {
        context.console.err << "no pipelines\n";
    } else if (total && *total > static_cast<int64_t>(pipelines->size())) {
        context.console.err << "(" << pipelines->size() << " of " << *total
                            << " pipelines; see more with --limit)\n";
    }
    return exit_code::kOk;
}

}  // namespace

Command list_command() {
    return {"list",
            "[--limit N] [--status S] [--repo OWNER/NAME]",
            "recent pipelines, newest first",
            {
                {"limit", "N", "", "20", "how many pipelines to show",
                 options::integer_between(1, 1000)},
                {"status", "S", "", "", "only pipelines in this state",
                 options::one_of({"queued", "running", "success", "failed", "error", "cancelled"})},
                {"repo", "R", "", "", "only pipelines of this repository (owner/name)",
                 options::non_empty()},
            },
            0,
            0,
            run_list};
}

}  // namespace fmg::cli
