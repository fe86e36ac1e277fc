#include "tests/support/webhook.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace fmg::testing {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr int64_t kRepositoryId = 702158923;
constexpr int64_t kOwnerId = 583231;
constexpr int64_t kHookId = 498811712;

std::string hex(const unsigned char* bytes, size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < size; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 0x0f];
    }
    return out;
}

Object::Ptr ordered_object() {
    return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string github_timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

Object::Ptr user(const std::string& login, int64_t id) {
    Object::Ptr object = ordered_object();
    object->set("login", login);
    object->set("id", id);
    object->set("node_id", "MDQ6VXNlcj" + std::to_string(id));
    object->set("html_url", "https://github.com/" + login);
    object->set("type", "User");
    object->set("site_admin", false);
    return object;
}

Object::Ptr repository(const std::string& owner, const std::string& name,
                       const std::string& clone_url) {
    const std::string full_name = owner + "/" + name;
    Object::Ptr object = ordered_object();
    object->set("id", kRepositoryId);
    object->set("node_id", "R_kgDOKdT3Sw");
    object->set("name", name);
    object->set("full_name", full_name);
    object->set("private", false);
    Object::Ptr owner_object = user(owner, kOwnerId);
    owner_object->set("name", owner);
    owner_object->set("email", Poco::Dynamic::Var());
    object->set("owner", owner_object);
    object->set("html_url", "https://github.com/" + full_name);
    object->set("description", "fmg integration test repository");
    object->set("fork", false);
    object->set("url", "https://github.com/" + full_name);
    object->set("git_url", "git://github.com/" + full_name + ".git");
    object->set("ssh_url", "git@github.com:" + full_name + ".git");
    object->set("clone_url",
                clone_url.empty() ? "https://github.com/" + full_name + ".git" : clone_url);
    object->set("default_branch", "main");
    object->set("master_branch", "main");
    object->set("visibility", "public");
    return object;
}

Object::Ptr person() {
    Object::Ptr object = ordered_object();
    object->set("name", "Octo Cat");
    object->set("email", "octocat@users.noreply.github.com");
    object->set("username", "octocat");
    return object;
}

Object::Ptr commit(const PushEvent& event) {
    Object::Ptr object = ordered_object();
    object->set("id", event.after);
    object->set("distinct", true);
    object->set("message", event.message);
    object->set("timestamp", github_timestamp());
    object->set("url", "https://github.com/" + event.full_name() + "/commit/" + event.after);
    object->set("author", person());
    object->set("committer", person());
    Array::Ptr added = new Array;
    added->add(".circleci/config.yml");
    object->set("added", added);
    object->set("removed", Array::Ptr(new Array));
    object->set("modified", Array::Ptr(new Array));
    return object;
}

std::string stringify(const Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

}  // namespace

std::string sign_webhook(std::string_view secret, std::string_view body) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(),
             &length) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return "sha256=" + hex(digest.data(), length);
}

std::string new_delivery_id() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    const std::string digits = hex(bytes.data(), bytes.size());
    return digits.substr(0, 8) + "-" + digits.substr(8, 4) + "-" + digits.substr(12, 4) + "-" +
           digits.substr(16, 4) + "-" + digits.substr(20);
}

std::string push_payload(const PushEvent& event) {
    const std::string zeros(40, '0');
    Object::Ptr payload = ordered_object();
    payload->set("ref", event.ref);
    payload->set("before", event.before);
    payload->set("after", event.deleted ? zeros : event.after);
    payload->set("repository", repository(event.owner, event.name, event.clone_url));
    Object::Ptr pusher = ordered_object();
    pusher->set("name", "octocat");
    pusher->set("email", "octocat@users.noreply.github.com");
    payload->set("pusher", pusher);
    payload->set("sender", user("octocat", kOwnerId + 1));
    payload->set("created", event.before == zeros && !event.deleted);
    payload->set("deleted", event.deleted);
    payload->set("forced", false);
    payload->set("base_ref", Poco::Dynamic::Var());
    payload->set("compare", "https://github.com/" + event.full_name() + "/compare/" +
                                event.before.substr(0, 12) + "..." +
                                (event.deleted ? zeros : event.after).substr(0, 12));
    Array::Ptr commits = new Array;
    if (event.deleted) {
        payload->set("commits", commits);
        payload->set("head_commit", Poco::Dynamic::Var());
    } else {
        Object::Ptr head = commit(event);
        commits->add(head);
        payload->set("commits", commits);
        payload->set("head_commit", head);
    }
    return stringify(payload);
}

