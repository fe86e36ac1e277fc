#include "coordinator/http/request_head.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <charconv>
#include <vector>

#include "coordinator/constants.h"
#include "shared/crypto.h"
#include "shared/text.h"

namespace fmg::coordinator::http {
namespace {

thread_local bool follower_thread = false;

/// The line starting at `begin` without its "\r\n" or "\n"; nullopt when it has no end yet.
std::optional<std::string_view> line_at(std::string_view bytes, size_t begin, size_t& next) {
    size_t end = bytes.find('\n', begin);
    if (end == std::string_view::npos) return std::nullopt;
    next = end + 1;
    std::string_view line = bytes.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

bool parse_request_line(std::string_view line, RequestHead& head) {
    size_t first = line.find(' ');
    size_t last = line.rfind(' ');
    if (first == std::string_view::npos || first == 0 || last == first) return false;
    std::string_view method = line.substr(0, first);
    std::string_view target = line.substr(first + 1, last - first - 1);
    std::string_view version = line.substr(last + 1);
    if (target.empty() || target.find(' ') != std::string_view::npos) return false;
    if (version.substr(0, 5) != "HTTP/") return false;
    for (char c : method) {
        if (c < 'A' || c > 'Z') return false;
    }
    head.method = std::string(method);
    head.target = std::string(target);
    return true;
}

}  // namespace

RequestHead scan_request_head(std::string_view bytes, size_t max_head) {
    RequestHead head;
    std::string_view window = bytes.substr(0, max_head);
    size_t next = 0;
    auto request_line = line_at(window, 0, next);
    if (!request_line) {
        head.state = bytes.size() >= max_head ? HeadState::too_large : HeadState::incomplete;
        return head;
    }
    if (!parse_request_line(*request_line, head)) {
        head.state = HeadState::malformed;
        return head;
    }
    bool chunked = false;
    bool length_valid = true;
    std::optional<size_t> length;
    for (;;) {
        size_t begin = next;
        auto line = line_at(window, begin, next);
        if (!line) {
            head.state = bytes.size() >= max_head ? HeadState::too_large : HeadState::incomplete;
            return head;
        }
        if (line->empty()) break;
        size_t colon = line->find(':');
        if (colon == std::string_view::npos) continue;  // Poco decides what to make of it
        std::string name(trim(line->substr(0, colon)));
        std::string_view value = trim(line->substr(colon + 1));
        if (Poco::icompare(name, "Transfer-Encoding") == 0) chunked = true;
        if (Poco::icompare(name, "Expect") == 0 &&
            Poco::icompare(std::string(value), "100-continue") == 0) {
            head.expects_continue = true;
        }
        if (Poco::icompare(name, "X-Hub-Signature-256") == 0) {
            head.webhook_signature = std::string(value);
        }
        if (Poco::icompare(name, "Content-Length") == 0) {
            size_t parsed = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
            bool ok = ec == std::errc() && end == value.data() + value.size() && !value.empty();
            if (!ok || (length && *length != parsed)) length_valid = false;
            length = parsed;
        }
    }
    head.state = HeadState::complete;
    head.head_bytes = next;
    if (!chunked && length_valid) head.content_length = length.value_or(0);
    return head;
}

Route route_of(const RequestHead& head) {
    if (head.method != "GET") return Route::worker;
    try {
        Poco::URI uri(head.target);
        const std::string& path = uri.getPath();
        if (path == "/healthz") return Route::healthz;
        std::vector<std::string> segments;
        uri.getPathSegments(segments);
        const bool job_path = segments.size() >= 7 && segments[0] == "api" && segments[1] == "v1" &&
                              segments[2] == "pipelines" && segments[4] == "jobs";
        // An artifact download may last as long as a log follower: it must not hold a worker.
        if (job_path && segments.size() >= 8 && segments[6] == "artifacts") return Route::follower;
        const bool log_path = job_path && segments.size() == 7 && segments[6] == "log";
        if (!log_path) return Route::worker;
        for (const auto& [name, value] : uri.getQueryParameters()) {
            if (name == "follow") return is_follow_value(value) ? Route::follower : Route::worker;
        }
    } catch (const Poco::Exception&) {
        // A target that does not parse goes to a worker, whose handler answers 400.
    }
    return Route::worker;
}

bool answered_before_body(const RequestHead& head, bool webhook_secret_set) {
    try {
        if (head.method != "POST" || Poco::URI(head.target).getPath() != "/webhook") return false;
    } catch (const Poco::Exception&) {
        return false;  // not a webhook: the worker answers 400 after Poco parses it
    }
    return !webhook_secret_set || !crypto::parse_github_signature(head.webhook_signature) ||
           (head.content_length && *head.content_length > kMaxWebhookBytes);
}

bool is_follow_value(const std::string& value) {
    return value == "1" || value == "true";
}

bool on_follower_thread() {
    return follower_thread;
}

void set_on_follower_thread(bool value) {
    follower_thread = value;
}

}  // namespace fmg::coordinator::http
