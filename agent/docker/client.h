#pragma once
// A client of the Docker Engine API (v1.41, Docker 20.10) over its Unix socket: the calls
// the docker executor needs, with Docker's own error messages passed on. Every call opens
// its own connection, so one client may be used from several threads at once.

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/docker/registry_auth.h"
#include "agent/docker/stream_demuxer.h"
#include "agent/docker/unix_http.h"
#include "shared/clock.h"
#include "shared/result.h"

namespace fmg::agent::docker {

inline constexpr const char* kDefaultSocket = "/var/run/docker.sock";
inline constexpr const char* kApiVersion = "v1.41";

struct EngineInfo {
    int64_t cpus = 0;  // NCPU
};

struct EngineVersion {
    std::string version;      // "20.10.24"
    std::string api_version;  // "1.41"
};

struct ImageInfo {
    std::string id;
    std::string user;                     // Config.User: "" (root), "circleci", "1000:1000"
    std::vector<std::string> env;         // Config.Env, "NAME=value"
    std::vector<std::string> entrypoint;  // Config.Entrypoint; empty: none
};

struct ContainerSpec {
    std::string image;
    std::map<std::string, std::string> labels;
    std::vector<std::string> entrypoint;   // empty: the image's
    std::vector<std::string> cmd;          // empty: the image's
    std::vector<std::string> env;          // "NAME=value"
    std::string working_dir;               // empty: the image's
    std::string user;                      // empty: the image's
    std::vector<std::string> binds;        // "host-path:container-path"
    std::string network_mode;              // empty: default bridge; a network; "container:<id>"
    std::vector<std::string> extra_hosts;  // "name:address" lines for /etc/hosts
    // Confinement and limits (HostConfig); empty or 0: Docker's default.
    std::vector<std::string> cap_drop;           // e.g. "MKNOD"
    std::vector<std::string> security_opt;       // e.g. "no-new-privileges"
    std::map<std::string, std::string> sysctls;  // only for a container with its own network
    int64_t memory_bytes = 0;                    // Memory, and MemorySwap (no swap beyond it)
    int64_t nano_cpus = 0;                       // NanoCpus: CPUs x 10^9
    int64_t pids_limit = 0;                      // PidsLimit
    std::vector<std::string> group_add;          // GroupAdd: more groups, e.g. a gid
};

struct NetworkSpec {
    std::string name;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> options;  // driver options, e.g. the bridge's name
};

struct NetworkSummary {
    std::string id;
    std::string name;
    std::map<std::string, std::string> labels;
};

struct ContainerSummary {
    std::string id;
    std::map<std::string, std::string> labels;
    std::string state;         // "running", "exited", "created", ...
    std::string network_mode;  // HostConfig.NetworkMode: a network's name, "container:<id>"
};

struct ExecSpec {
    std::vector<std::string> cmd;
    std::vector<std::string> env;  // "NAME=value", on top of the container's
    std::string working_dir;       // empty: the container's
    std::string user;              // empty: the container's
};

struct ExecState {
    bool running = false;
    int exit_code = 0;
};

/// The output of a running exec, demultiplexed (see stream_demuxer.h).
class ExecStream {
  public:
    enum class Next {
        output,       // bytes were appended
        ended,        // the exec's output is complete (the process ended)
        timed_out,    // the deadline passed without output
        interrupted,  // the interrupt descriptor became readable
    };

    explicit ExecStream(UnixHttpConnection connection) : connection_(std::move(connection)) {}

    /// Waits for the next output, appending stdout and stderr bytes to `out` in the order
    /// Docker sent them. Fails when the stream breaks or is not multiplexed.
    Result<Next> next(std::string& out, SteadyTime deadline, int interrupt_fd);

  private:
    UnixHttpConnection connection_;
    StreamDemuxer demuxer_;
    std::string raw_;
};

class DockerClient {
  public:
    /// `socket_path`: the Engine's Unix socket. `timeout`: the limit of each ordinary call
    /// (streams such as pulls and exec output are limited by their callers instead).
    explicit DockerClient(std::string socket_path = kDefaultSocket,
                          Millis timeout = std::chrono::seconds(60));

    const std::string& socket_path() const { return socket_path_; }

    /// GET /_ping. Fails when the engine does not answer "OK".
    Status ping() const;

    /// GET /version.
    Result<EngineVersion> version() const;

    /// GET /info: what the engine's host has.
    Result<EngineInfo> info() const;

