#include "coordinator/http/webhook_events.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "coordinator/github/names.h"

namespace fmg::coordinator::http {
namespace {

using Poco::JSON::Object;
using Kind = WebhookDecision::Kind;

WebhookDecision with(Kind kind, std::string reason) {
    WebhookDecision decision;
    decision.kind = kind;
    decision.reason = std::move(reason);
    return decision;
}

/// A string at a dotted path, or nullopt when any part is missing or not of that type.
std::optional<std::string> string_at(const Object::Ptr& root, const std::string& path) {
    Object::Ptr node = root;
    size_t start = 0;
    while (node) {
        size_t dot = path.find('.', start);
        std::string key =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!node->has(key)) return std::nullopt;
        if (dot == std::string::npos) {
            auto value = node->get(key);
            if (!value.isString()) return std::nullopt;
            return value.extract<std::string>();
        }
        node = node->getObject(key);
        start = dot + 1;
    }
    return std::nullopt;
}

/// A positive integer at `key` of `object`, or nullopt when it is missing or not one.
std::optional<int64_t> positive_integer(const Object::Ptr& object, const std::string& key) {
    if (!object || !object->has(key)) return std::nullopt;
    const auto value = object->get(key);
    if (!value.isInteger()) return std::nullopt;
    try {
        const auto number = value.convert<int64_t>();
        if (number > 0) return number;
    } catch (const Poco::Exception&) {
    }
    return std::nullopt;
}

bool is_hex_sha(const std::string& sha) {
    return github::is_commit_sha(sha);
}

/// Fills repo and repo_url from `repository`; a bad_request decision when they are missing.
std::optional<WebhookDecision> read_repository(const Object::Ptr& root, WebhookDecision& out) {
    auto full_name = string_at(root, "repository.full_name");
    auto clone_url = string_at(root, "repository.clone_url");
    if (!full_name || !clone_url) {
        return with(Kind::bad_request, "missing repository.full_name or repository.clone_url");
    }
    // full_name goes into GitHub API paths (statuses), so it must be a GitHub name.
    if (auto bad = github::full_name_problem(*full_name)) {
        return with(Kind::bad_request, "repository.full_name: " + *bad);
    }
    out.repo = *full_name;
    out.repo_url = *clone_url;
    return std::nullopt;
}

WebhookDecision decide_push(const Object::Ptr& root) {
    auto ref = string_at(root, "ref");
    auto after = string_at(root, "after");
    if (!ref || !after) return with(Kind::bad_request, "push: missing 'ref' or 'after'");
    if (root->has("deleted") && root->get("deleted").isBoolean() &&
        root->getValue<bool>("deleted")) {
        return with(Kind::ignore, "push deletes " + *ref);
    }
    if (*after == std::string(40, '0')) return with(Kind::ignore, "push deletes " + *ref);
    if (!is_hex_sha(*after)) return with(Kind::bad_request, "push: 'after' is not a commit sha");
    if (ref->rfind("refs/heads/", 0) != 0 && ref->rfind("refs/tags/", 0) != 0) {
        return with(Kind::ignore, "push to " + *ref + " is not a branch or tag");
    }
    WebhookDecision decision = with(Kind::run, "");
    if (auto bad = read_repository(root, decision)) return *bad;
    decision.ref = *ref;
    decision.sha = *after;
    decision.trigger = "push";
    return decision;
}

/// "scheme://authority" of a URL, lower-cased; empty for a path (a local test repository).
std::string origin_of(const std::string& url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return "";
    auto path_start = url.find('/', scheme_end + 3);
    std::string origin = url.substr(0, path_start);
    std::transform(origin.begin(), origin.end(), origin.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return origin;
}

/// Whether the URL's path ends with /OWNER/NAME or /OWNER/NAME.git (ignoring case).
bool url_names_repo(std::string url, const std::string& full_name) {
    if (url.size() > 4 && url.compare(url.size() - 4, 4, ".git") == 0) url.resize(url.size() - 4);
    const std::string tail = "/" + full_name;
    return url.size() > tail.size() &&
           github::same_repo(std::string_view(url).substr(url.size() - tail.size()), tail);
}

/// Marks a pull request from a fork and picks where its head commit is fetched from. A null
/// head.repo is a deleted fork: only the base repository is left to fetch from.
std::optional<WebhookDecision> read_fork(const Object::Ptr& root, WebhookDecision& out) {
    auto base = string_at(root, "pull_request.base.repo.full_name");
    if (!base) return with(Kind::bad_request, "pull_request: missing pull_request.base.repo");
    if (!github::is_full_name(*base) || !github::same_repo(*base, out.repo)) {
        return with(Kind::bad_request,
                    "pull_request: base.repo.full_name does not name repository.full_name");
    }
    Object::Ptr head = root->getObject("pull_request")->getObject("head");
    if (!head->has("repo") || head->isNull("repo")) {
        out.from_fork = true;
        out.fork_repo.clear();
        return std::nullopt;
    }
    auto head_name = string_at(root, "pull_request.head.repo.full_name");
    auto head_clone = string_at(root, "pull_request.head.repo.clone_url");
    if (!head_name || !head_clone) {
        return with(Kind::bad_request,
                    "pull_request: missing pull_request.head.repo.full_name or .clone_url");
    }
    if (!github::is_full_name(*head_name)) {
        return with(Kind::bad_request, "pull_request: head.repo.full_name is not owner/name");
    }
    if (github::same_repo(*head_name, *base)) return std::nullopt;  // the base's own branch
    // The head commit lives in the fork: fetch it from there, but only from the host the base
    // repository is on, and only the repository the payload names.
    if (origin_of(*head_clone) != origin_of(out.repo_url) ||
        !url_names_repo(*head_clone, *head_name)) {
        return with(Kind::bad_request, "pull_request: head.repo.clone_url is not " + *head_name +
                                           " on the base repository's host");
    }
    out.from_fork = true;
    out.fork_repo = *head_name;
    out.repo_url = *head_clone;
    return std::nullopt;
}

WebhookDecision decide_pull_request(const Object::Ptr& root) {
    auto action = string_at(root, "action");
    if (!action) return with(Kind::bad_request, "pull_request: missing 'action'");
    if (*action != "opened" && *action != "synchronize" && *action != "reopened") {
        return with(Kind::ignore, "pull_request action '" + *action + "'");
    }
    auto sha = string_at(root, "pull_request.head.sha");
    auto branch = string_at(root, "pull_request.head.ref");
    if (!sha || !branch) {
        return with(Kind::bad_request, "pull_request: missing pull_request.head.sha or .ref");
    }
    if (!is_hex_sha(*sha)) return with(Kind::bad_request, "pull_request: head.sha is not a sha");
    // GitHub sends the number at the top and in the pull request; either will do.
    auto number = positive_integer(root, "number");
    if (!number) number = positive_integer(root->getObject("pull_request"), "number");
    if (!number) {
        return with(Kind::bad_request,
                    "pull_request: missing 'number' (a positive integer), or pull_request.number");
    }
    WebhookDecision decision = with(Kind::run, "");
    if (auto bad = read_repository(root, decision)) return *bad;
    // Statuses go to the base repository; a fork's head commit is fetched from the fork.
    if (auto bad = read_fork(root, decision)) return *bad;
    decision.ref = "refs/heads/" + *branch;
    decision.sha = *sha;
    decision.trigger = "pull_request";
    decision.pr_number = number;
    return decision;
}

}  // namespace

bool needs_approval(const WebhookDecision& decision,
                    const std::vector<std::string>& trusted_repos) {
    return decision.kind == Kind::run && decision.from_fork &&
           !github::repo_listed(decision.repo, trusted_repos);
}

WebhookDecision decide_webhook(const std::string& event, const std::string& body) {
    Object::Ptr root;
    try {
        root = Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return with(Kind::bad_request, "body is not a JSON object");
    }
    if (!root) return with(Kind::bad_request, "body is not a JSON object");
    if (event == "ping") return with(Kind::pong, "");
    if (event == "push") return decide_push(root);
    if (event == "pull_request") return decide_pull_request(root);
    if (event.empty()) return with(Kind::bad_request, "missing X-GitHub-Event header");
    return with(Kind::ignore, "event '" + event + "' is not handled");
}

}  // namespace fmg::coordinator::http
