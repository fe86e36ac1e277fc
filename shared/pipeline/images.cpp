#include "shared/pipeline/images.h"

#include <string>

#include "shared/pipeline/environment.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/wire_fit.h"
#include "shared/variable_reference.h"
#include "shared/wire_limits.h"

namespace fmg::pipeline::detail {

namespace {

constexpr std::string_view kImageKeys =
    "image, name, entrypoint, command, user, environment, auth or aws_auth";

// What a service `name` may be: a host name (RFC 1123 labels, and `_`, which Docker allows
// in container names), so that it can stand in /etc/hosts.
bool is_host_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    if (name.front() == '-' || name.front() == '.' || name.back() == '.') return false;
    for (char c : name) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        if (!plain) return false;
    }
    return name.find("..") == std::string_view::npos;
}

Problem read_reference(YamlReader& reader, const Entry& field, std::string& out) {
    if (auto problem = reader.read_scalar(field, out)) return problem;
    if (trim(out).empty()) return reader.error_at(field.where(), "`image` is empty");
    return check_wire_bytes(reader, field.where(), "`image`", out, wire::kMaxNameBytes,
                            "kMaxNameBytes");
}

Problem read_name(YamlReader& reader, const Entry& field, std::string& out) {
    if (auto problem = reader.read_scalar(field, out)) return problem;
    if (!is_host_name(out)) {
        return reader.error_at(field.where(),
                               "`name` " + quoted(out) +
                                   " is not a host name (1 to 253 letters, digits, `-`, `_` "
                                   "and `.`, not starting with `-` or `.`)");
    }
    return std::nullopt;
}

// `entrypoint` or `command`: a string (split into words) or a list of strings (one argument
// each, as written).
Problem read_arguments(YamlReader& reader, const Entry& field, std::vector<std::string>& out) {
    const std::string what = quoted(field.key);
    if (field.value.is_sequence()) {
        std::vector<Node> items;
        if (auto problem = reader.read_sequence(field, items)) return problem;
        if (auto problem = check_wire_count(reader, field.key_node, what, items.size(),
                                            wire::kMaxListItems, "kMaxListItems")) {
            return problem;
        }
        for (const Node& item : items) {
            std::string argument;
            if (auto problem = reader.read_scalar(item, item, "each item of " + what, argument)) {
                return problem;
            }
            if (auto problem = check_wire_bytes(reader, item, "an item of " + what, argument,
                                                wire::kMaxTextBytes, "kMaxTextBytes")) {
                return problem;
            }
            out.push_back(std::move(argument));
        }
    } else {
        std::string text;
        if (auto problem = reader.read_scalar(field, text)) return problem;
        if (auto problem = check_wire_bytes(reader, field.where(), what, text, wire::kMaxTextBytes,
                                            "kMaxTextBytes")) {
            return problem;
        }
        auto words = split_words(text);
        if (!words) {
            return reader.error_at(field.where(), what +
                                                      " has an unterminated quote or ends with "
                                                      "a backslash (or write it as a list)");
        }
        if (auto problem = check_wire_count(reader, field.where(), what, words->size(),
                                            wire::kMaxListItems, "kMaxListItems")) {
            return problem;
        }
        out = std::move(*words);
    }
    if (out.empty()) {
        return reader.error_at(field.where(), what +
                                                  " is empty (to clear the image's own, write "
                                                  "a list of one empty string: [\"\"])");
    }
    return std::nullopt;
}

Problem read_user(YamlReader& reader, const Entry& field, std::string& out) {
    if (auto problem = reader.read_scalar(field, out)) return problem;
    if (trim(out).empty()) return reader.error_at(field.where(), "`user` is empty");
    return check_wire_bytes(reader, field.where(), "`user`", out, wire::kMaxNameBytes,
                            "kMaxNameBytes");
}

// One value of `auth`: a literal, or `$NAME` / `${NAME}` for a variable of the job's
// environment (resolved by the agent when it pulls).
Problem read_credential(YamlReader& reader, const Entry& field, std::string& out,
                        std::size_t max_bytes, std::string_view limit_name) {
    if (auto problem = reader.read_scalar(field, out)) return problem;
    const std::string what = "`auth." + field.key + "`";
    if (out.empty()) return reader.error_at(field.where(), what + " is empty");
    if (is_variable_reference(out) && !referenced_variable(out)) {
        // The value is not shown: it may be the secret itself.
        return reader.error_at(field.where(),
                               what +
                                   " starts with `$` but is not one variable reference "
                                   "(`$NAME` or `${NAME}`, the name made of letters, "
                                   "digits and _)");
    }
    return check_wire_bytes(reader, field.where(), what, out, max_bytes, limit_name);
}