    /// GET /images/{name}/json: the image, or nullopt when it is not present locally.
    Result<std::optional<ImageInfo>> inspect_image(const std::string& image) const;

    /// POST /images/create: pulls `image`, calling `on_line` with each line worth showing
    /// (see describe_pull_event), with `credentials` (X-Registry-Auth) when given. Fails with
    /// Docker's message, from the HTTP error or from an "error" in the progress stream, e.g.
    /// "Get \"https://...\": dial tcp ..."; the credentials appear in neither.
    Status pull_image(const std::string& image,
                      const std::function<void(const std::string&)>& on_line,
                      const std::optional<RegistryCredentials>& credentials = std::nullopt) const;

    /// POST /containers/create. Returns the new container's id.
    Result<std::string> create_container(const ContainerSpec& spec) const;

    /// POST /containers/{id}/start. Already started is fine.
    Status start_container(const std::string& id) const;

    /// POST /containers/{id}/kill (SIGKILL). A container that is not running is fine.
    Status kill_container(const std::string& id) const;

    /// DELETE /containers/{id}?force=true&v=true. A container already gone is fine.
    Status remove_container(const std::string& id) const;

    /// GET /containers/json?all=true with a label filter ("key" or "key=value").
    Result<std::vector<ContainerSummary>> list_containers(const std::string& label) const;

    /// POST /containers/{id}/wait: blocks until the container stops (at most the client's
    /// timeout) and returns its exit code.
    Result<int> wait_container(const std::string& id) const;

    /// POST /networks/create (a bridge network). Returns the new network's id. Fails with
    /// Docker's message, e.g. when its address pools are used up.
    Result<std::string> create_network(const NetworkSpec& spec) const;

    /// DELETE /networks/{id}. A network already gone is fine; one with containers still
    /// attached fails.
    Status remove_network(const std::string& id) const;

    /// GET /networks/{id}: whether the network exists.
    Result<bool> network_exists(const std::string& id) const;

    /// GET /networks with a label filter ("key" or "key=value").
    Result<std::vector<NetworkSummary>> list_networks(const std::string& label) const;

    /// HEAD /containers/{id}/archive?path=...: whether `path` exists in the container.
    Result<bool> path_exists(const std::string& id, const std::string& path) const;

    /// GET /containers/{id}/archive?path=...: a tar of `path` in the container, streamed to
    /// `sink` in pieces. Returns false (nothing streamed) when nothing is at `path`; fails
    /// with Docker's message, or the sink's.
    Result<bool> export_archive(const std::string& id, const std::string& path,
                                const std::function<Status(std::string_view)>& sink) const;

    /// PUT /containers/{id}/archive?path=...: unpacks the tar `archive` at `path` (a folder
    /// that exists) in the container, streaming it. Fails with Docker's message.
    Status import_archive(const std::string& id, const std::string& path,
                          const std::filesystem::path& archive) const;

    /// POST /containers/{id}/exec. Returns the exec id. `attach`: whether its output is
    /// streamed (false for start_exec_detached: the output is discarded).
    Result<std::string> create_exec(const std::string& container_id, const ExecSpec& spec,
                                    bool attach = true) const;

    /// POST /exec/{id}/start, detached: the process runs on, its output discarded.
    Status start_exec_detached(const std::string& exec_id) const;

    /// POST /exec/{id}/start, attached: the exec's output stream.
    Result<ExecStream> start_exec(const std::string& exec_id) const;

    /// GET /exec/{id}/json.
    Result<ExecState> inspect_exec(const std::string& exec_id) const;

  private:
    struct Response {
        int status = 0;
        std::string body;
    };
    // Sends a request and reads the whole response before the client's timeout.
    Result<Response> call(const std::string& method, const std::string& path,
                          const std::string& body = {}) const;
    // POSTs `body` to a create endpoint (containers, execs, networks) and returns the id of
    // what Docker created (201); `what` names it in errors.
    Result<std::string> create(const std::string& path, const Poco::JSON::Object& body,
                               const char* what) const;
    // Sends a request and returns the connection after the response head, for streams.
    Result<UnixHttpConnection> open_stream(
        const std::string& method, const std::string& path, const std::string& body,
        HttpResponseHead& head, const std::map<std::string, std::string>& headers = {}) const;

    std::string socket_path_;
    Millis timeout_;
};

/// Percent-encodes `text` for a URL path segment or query value.
std::string url_encode(const std::string& text);

}  // namespace fmg::agent::docker