std::string pull_request_payload(const PullRequestEvent& event) {
    const std::string base = event.base_full_name();
    Object::Ptr base_repo = repository(event.base_owner, event.base_name, event.base_clone_url);
    Object::Ptr pr = ordered_object();
    pr->set("url",
            "https://api.github.com/repos/" + base + "/pulls/" + std::to_string(event.number));
    pr->set("id", int64_t{1828371537});
    pr->set("node_id", "PR_kwDOKdT3S85s-7dR");
    pr->set("html_url", "https://github.com/" + base + "/pull/" + std::to_string(event.number));
    pr->set("number", event.number);
    pr->set("state", event.action == "closed" ? "closed" : "open");
    pr->set("locked", false);
    pr->set("title", "Improve the README");
    pr->set("user", user(event.user, kOwnerId + 7));
    pr->set("body", "Please run CI on this.");
    pr->set("created_at", github_timestamp());
    pr->set("updated_at", github_timestamp());
    pr->set("draft", false);
    pr->set("author_association", event.from_fork() ? "FIRST_TIME_CONTRIBUTOR" : "OWNER");

    Object::Ptr head = ordered_object();
    head->set("label", event.head_owner + ":" + event.head_ref);
    head->set("ref", event.head_ref);
    head->set("sha", event.head_sha);
    head->set("user", user(event.head_owner, kOwnerId + 7));
    if (event.head_deleted) {
        head->set("repo", Poco::Dynamic::Var());
    } else {
        Object::Ptr head_repo =
            repository(event.head_owner, event.head_name,
                       event.head_clone_url.empty() ? event.base_clone_url : event.head_clone_url);
        head_repo->set("fork", event.from_fork());
        if (event.from_fork()) head_repo->set("id", kRepositoryId + 1000);
        head->set("repo", head_repo);
    }
    pr->set("head", head);

    Object::Ptr base_object = ordered_object();
    base_object->set("label", event.base_owner + ":" + event.base_ref);
    base_object->set("ref", event.base_ref);
    base_object->set("sha", event.base_sha);
    base_object->set("user", user(event.base_owner, kOwnerId));
    base_object->set("repo", base_repo);
    pr->set("base", base_object);

    pr->set("merged", false);
    pr->set("mergeable", Poco::Dynamic::Var());
    pr->set("comments", 0);
    pr->set("commits", 1);
    pr->set("additions", 3);
    pr->set("deletions", 1);
    pr->set("changed_files", 1);

    Object::Ptr payload = ordered_object();
    payload->set("action", event.action);
    payload->set("number", event.number);
    payload->set("pull_request", pr);
    payload->set("repository", repository(event.base_owner, event.base_name, event.base_clone_url));
    payload->set("sender", user(event.user, kOwnerId + 7));
    return stringify(payload);
}

std::string ping_payload(const std::string& owner, const std::string& name) {
    Object::Ptr payload = ordered_object();
    payload->set("zen", "Keep it logically awesome.");
    payload->set("hook_id", kHookId);
    Object::Ptr hook = ordered_object();
    hook->set("type", "Repository");
    hook->set("id", kHookId);
    hook->set("name", "web");
    hook->set("active", true);
    Array::Ptr events = new Array;
    events->add("push");
    events->add("pull_request");
    hook->set("events", events);
    Object::Ptr config = ordered_object();
    config->set("content_type", "json");
    config->set("insecure_ssl", "0");
    config->set("url", "https://ci.example.com/webhook");
    hook->set("config", config);
    payload->set("hook", hook);
    payload->set("repository", repository(owner, name, {}));
    payload->set("sender", user("octocat", kOwnerId + 1));
    return stringify(payload);
}

}  // namespace fmg::testing
