#include <Poco/JSON/Array.h>

#include <charconv>

#include "coordinator/constants.h"
#include "coordinator/http/api_routes.h"
#include "coordinator/http/json_views.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "shared/curve.h"
#include "shared/log.h"
#include "shared/time_format.h"

namespace fmg::coordinator::http {
namespace {

/// The credentials file an agent reads (agent/credentials.h parses it): YAML, keys in hex.
std::string credentials_text(const HttpContext& context, RunnerId id,
                             const runners::NewRunner& runner, const curve::KeyPair& keys) {
    const std::string& host = runner.host;
    std::string labels;
    for (const auto& label : runner.labels)
        labels += (labels.empty() ? "" : ", ") + ("'" + label + "'");
    return "# fmg agent credentials for runner " + std::to_string(id) + " (" + host + "), issued " +
           format_rfc3339_ms(context.clock.wall_ms()) +
           ".\n# Install on that host as /etc/fmg/agent.cred, mode 0600: whoever holds it can "
           "run jobs as this runner.\n"
           "runner_id: " +
           std::to_string(id) + "\nhost: " + host + "\ncoordinator: " + context.settings.agent_url +
           "\nserver_public_key: " + context.identity.server_keys.public_hex +
           "\npublic_key: " + keys.public_hex + "\nsecret_key: " + keys.secret_hex +
           "\ncapacity: " + std::to_string(runner.capacity) + "\nlabels: [" + labels + "]\n";
}

/// Host names and labels: letters, digits, '.', '-', '_' (they go into the YAML credentials).
bool valid_name(const std::string& host) {
    if (host.empty() || host.size() > 253) return false;
    for (char c : host) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
            return false;
        }
    }
    return true;
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

void register_runner(HttpContext& context, HTTPServerRequest& request,
                     HTTPServerResponse& response) {
    auto object = read_json_body(request, response);
    if (!object) return;
    std::string host = object->optValue<std::string>("host", "");
    if (!valid_name(host)) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "host must be a host name (letters, digits, '.', '-', '_')");
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
        for (size_t i = 0; i < labels->size(); ++i) {
            auto label = labels->get(static_cast<unsigned>(i));
            if (!label.isString()) {
                return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                                  "labels must be strings");
            }
            runner.labels.push_back(label.convert<std::string>());
        }
    }
    curve::KeyPair keys = curve::generate();
    runner.public_key = keys.public_hex;  // the secret half is never stored here
    Database& db = thread_database(context.database_file);
    RunnerId id = runners::insert(db, runner, context.clock.wall_ms());
    FMG_LOG(info) << "runner=" << host << " registered as runner " << id;
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
    if (!runner->revoked_at) {
        runners::revoke(db, runner->id, context.clock.wall_ms());
        context.core_mailbox.post(RunnerRevoked{runner->id});
        FMG_LOG(info) << "runner=" << runner->host << " (" << runner->id << ") revoked";
    }
    response.setStatus(HTTPResponse::HTTP_NO_CONTENT);
    response.send();
}

}  // namespace fmg::coordinator::http
