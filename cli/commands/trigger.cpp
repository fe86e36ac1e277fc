// fmg trigger --repo URL --ref REF [--sha SHA] [--param NAME=VALUE]... [--wait]: start a
// pipeline by hand, with pipeline parameters, and with --wait follow it to its end.

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/constants.h"
#include "cli/decode.h"
#include "cli/format.h"
#include "cli/parameter_flags.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

using Clock = std::chrono::steady_clock;

options::Validator commit_sha() {
    return [](std::string_view text) -> std::optional<std::string> {
        bool hex = std::all_of(text.begin(), text.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        });
        if (!hex || text.size() < 7 || text.size() > 64) {
            return "expected a commit id of 7 to 64 hex digits";
        }
        return std::nullopt;
    };
}

/// The parameters of the --param flags as a JSON object; a usage problem when a name is
/// given twice.
Result<Poco::JSON::Object::Ptr> parameters_of(const std::vector<std::string>& flags) {
    auto given = parameters_from_flags(flags);
    if (!given) return given.error();
    Poco::JSON::Object::Ptr parameters = new Poco::JSON::Object;
    for (const auto& [name, value] : *given) parameters->set(name, value);
    return parameters;
}

std::string request_body(const options::Values& options,
                         const Poco::JSON::Object::Ptr& parameters) {
    Poco::JSON::Object body;
    body.set("repo_url", options.text("repo"));
    body.set("ref", options.text("ref"));
    if (auto sha = options.get("sha")) body.set("sha", *sha);
    if (parameters->size() > 0) body.set("parameters", parameters);
    std::ostringstream out;
    body.stringify(out);
    return out.str();
}

/// Polls the pipeline until it is final, with a backoff from kWaitFirstPoll to kWaitMaxPoll,
/// riding out outages shorter than kWaitUnreachableLimit. Prints state changes to stderr
/// and the final line (or JSON) to stdout; 0 when it succeeded, 1 otherwise.
int wait_for(const CommandContext& context, int64_t id) {
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(kWaitFirstPoll);
    std::optional<Clock::time_point> unreachable_since;
    std::string last_status;
    while (true) {
        JsonReply raw;
        auto pipeline = fetch_pipeline(context.api, id, &raw);
        if (!pipeline) {
            if (!pipeline.error().connection_failed) return report(context, pipeline.error());
            if (!unreachable_since) unreachable_since = Clock::now();
            if (Clock::now() - *unreachable_since > kWaitUnreachableLimit) {
                return report(context, pipeline.error());
            }
        } else {
            unreachable_since.reset();
            if (pipeline->status != last_status) {
                last_status = pipeline->status;
                context.console.err << "pipeline #" << id << " " << last_status << "\n";
            }
            if (is_final_status(pipeline->status)) {
                if (context.options.flag("json")) {
                    print_json(context, raw);
                } else {
                    context.console.out << pipeline_line(*pipeline) << "\n";
                }
                return pipeline->status == "success" ? exit_code::kOk : exit_code::kFailed;
            }
        }
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 3 / 2,
                         std::chrono::duration_cast<std::chrono::milliseconds>(kWaitMaxPoll));
    }
}

int run_trigger(const CommandContext& context) {
    const options::Values& options = context.options;
    for (const char* required : {"repo", "ref"}) {
        if (!options.get(required)) {
            return usage_error(context, std::string("--") + required + " is required");
        }
    }
    static const std::vector<std::string> kNone;
    const auto flags = context.repeated.find("param");
    auto parameters = parameters_of(flags == context.repeated.end() ? kNone : flags->second);
    if (!parameters) return usage_error(context, parameters.error().message);
    auto reply = context.api.post("/api/v1/pipelines", request_body(options, *parameters));
    if (!reply) return report(context, reply.error());
    auto id = decode_integer_field(reply->json, "id");
    if (!id) {
        return report(context, {exit_code::kFailed,
                                "unexpected answer from the coordinator: " + id.error().message});
    }
    bool wait = options.flag("wait");
    if (options.flag("json") && !wait) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    context.console.out << "pipeline #" << *id << " queued" << std::endl;
    return wait ? wait_for(context, *id) : exit_code::kOk;
}

}  // namespace

Command trigger_command() {
    return {"trigger",
            "--repo URL --ref REF [--sha SHA] [--param NAME=VALUE]... [--wait]",
            "start a pipeline by hand; --wait follows it and exits 0 only on success",
            {
                {"repo", "URL", "", "", "the repository's clone URL", options::non_empty()},
                {"ref", "REF", "", "", "the branch or tag (e.g. main, refs/tags/v1.0)",
                 options::non_empty()},
                {"sha", "SHA", "", "", "the commit (default: the ref's head)", commit_sha()},
                {"param", "NAME=VALUE", "", "",
                 "a pipeline parameter (`pipeline.parameters.NAME`); repeatable", parameter_flag()},
                {"wait", "", "", "", "follow the pipeline until it ends", nullptr},
            },
            0,
            0,
            run_trigger,
            {"param"}};
}

}  // namespace fmg::cli
