// DockerClient: images (inspect, pull with its progress stream).
#include "agent/docker/client.h"
#include "agent/docker/json.h"
#include "agent/docker/pull_progress.h"

namespace fmg::agent::docker {
namespace {

// How long a pull may go without any progress line before it is given up.
constexpr Millis kPullSilenceLimit = std::chrono::minutes(5);

// "registry:5000/team/app:1.2" -> fromImage=registry:5000/team/app&tag=1.2; a digest
// reference ("app@sha256:...") is passed whole; no tag means "latest".
std::string pull_query(const std::string& image) {
    if (image.find('@') != std::string::npos) return "fromImage=" + url_encode(image);
    size_t slash = image.rfind('/');
    size_t colon = image.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        return "fromImage=" + url_encode(image.substr(0, colon)) +
               "&tag=" + url_encode(image.substr(colon + 1));
    }
    return "fromImage=" + url_encode(image) + "&tag=latest";
}

}  // namespace

Result<std::optional<ImageInfo>> DockerClient::inspect_image(const std::string& image) const {
    auto response = call("GET", "/images/" + url_encode(image) + "/json");
    if (!response) return response.error();
    if (response->status == 404) return std::optional<ImageInfo>();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto object = parse_json_object(response->body);
    if (!object) return object.error();
    ImageInfo info;
    info.id = string_member(*object, "Id");
    if (auto config = (*object)->getObject("Config")) {
        info.user = string_member(config, "User");
        if (auto env = config->getArray("Env")) {
            for (size_t i = 0; i < env->size(); ++i) {
                info.env.push_back(env->getElement<std::string>(static_cast<unsigned>(i)));
            }
        }
        if (auto entrypoint = config->getArray("Entrypoint")) {
            for (size_t i = 0; i < entrypoint->size(); ++i) {
                info.entrypoint.push_back(
                    entrypoint->getElement<std::string>(static_cast<unsigned>(i)));
            }
        }
    }
    return std::optional<ImageInfo>(std::move(info));
}

Status DockerClient::pull_image(const std::string& image,
                                const std::function<void(const std::string&)>& on_line,
                                const std::optional<RegistryCredentials>& credentials) const {
    HttpResponseHead head;
    std::map<std::string, std::string> headers;
    if (credentials) headers["X-Registry-Auth"] = registry_auth_header(*credentials, image);
    auto connection = open_stream("POST", "/images/create?" + pull_query(image), "", head, headers);
    if (!connection) return connection.error();
    if (head.status != 200) {
        auto body = connection->read_all(std::chrono::steady_clock::now() + kPullSilenceLimit);
        if (!body) return body.error();
        return Error{docker_error_message(head.status, *body)};
    }
    LineSplitter splitter;
    std::string pull_error;
    auto handle = [&](const std::string& line) -> Status {
        auto event = parse_pull_event(line);
        if (!event) return event.error();
        if (!event->error.empty() && pull_error.empty()) pull_error = event->error;
        std::string text = describe_pull_event(*event);
        if (!text.empty() && event->error.empty()) on_line(text);
        return {};
    };
    for (;;) {
        std::string chunk;
        auto read =
            connection->read_body(chunk, std::chrono::steady_clock::now() + kPullSilenceLimit);
        if (!read) return read.error();
        if (*read == BodyRead::timed_out) return Error{"no progress from Docker for 5 minutes"};
        if (*read == BodyRead::end) break;
        for (const auto& line : splitter.feed(chunk)) {
            if (Status handled = handle(line); !handled) return handled;
        }
    }
    if (std::string rest = splitter.take_rest(); !rest.empty()) {
        if (Status handled = handle(rest); !handled) return handled;
    }
    if (!pull_error.empty()) return Error{pull_error};
    return {};
}

}  // namespace fmg::agent::docker
