#include "agent/setup/credentials.h"

#include <yaml-cpp/yaml.h>

#include "shared/curve.h"

namespace fmg::agent {

Result<Credentials> load_credentials(const std::filesystem::path& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        return Error{"cannot read credentials file " + file.string() +
                     " (create it with 'fmg configure add-runner HOST > FILE')"};
    } catch (const YAML::Exception& e) {
        return Error{file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
    }
    if (!root.IsMap()) return Error{file.string() + ": not a credentials file"};
    Credentials c;
    auto text = [&](const char* key) -> std::string {
        return root[key] && root[key].IsScalar() ? root[key].as<std::string>() : std::string();
    };
    c.host = text("host");
    c.coordinator = text("coordinator");
    c.server_public_key = text("server_public_key");
    c.public_key = text("public_key");
    c.secret_key = text("secret_key");
    try {
        c.runner_id = root["runner_id"] ? root["runner_id"].as<int64_t>() : 0;
        c.capacity = root["capacity"] ? root["capacity"].as<uint32_t>() : 0;
        if (root["labels"] && root["labels"].IsSequence()) {
            for (const auto& label : root["labels"]) c.labels.push_back(label.as<std::string>());
        }
    } catch (const YAML::Exception&) {
        return Error{file.string() + ": runner_id and capacity must be integers, labels a list"};
    }
    for (auto [key, value] :
         {std::pair{"server_public_key", c.server_public_key},
          std::pair{"public_key", c.public_key}, std::pair{"secret_key", c.secret_key}}) {
        if (!curve::valid_hex_key(value)) {
            return Error{file.string() + ": '" + key + "' must be 64 hex digits"};
        }
    }
    return c;
}

}  // namespace fmg::agent
