#include <Poco/JSON/Array.h>
#include <yaml-cpp/yaml.h>

#include <charconv>

#include "coordinator/constants.h"
#include "coordinator/http/api_routes.h"
#include "coordinator/http/json_views.h"
#include "coordinator/lifecycle/runner_ops.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "shared/curve.h"
#include "shared/host_names.h"
#include "shared/log.h"
#include "shared/time_format.h"

namespace fmg::coordinator::http {
namespace {

/// The credentials file an agent reads (agent/setup/credentials.cpp parses it): YAML, keys
/// in hex. Written with yaml-cpp's emitter, never by pasting strings, so no value can add a
/// key or a line (host and labels are validated as well).
std::string credentials_text(const HttpContext& context, RunnerId id,
                             const runners::NewRunner& runner, const curve::KeyPair& keys) {
    YAML::Emitter out;
    out << YAML::Comment("fmg agent credentials for runner " + std::to_string(id) + " (" +
                         runner.host + "), issued " + format_rfc3339_ms(context.clock.wall_ms()))
        << YAML::Newline
        << YAML::Comment(
               "Install on that host as /etc/fmg/agent.cred, mode 0600: whoever holds it can "
               "run jobs as this runner.");
    out << YAML::BeginMap;
    out << YAML::Key << "runner_id" << YAML::Value << id;
    out << YAML::Key << "host" << YAML::Value << runner.host;
    out << YAML::Key << "coordinator" << YAML::Value << context.settings.agent_url;
    out << YAML::Key << "server_public_key" << YAML::Value
        << context.identity.server_keys.public_hex;
    out << YAML::Key << "public_key" << YAML::Value << keys.public_hex;
    out << YAML::Key << "secret_key" << YAML::Value << keys.secret_hex;
    out << YAML::Key << "capacity" << YAML::Value << runner.capacity;
    out << YAML::Key << "labels" << YAML::Value << YAML::Flow << runner.labels;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace

void list_runners(HttpContext& context, HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    Poco::JSON::Array::Ptr data = new Poco::JSON::Array;
    const auto active = pipelines::active_attempts(db);
    for (const auto& runner : runners::all(db)) data->add(runner_json(db, runner, active));
    body->set("total", data->size());
    body->set("data", data);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

void register_runner(HttpContext& context, Caller& caller, HTTPServerRequest& request,
                     HTTPServerResponse& response) {
    auto object = read_json_body(context, request, response);
    if (!object) return;
    std::string host = object->optValue<std::string>("host", "");
    if (auto bad = host_name_problem(host)) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
    }
    runners::NewRunner runner;
    runner.host = host;
    runner.capacity = 1;
    if (object->has("capacity")) {
        auto value = object->get("capacity");
        if (!value.isInteger() || value.convert<int64_t>() < 1 || value.convert<int64_t>() > 1024) {
            return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                              "capacity must be an integer from 1 to 1024");
        }
        runner.capacity = value.convert<int64_t>();
    }
    if (auto labels = object->getArray("labels")) {
        if (labels->size() > kMaxRunnerLabels) {
            return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                              "at most " + std::to_string(kMaxRunnerLabels) + " labels");
        }
        for (size_t i = 0; i < labels->size(); ++i) {
            auto label = labels->get(static_cast<unsigned>(i));
            if (!label.isString()) {
                return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                                  "labels must be strings");
            }
            if (auto bad = runner_label_problem(label.extract<std::string>())) {
                return send_error(response, HTTPResponse::HTTP_BAD_REQUEST, *bad);
            }
            runner.labels.push_back(label.extract<std::string>());
        }
    }
    curve::KeyPair keys = curve::generate();
    runner.public_key = keys.public_hex;  // the secret half is never stored here
    Database& db = thread_database(context.database_file);
    RunnerId id = runners::insert(db, runner, context.clock.wall_ms());
    FMG_LOG(info) << "runner=" << host << " registered as runner " << id;
    caller.audit_detail = "runner " + std::to_string(id) + " (" + host + ")";
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("id", id);
    answer->set("credentials", credentials_text(context, id, runner, keys));
    send_json(response, HTTPResponse::HTTP_CREATED, answer);
}

void revoke_runner(HttpContext& context, const std::string& id_or_host,
                   HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    std::optional<RunnerRow> runner;
    int64_t id = 0;
    auto [end, ec] = std::from_chars(id_or_host.data(), id_or_host.data() + id_or_host.size(), id);
    if (ec == std::errc() && end == id_or_host.data() + id_or_host.size()) {
        runner = runners::find(db, id);
    } else {
        runner = runners::find_by_host(db, id_or_host);
    }
    if (!runner)
        return send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no runner " + id_or_host);
    if (lifecycle::revoke_runner(db, runner->id, context.clock.wall_ms())) {
        context.core_mailbox.post(RunnerRevoked{runner->id});
        FMG_LOG(info) << "runner=" << runner->host << " (" << runner->id << ") revoked";
    }
    response.setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
    response.send();
}

}  // namespace fmg::coordinator::http
