// fmg secret set CONTEXT NAME | --repo OWNER/NAME NAME: the value from standard input (never an
// argument: arguments are in the process list and the shell's history).
// fmg secret list [CONTEXT] | --repo OWNER/NAME: a context's or a repository's secrets by name
// and date, or the contexts; never a value.
// fmg secret rm CONTEXT NAME | --repo OWNER/NAME NAME.
// fmg secret rotate-key: the coordinator seals every secret again under a fresh key.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <iostream>
#include <iterator>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

/// What a secret's value read from standard input becomes: the bytes as they came, less one
/// trailing line break (`echo VALUE |` and a file saved by an editor add one).
std::string value_from_input(std::string input) {
    if (input.size() >= 2 && input.compare(input.size() - 2, 2, "\r\n") == 0) {
        input.resize(input.size() - 2);
    } else if (!input.empty() && input.back() == '\n') {
        input.pop_back();
    }
    return input;
}

/// Whose secrets a command names: `--repo OWNER/NAME`, or the context given first.
struct Owner {
    std::string path;       // "/api/v1/contexts/prod", "/api/v1/repos/acme/app"
    std::string described;  // "context prod", "repository acme/app"
    size_t name_at = 1;     // where the secret's name is among the positional arguments
};

Owner owner_of(const CommandContext& context) {
    if (auto repo = context.options.get("repo")) {
        const auto slash = repo->find('/');
        return {"/api/v1/repos/" + path_segment(repo->substr(0, slash)) + "/" +
                    path_segment(repo->substr(slash + 1)),
                "repository " + *repo, 0};
    }
    const std::string& name = context.options.positional[0];
    return {"/api/v1/contexts/" + path_segment(name), "context " + name, 1};
}

/// The arguments a command takes besides `--repo`: `with_name` adds the secret's NAME.
/// Returns a usage error's exit code, or nullopt when they fit.
std::optional<int> arguments_problem(const CommandContext& context, bool with_name) {
    const size_t given = context.options.positional.size();
    const size_t wanted = (context.options.get("repo") ? 0 : 1) + (with_name ? 1 : 0);
    if (given == wanted) return std::nullopt;
    return usage_error(context, context.options.get("repo")
                                    ? std::string("with --repo, give ") +
                                          (with_name ? "the secret's NAME alone" : "no CONTEXT")
                                    : std::string("give CONTEXT") + (with_name ? " NAME" : "") +
                                          ", or --repo OWNER/NAME");
}

int run_secret_set(const CommandContext& context) {
    if (auto bad = arguments_problem(context, true)) return *bad;
    const Owner owner = owner_of(context);
    const std::string& name = context.options.positional[owner.name_at];
    if (::isatty(STDIN_FILENO)) {
        context.console.err << "reading the value of " << name
                            << " from standard input (end with Ctrl-D)\n";
    }
    std::string value = value_from_input(
        std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()));
    auto reply = context.api.put_bytes(owner.path + "/secrets/" + path_segment(name), value);
    OPENSSL_cleanse(value.data(), value.size());
    if (!reply) return report(context, reply.error());
    const bool created = reply->status == 201;
    context.console.out << "secret " << name << " of " << owner.described
                        << (created ? " created" : " replaced") << "\n";
    return exit_code::kOk;
}

int run_secret_list(const CommandContext& context) {
    if (context.options.get("repo")) {
        if (auto bad = arguments_problem(context, false)) return *bad;
    }
    const bool one = context.options.get("repo") || !context.options.positional.empty();
    const std::optional<Owner> owner = one ? std::optional(owner_of(context)) : std::nullopt;
    auto reply =
        context.api.get(owner ? owner->path + "/secrets" : std::string("/api/v1/contexts"));
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto items = reply_items(*reply, owner ? "secrets" : "contexts");
    if (!items) return report(context, items.error());
    for (const auto& item : *items) {
        if (owner) {
            context.console.out << item->getValue<std::string>("name") << "  created "
                                << display_time(item->getValue<std::string>("created_at"))
                                << "  updated "
                                << display_time(item->getValue<std::string>("updated_at")) << " by "
                                << item->getValue<std::string>("updated_by") << "\n";
        } else {
            context.console.out << item->getValue<std::string>("name") << "  "
                                << item->getValue<int64_t>("secrets") << " secret(s), updated "
                                << display_time(item->getValue<std::string>("updated_at")) << "\n";
        }
    }
    if (items->empty()) {
        context.console.err << (owner ? owner->described + " has no secrets\n"
                                      : std::string("no contexts have secrets\n"));
    }
    return exit_code::kOk;
}

int run_secret_rm(const CommandContext& context) {
    if (auto bad = arguments_problem(context, true)) return *bad;
    const Owner owner = owner_of(context);
    const std::string& name = context.options.positional[owner.name_at];
    auto reply = context.api.remove(owner.path + "/secrets/" + path_segment(name));
    if (!reply) return report(context, reply.error());
    context.console.out << "secret " << name << " of " << owner.described << " removed\n";
    return exit_code::kOk;
}

/// --repo OWNER/NAME: the value must be owner/name (the coordinator checks the rest).
options::Spec repo_option() {
    return {"repo",
            "OWNER/NAME",
            "",
            "",
            "the secrets of a repository (every job of its pipelines gets them) instead of a "
            "context's",
            [](std::string_view text) -> std::optional<std::string> {
                const auto slash = text.find('/');
                if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() ||
                    text.find('/', slash + 1) != std::string_view::npos) {
                    return "must be OWNER/NAME";
                }
                return std::nullopt;
            }};
}

int run_rotate_key(const CommandContext& context) {
    auto reply = context.api.post("/api/v1/secrets-key/rotate", "");
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    try {
        auto object = reply->json.extract<Poco::JSON::Object::Ptr>();
        context.console.out << "secrets key rotated: key " << object->getValue<int64_t>("key_id")
                            << " now seals " << object->getValue<int64_t>("resealed")
                            << " secret(s); the old key is gone from DATA_DIR/secrets.key\n";
    } catch (const Poco::Exception& e) {
        return report(context, {exit_code::kFailed,
                                "unexpected answer from the coordinator: " + e.displayText()});
    }
    return exit_code::kOk;
}

}  // namespace

Command secret_set_command() {
    return {"secret set",
            "CONTEXT NAME | --repo OWNER/NAME NAME",
            "set a secret from standard input (one trailing newline is dropped): jobs with "
            "`context: CONTEXT`, or every job of the repository, get it as the variable NAME",
            {repo_option()},
            1,
            2,
            run_secret_set};
}

Command secret_list_command() {
    return {"secret list",
            "[CONTEXT | --repo OWNER/NAME]",
            "a context's or a repository's secrets (names and dates, never values), or every "
            "context",
            {repo_option()},
            0,
            1,
            run_secret_list};
}

Command secret_rm_command() {
    return {"secret rm",
            "CONTEXT NAME | --repo OWNER/NAME NAME",
            "remove a secret of a context or a repository",
            {repo_option()},
            1,
            2,
            run_secret_rm};
}

Command secret_rotate_key_command() {
    return {"secret rotate-key",
            "",
            "seal every secret again under a fresh key in DATA_DIR/secrets.key, and drop the old "
            "key",
            {},
            0,
            0,
            run_rotate_key};
}

}  // namespace fmg::cli
