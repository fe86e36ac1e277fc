// DockerClient: connection handling, engine information and containers.
#include "agent/docker/client.h"

#include "agent/docker/json.h"

namespace fmg::agent::docker {
namespace {

SteadyTime deadline_after(Millis timeout) {
    return std::chrono::steady_clock::now() + timeout;
}

std::string api(const std::string& path) {
    return std::string("/") + kApiVersion + path;
}

}  // namespace

std::string url_encode(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

DockerClient::DockerClient(std::string socket_path, Millis timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

Result<UnixHttpConnection> DockerClient::open_stream(
    const std::string& method, const std::string& path, const std::string& body,
    HttpResponseHead& head, const std::map<std::string, std::string>& headers) const {
    SteadyTime deadline = deadline_after(timeout_);
    auto connection = UnixHttpConnection::open(socket_path_, deadline);
    if (!connection) return connection.error();
    if (Status sent = connection->send({method, api(path), body, headers}, deadline); !sent) {
        return sent.error();
    }
    auto response_head = connection->read_head(deadline);
    if (!response_head) return response_head.error();
    head = std::move(*response_head);
    return connection;
}

Result<DockerClient::Response> DockerClient::call(const std::string& method,
                                                  const std::string& path,
                                                  const std::string& body) const {
    HttpResponseHead head;
    auto connection = open_stream(method, path, body, head);
    if (!connection) return connection.error();
    auto response_body = connection->read_all(deadline_after(timeout_));
    if (!response_body) return response_body.error();
    return Response{head.status, std::move(*response_body)};
}

Status DockerClient::ping() const {
    auto response = call("GET", "/_ping");
    if (!response) return response.error();
    if (response->status != 200 || response->body != "OK") {
        return Error{"unexpected answer to ping: " +
                     docker_error_message(response->status, response->body)};
    }
    return {};
}

Result<EngineVersion> DockerClient::version() const {
    auto response = call("GET", "/version");
    if (!response) return response.error();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto object = parse_json_object(response->body);
    if (!object) return object.error();
    return EngineVersion{string_member(*object, "Version"), string_member(*object, "ApiVersion")};
}

Result<EngineInfo> DockerClient::info() const {
    auto response = call("GET", "/info");
    if (!response) return response.error();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto object = parse_json_object(response->body);
    if (!object) return object.error();
    EngineInfo info;
    const Poco::Dynamic::Var& cpus = (*object)->get("NCPU");
    info.cpus = cpus.isEmpty() ? 0 : cpus.convert<int64_t>();
    return info;
}

Result<std::string> DockerClient::create_container(const ContainerSpec& spec) const {
    Poco::JSON::Object body;
    body.set("Image", spec.image);
    body.set("Labels", json_string_map(spec.labels));
    if (!spec.entrypoint.empty()) body.set("Entrypoint", json_string_array(spec.entrypoint));
    if (!spec.cmd.empty()) body.set("Cmd", json_string_array(spec.cmd));
    if (!spec.env.empty()) body.set("Env", json_string_array(spec.env));
    if (!spec.working_dir.empty()) body.set("WorkingDir", spec.working_dir);
    if (!spec.user.empty()) body.set("User", spec.user);
    Poco::JSON::Object host_config;
    if (!spec.binds.empty()) host_config.set("Binds", json_string_array(spec.binds));
    if (!spec.network_mode.empty()) host_config.set("NetworkMode", spec.network_mode);
    if (!spec.extra_hosts.empty()) {
        host_config.set("ExtraHosts", json_string_array(spec.extra_hosts));
    }
    if (!spec.cap_drop.empty()) host_config.set("CapDrop", json_string_array(spec.cap_drop));
    if (!spec.security_opt.empty()) {
        host_config.set("SecurityOpt", json_string_array(spec.security_opt));
    }
    if (!spec.sysctls.empty()) host_config.set("Sysctls", json_string_map(spec.sysctls));
    if (spec.memory_bytes > 0) {
        host_config.set("Memory", spec.memory_bytes);
        // Memory plus swap: equal to Memory, so the limit is not doubled by swap.
        host_config.set("MemorySwap", spec.memory_bytes);
    }
    if (spec.nano_cpus > 0) host_config.set("NanoCpus", spec.nano_cpus);
    if (spec.pids_limit > 0) host_config.set("PidsLimit", spec.pids_limit);
    if (!spec.group_add.empty()) host_config.set("GroupAdd", json_string_array(spec.group_add));
    body.set("HostConfig", host_config);

    return create("/containers/create", body, "container");
}

Result<std::string> DockerClient::create(const std::string& path, const Poco::JSON::Object& body,
                                         const char* what) const {
    auto response = call("POST", path, to_json(body));
    if (!response) return response.error();
    if (response->status != 201) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto object = parse_json_object(response->body);
    if (!object) return object.error();
    std::string id = string_member(*object, "Id");
    if (id.empty()) return Error{std::string("Docker created a ") + what + " without an id"};
    return id;
}

Status DockerClient::start_container(const std::string& id) const {
    auto response = call("POST", "/containers/" + url_encode(id) + "/start");
    if (!response) return response.error();
    if (response->status != 204 && response->status != 304) {
        return Error{docker_error_message(response->status, response->body)};
    }
    return {};
}

Status DockerClient::kill_container(const std::string& id) const {
    auto response = call("POST", "/containers/" + url_encode(id) + "/kill?signal=KILL");
    if (!response) return response.error();
    // 409: not running; 404: already removed. Either way it is not running any more.
    if (response->status != 204 && response->status != 409 && response->status != 404) {
        return Error{docker_error_message(response->status, response->body)};
    }
    return {};
}

Status DockerClient::remove_container(const std::string& id) const {
    auto response = call("DELETE", "/containers/" + url_encode(id) + "?force=true&v=true");
    if (!response) return response.error();
    // 404: gone already; 409: a removal is already in progress.
    if (response->status != 204 && response->status != 404 && response->status != 409) {
        return Error{docker_error_message(response->status, response->body)};
    }
    return {};
}

Result<int> DockerClient::wait_container(const std::string& id) const {
    auto response = call("POST", "/containers/" + url_encode(id) + "/wait");
    if (!response) return response.error();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto object = parse_json_object(response->body);
    if (!object) return object.error();
    const Poco::Dynamic::Var& code = (*object)->get("StatusCode");
    if (code.isEmpty()) return Error{"Docker's wait answer has no StatusCode"};
    return code.convert<int>();
}

Result<std::vector<ContainerSummary>> DockerClient::list_containers(
    const std::string& label) const {
    Poco::JSON::Object filters;
    filters.set("label", json_string_array({label}));
    auto response =
        call("GET", "/containers/json?all=true&filters=" + url_encode(to_json(filters)));
    if (!response) return response.error();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto array = parse_json_array(response->body);
    if (!array) return array.error();
    std::vector<ContainerSummary> containers;
    for (size_t i = 0; i < (*array)->size(); ++i) {
        auto item = (*array)->getObject(static_cast<unsigned>(i));
        if (!item) continue;
        ContainerSummary summary{string_member(item, "Id"),
                                 {},
                                 string_member(item, "State"),
                                 string_member(item->getObject("HostConfig"), "NetworkMode")};
        if (auto labels = item->getObject("Labels")) {
            for (const auto& [key, value] : *labels) {
                if (value.isString()) summary.labels[key] = value.extract<std::string>();
            }
        }
        containers.push_back(std::move(summary));
    }
    return containers;
}

Result<bool> DockerClient::path_exists(const std::string& id, const std::string& path) const {
    auto response =
        call("HEAD", "/containers/" + url_encode(id) + "/archive?path=" + url_encode(path));
    if (!response) return response.error();
    if (response->status == 200) return true;
    if (response->status == 404) return false;
    return Error{docker_error_message(response->status, response->body)};
}

Result<bool> DockerClient::export_archive(
    const std::string& id, const std::string& path,
    const std::function<Status(std::string_view)>& sink) const {
    HttpResponseHead head;
    auto connection = open_stream(
        "GET", "/containers/" + url_encode(id) + "/archive?path=" + url_encode(path), "", head);
    if (!connection) return connection.error();
    if (head.status == 404) return false;
    if (head.status != 200) {
        auto body = connection->read_all(deadline_after(timeout_));
        return Error{docker_error_message(head.status, body ? *body : std::string())};
    }
    // The archive may be large: each read waits at most the client's timeout, the whole not.
    std::string piece;
    for (;;) {
        piece.clear();
        auto read = connection->read_body(piece, deadline_after(timeout_));
        if (!read) return read.error();
        if (!piece.empty()) {
            if (Status fed = sink(piece); !fed) return fed.error();
        }
        if (*read == BodyRead::end) return true;
        if (*read == BodyRead::timed_out) {
            return Error{"Docker sent no byte of the archive of " + path + " for " +
                         std::to_string(timeout_.count()) + " ms"};
        }
    }
}

Status DockerClient::import_archive(const std::string& id, const std::string& path,
                                    const std::filesystem::path& archive) const {
    SteadyTime deadline = deadline_after(timeout_);
    auto connection = UnixHttpConnection::open(socket_path_, deadline);
    if (!connection) return connection.error();
    const HttpRequest request{
        "PUT", api("/containers/" + url_encode(id) + "/archive?path=" + url_encode(path)), "", {}};
    if (Status sent = connection->send_file(request, archive, "application/x-tar", timeout_);
        !sent) {
        return sent.error();
    }
    auto head = connection->read_head(deadline_after(timeout_));
    if (!head) return head.error();
    auto body = connection->read_all(deadline_after(timeout_));
    if (head->status != 200) {
        return Error{docker_error_message(head->status, body ? *body : std::string())};
    }
    return {};
}

}  // namespace fmg::agent::docker