Problem read_auth(YamlReader& reader, const Entry& auth, RegistryAuth& out) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(auth, fields)) return problem;
    for (const Entry& field : fields) {
        Problem problem;
        if (field.key == "username") {
            problem =
                read_credential(reader, field, out.username, wire::kMaxNameBytes, "kMaxNameBytes");
        } else if (field.key == "password") {
            problem =
                read_credential(reader, field, out.password, wire::kMaxTextBytes, "kMaxTextBytes");
        } else {
            problem = reader.unknown_key(field, "`auth`", "username and password");
        }
        if (problem) return problem;
    }
    if (out.username.empty() || out.password.empty()) {
        return reader.error_at(auth.key_node, "`auth` needs both `username` and `password`");
    }
    return std::nullopt;
}

// fmg cannot sign AWS requests for an ECR token; a username and password it can use.
ParseError refuse_aws_auth(YamlReader& reader, const Entry& field) {
    return reader.error_at(
        field.key_node,
        "`aws_auth` is not supported by fmg: the agent cannot obtain ECR credentials itself "
        "(that needs AWS's API and keys). Write `auth` instead, with `username: AWS` and "
        "`password: $ECR_PASSWORD`, a variable holding the output of `aws ecr "
        "get-login-password` (a token valid for 12 hours)");
}

/// One `docker` item. `environment` is where its `environment` goes: the primary's joins the
/// job's, a service's is its container's own.
Problem read_image(YamlReader& reader, const Node& item, ImageSpec& image,
                   Environment& environment) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(item, item, "each `docker` item", fields)) return problem;
    for (const Entry& field : fields) {
        Problem problem;
        if (field.key == "image") {
            problem = read_reference(reader, field, image.image);
        } else if (field.key == "name") {
            problem = read_name(reader, field, image.name);
        } else if (field.key == "entrypoint") {
            problem = read_arguments(reader, field, image.entrypoint);
        } else if (field.key == "command") {
            problem = read_arguments(reader, field, image.command);
        } else if (field.key == "user") {
            problem = read_user(reader, field, image.user);
        } else if (field.key == "environment") {
            problem = read_environment(reader, field, environment);
        } else if (field.key == "auth") {
            problem = read_auth(reader, field, image.auth);
        } else if (field.key == "aws_auth") {
            problem = refuse_aws_auth(reader, field);
        } else if (field.key == "ports") {
            // Not in CircleCI's reference, yet in configs CircleCI runs: it ignores the key, and
            // so does fmg (a job's containers share one network, every port reachable).
        } else {
            problem = reader.unknown_key(field, "a `docker` image", kImageKeys);
        }
        if (problem) return problem;
    }
    if (image.image.empty()) return reader.error_at(item, "a `docker` item needs an `image`");
    return std::nullopt;
}

}  // namespace

std::optional<std::vector<std::string>> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\') {
            if (++i == text.size()) return std::nullopt;
            word += text[i];
        } else if (c == '\'') {
            const std::size_t end = text.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            word += text.substr(i + 1, end - i - 1);
            i = end;
        } else if (c == '"') {
            for (++i;; ++i) {
                if (i == text.size()) return std::nullopt;
                if (text[i] == '"') break;
                if (text[i] == '\\' && i + 1 < text.size() &&
                    (text[i + 1] == '"' || text[i + 1] == '\\')) {
                    ++i;
                }
                word += text[i];
            }
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

Problem read_docker(YamlReader& reader, const Entry& docker, Job& job,
                    Environment& primary_environment) {
    std::vector<Node> items;
    if (auto problem = reader.read_sequence(docker, items)) return problem;
    if (items.empty()) return reader.error_at(docker.where(), "`docker` lists no image");
    // The first image runs the steps; the others go to the assign's `services` list.
    if (auto problem = check_wire_count(reader, docker.key_node, "`docker`", items.size() - 1,
                                        wire::kMaxListItems, "kMaxListItems, for services")) {
        return problem;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        ImageSpec image;
        if (i == 0) {
            if (auto problem = read_image(reader, items[i], image, primary_environment)) {
                return problem;
            }
            job.image = std::move(image);
            continue;
        }
        if (auto problem = read_image(reader, items[i], image, image.environment)) {
            return problem;
        }
        job.services.push_back(std::move(image));
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
