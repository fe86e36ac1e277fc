#include "agent/job/job_environment.h"

namespace fmg::agent {

protocol::Environment job_environment(const protocol::Assign& assign) {
    protocol::Environment environment = assign.secrets;
    for (const auto& [name, value] : assign.environment) environment[name] = value;
    return environment;
}

std::vector<std::string> secret_values(const protocol::Environment& secrets) {
    std::vector<std::string> values;
    values.reserve(secrets.size());
    for (const auto& [name, value] : secrets) values.push_back(value);
    return values;
}

}  // namespace fmg::agent
