// DockerClient: exec create/start/inspect and the exec output stream.
#include "agent/docker/client.h"
#include "agent/docker/json.h"

namespace fmg::agent::docker {

Result<std::string> DockerClient::create_exec(const std::string& container_id, const ExecSpec& spec,
                                              bool attach) const {
    Poco::JSON::Object body;
    body.set("AttachStdin", false);
    body.set("AttachStdout", attach);
    body.set("AttachStderr", attach);
    body.set("Tty", false);
    body.set("Cmd", json_string_array(spec.cmd));
    if (!spec.env.empty()) body.set("Env", json_string_array(spec.env));
    if (!spec.working_dir.empty()) body.set("WorkingDir", spec.working_dir);
    if (!spec.user.empty()) body.set("User", spec.user);
    return create("/containers/" + url_encode(container_id) + "/exec", body, "exec");
}

Status DockerClient::start_exec_detached(const std::string& exec_id) const {
    auto response =
        call("POST", "/exec/" + url_encode(exec_id) + "/start", R"({"Detach":true,"Tty":false})");
    if (!response) return response.error();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    return {};
}

Result<ExecStream> DockerClient::start_exec(const std::string& exec_id) const {
    HttpResponseHead head;
    auto connection = open_stream("POST", "/exec/" + url_encode(exec_id) + "/start",
                                  R"({"Detach":false,"Tty":false})", head);
    if (!connection) return connection.error();
    if (head.status != 200) {
        auto body =
            connection->read_all(std::chrono::steady_clock::now() + std::chrono::seconds(10));
        return Error{docker_error_message(head.status, body ? *body : std::string())};
    }
    return ExecStream(std::move(*connection));
}

Result<ExecState> DockerClient::inspect_exec(const std::string& exec_id) const {
    auto response = call("GET", "/exec/" + url_encode(exec_id) + "/json");
    if (!response) return response.error();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto object = parse_json_object(response->body);
    if (!object) return object.error();
    ExecState state;
    state.running = (*object)->optValue<bool>("Running", false);
    const Poco::Dynamic::Var& code = (*object)->get("ExitCode");
    state.exit_code = code.isEmpty() ? -1 : code.convert<int>();
    return state;
}

Result<ExecStream::Next> ExecStream::next(std::string& out, SteadyTime deadline, int interrupt_fd) {
    auto append = [&out](StreamType, std::string_view payload) { out.append(payload); };
    size_t before = out.size();
    for (;;) {
        raw_.clear();
        auto read = connection_.read_body(raw_, deadline, interrupt_fd);
        if (!read) return read.error();
        switch (*read) {
            case BodyRead::data:
                if (Status fed = demuxer_.feed(raw_, append); !fed) return fed.error();
                if (out.size() > before) return Next::output;
                continue;  // only a frame header arrived so far
            case BodyRead::end:
                return Next::ended;
            case BodyRead::timed_out:
                return Next::timed_out;
            case BodyRead::interrupted:
                return Next::interrupted;
        }
    }
}

}  // namespace fmg::agent::docker
