// fmg token create NAME --role viewer|trigger|admin: a new API token, alone on stdout, shown
// this once; its id and how to use it on stderr.
// fmg token list: every token, one line each (never a value: the coordinator has none).
// fmg token revoke ID: the token authenticates nothing from now on.
// fmg audit [--limit N]: who changed what, when, newest first.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

std::string text_or(const Poco::JSON::Object::Ptr& item, const std::string& key,
                    const std::string& fallback) {
    if (!item->has(key) || item->isNull(key)) return fallback;
    return item->getValue<std::string>(key);
}

int run_token_create(const CommandContext& context) {
    const std::string& name = context.options.positional[0];
    Poco::JSON::Object body;
    body.set("name", name);
    body.set("role", *context.options.get("role"));
    std::ostringstream text;
    body.stringify(text);
    auto reply = context.api.post("/api/v1/tokens", text.str());
    if (!reply) return report(context, reply.error());
    std::string token;
    int64_t id = 0;
    try {
        auto object = reply->json.extract<Poco::JSON::Object::Ptr>();
        token = object->getValue<std::string>("token");
        id = object->getValue<int64_t>("id");
    } catch (const Poco::Exception& e) {
        return report(context, {exit_code::kFailed,
                                "unexpected answer from the coordinator: " + e.displayText()});
    }
    if (context.options.flag("json")) {
        print_json(context, *reply);
    } else {
        context.console.out << token << "\n";
    }
    context.console.out.flush();
    context.console.err << "token " << id << " (" << name << ", " << *context.options.get("role")
                        << ") created. It is shown this once: the coordinator keeps only its "
                           "digest. Use it as FMG_TOKEN, --token or ~/.config/fmg/token\n";
    return exit_code::kOk;
}

int run_token_list(const CommandContext& context) {
    auto reply = context.api.get("/api/v1/tokens");
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto tokens = reply_items(*reply, "tokens");
    if (!tokens) return report(context, tokens.error());
    for (const auto& token : *tokens) {
        context.console.out << token->getValue<int64_t>("id") << ": "
                            << token->getValue<std::string>("name") << " ["
                            << token->getValue<std::string>("role") << "] created "
                            << display_time(token->getValue<std::string>("created_at")) << " by "
                            << token->getValue<std::string>("created_by") << ", last used "
                            << display_time(text_or(token, "last_used_at", "never"));
        if (!token->isNull("revoked_at")) {
            context.console.out << ", revoked "
                                << display_time(token->getValue<std::string>("revoked_at"));
        }
        context.console.out << "\n";
    }
    return exit_code::kOk;
}

int run_token_revoke(const CommandContext& context) {
    auto id = parse_id(context.options.positional[0]);
    if (!id) return usage_error(context, "a token id is a positive integer (see fmg token list)");
    auto reply = context.api.remove("/api/v1/tokens/" + std::to_string(*id));
    if (!reply) return report(context, reply.error());
    context.console.out << "token " << *id << " revoked\n";
    return exit_code::kOk;
}

int run_audit(const CommandContext& context) {
    auto reply =
        context.api.get("/api/v1/audit?limit=" + std::to_string(context.options.integer("limit")));
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto entries = reply_items(*reply, "entries");
    if (!entries) return report(context, entries.error());
    for (const auto& entry : *entries) {
        context.console.out << display_time(entry->getValue<std::string>("at")) << "  "
                            << entry->getValue<std::string>("actor") << " ["
                            << entry->getValue<std::string>("role") << "]  "
                            << entry->getValue<std::string>("action") << "  "
                            << entry->getValue<int64_t>("status");
        const std::string detail = text_or(entry, "detail", "");
        if (!detail.empty()) context.console.out << "  " << detail;
        context.console.out << "\n";
    }
    if (entries->empty()) context.console.err << "the audit log is empty\n";
    return exit_code::kOk;
}

options::Validator role_name() {
    return [](std::string_view text) -> std::optional<std::string> {
        if (text == "viewer" || text == "trigger" || text == "admin") return std::nullopt;
        return "must be viewer, trigger or admin";
    };
}

}  // namespace

Command token_create_command() {
    return {"token create",
            "NAME --role viewer|trigger|admin",
            "create an API token (printed once): viewer reads, trigger also starts, cancels, "
            "retries and approves pipelines, admin also manages runners, tokens and secrets",
            {{"role", "ROLE", "", "", "viewer, trigger or admin (required)", role_name()}},
            1,
            1,
            [](const CommandContext& context) {
                if (!context.options.get("role")) {
                    return usage_error(context, "--role is required: viewer, trigger or admin");
                }
                return run_token_create(context);
            }};
}

Command token_list_command() {
    return {"token list",  "", "the API tokens: id, name, role, dates (never a value)", {}, 0, 0,
            run_token_list};
}

Command token_revoke_command() {
    return {"token revoke",
            "ID",
            "revoke an API token: it authenticates nothing from now on",
            {},
            1,
            1,
            run_token_revoke};
}

Command audit_command() {
    return {"audit",
            "[--limit N]",
            "who changed what and when (every change through the API, and refusals), newest "
            "first",
            {{"limit", "N", "", "50", "at most N entries", options::integer_between(1, 1000)}},
            0,
            0,
            run_audit};
}

}  // namespace fmg::cli
