// fmg secret set CONTEXT NAME: the value from standard input (never an argument: arguments are
// in the process list and the shell's history).
// fmg secret list [CONTEXT]: a context's secrets by name and date, or the contexts; never a value.
// fmg secret rm CONTEXT NAME.
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

std::string secret_path(const std::string& context, const std::string& name) {
    return "/api/v1/contexts/" + path_segment(context) + "/secrets/" + path_segment(name);
}

int run_secret_set(const CommandContext& context) {
    const std::string& context_name = context.options.positional[0];
    const std::string& name = context.options.positional[1];
    if (::isatty(STDIN_FILENO)) {
        context.console.err << "reading the value of " << name
                            << " from standard input (end with Ctrl-D)\n";
    }
    std::string value = value_from_input(
        std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()));
    auto reply = context.api.put_bytes(secret_path(context_name, name), value);
    OPENSSL_cleanse(value.data(), value.size());
    if (!reply) return report(context, reply.error());
    const bool created = reply->status == 201;
    context.console.out << "secret " << name << " of context " << context_name
                        << (created ? " created" : " replaced") << "\n";
    return exit_code::kOk;
}

int run_secret_list(const CommandContext& context) {
    const bool one_context = !context.options.positional.empty();
    auto reply = context.api.get(
        one_context ? "/api/v1/contexts/" + path_segment(context.options.positional[0]) + "/secrets"
                    : std::string("/api/v1/contexts"));
    if (!reply) return report(context, reply.error());
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    auto items = reply_items(*reply, one_context ? "secrets" : "contexts");
    if (!items) return report(context, items.error());
    for (const auto& item : *items) {
        if (one_context) {
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
        context.console.err << (one_context ? "context " + context.options.positional[0] +
                                                  " has no secrets\n"
                                            : std::string("no contexts have secrets\n"));
    }
    return exit_code::kOk;
}

int run_secret_rm(const CommandContext& context) {
    const std::string& context_name = context.options.positional[0];
    const std::string& name = context.options.positional[1];
    auto reply = context.api.remove(secret_path(context_name, name));
    if (!reply) return report(context, reply.error());
    context.console.out << "secret " << name << " of context " << context_name << " removed\n";
    return exit_code::kOk;
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
            "CONTEXT NAME",
            "set a secret of a context from standard input (one trailing newline is dropped); "
            "jobs of workflows with `context: CONTEXT` get it as the variable NAME",
            {},
            2,
            2,
            run_secret_set};
}

Command secret_list_command() {
    return {"secret list",
            "[CONTEXT]",
            "a context's secrets (names and dates, never values), or every context",
            {},
            0,
            1,
            run_secret_list};
}

Command secret_rm_command() {
    return {"secret rm", "CONTEXT NAME", "remove a secret of a context", {}, 2, 2, run_secret_rm};
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
