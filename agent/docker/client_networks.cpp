// DockerClient: networks (create, remove, list).
#include "agent/docker/client.h"
#include "agent/docker/json.h"

namespace fmg::agent::docker {

Result<std::string> DockerClient::create_network(const NetworkSpec& spec) const {
    Poco::JSON::Object body;
    body.set("Name", spec.name);
    body.set("CheckDuplicate", true);
    body.set("Driver", "bridge");
    body.set("Labels", json_string_map(spec.labels));
    if (!spec.options.empty()) body.set("Options", json_string_map(spec.options));
    return create("/networks/create", body, "network");
}

Status DockerClient::remove_network(const std::string& id) const {
    auto response = call("DELETE", "/networks/" + url_encode(id));
    if (!response) return response.error();
    // 404: gone already.
    if (response->status != 204 && response->status != 404) {
        return Error{docker_error_message(response->status, response->body)};
    }
    return {};
}

Result<bool> DockerClient::network_exists(const std::string& id) const {
    auto response = call("GET", "/networks/" + url_encode(id));
    if (!response) return response.error();
    if (response->status == 200) return true;
    if (response->status == 404) return false;
    return Error{docker_error_message(response->status, response->body)};
}

Result<std::vector<NetworkSummary>> DockerClient::list_networks(const std::string& label) const {
    Poco::JSON::Object filters;
    filters.set("label", json_string_array({label}));
    auto response = call("GET", "/networks?filters=" + url_encode(to_json(filters)));
    if (!response) return response.error();
    if (response->status != 200) {
        return Error{docker_error_message(response->status, response->body)};
    }
    auto array = parse_json_array(response->body);
    if (!array) return array.error();
    std::vector<NetworkSummary> networks;
    for (size_t i = 0; i < (*array)->size(); ++i) {
        auto item = (*array)->getObject(static_cast<unsigned>(i));
        if (!item) continue;
        NetworkSummary summary{string_member(item, "Id"), string_member(item, "Name"), {}};
        if (auto labels = item->getObject("Labels")) {
            for (const auto& [key, value] : *labels) {
                if (value.isString()) summary.labels[key] = value.extract<std::string>();
            }
        }
        networks.push_back(std::move(summary));
    }
    return networks;
}

}  // namespace fmg::agent::docker
