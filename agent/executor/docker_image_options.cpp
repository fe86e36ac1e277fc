#include "agent/executor/docker_image_options.h"

#include "agent/executor/step_command.h"
#include "shared/variable_reference.h"

namespace fmg::agent {

namespace {

bool is_host_name(const std::string& name) {
    if (name.empty() || name.size() > 253 || name.front() == '-' || name.front() == '.') {
        return false;
    }
    for (char c : name) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        if (!plain) return false;
    }
    return true;
}

}  // namespace

Result<std::optional<docker::RegistryCredentials>> resolve_credentials(
    const std::string& image, const ContainerOptions& options, const Environment& environment) {
    if (options.auth_username.empty()) return std::optional<docker::RegistryCredentials>();
    if (options.auth_password.empty()) {
        return Error{"image " + image + ": `auth` has a username and no password"};
    }
    auto username =
        resolve_variable_reference(options.auth_username, environment, "`auth.username`");
    if (!username) return Error{"image " + image + ": " + username.error().message};
    auto password =
        resolve_variable_reference(options.auth_password, environment, "`auth.password`");
    if (!password) return Error{"image " + image + ": " + password.error().message};
    if (username->empty() || password->empty()) {
        return Error{"image " + image + ": `auth` resolves to an empty " +
                     (username->empty() ? "username" : "password")};
    }
    return std::optional<docker::RegistryCredentials>(
        docker::RegistryCredentials{std::move(*username), std::move(*password)});
}

std::string hide_credentials(std::string text,
                             const std::optional<docker::RegistryCredentials>& credentials) {
    if (!credentials || credentials->password.empty()) return text;
    const std::string& secret = credentials->password;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
        text.replace(at, secret.size(), "***");
    }
    return text;
}

Status check_container_names(const JobSetup& job) {
    auto check = [](const std::string& image, const ContainerOptions& options) -> Status {
        if (options.name.empty() || is_host_name(options.name)) return {};
        return Error{"image " + image + ": its name is not a host name"};
    };
    if (Status checked = check(job.image, job.primary_options); !checked) return checked;
    for (size_t i = 0; i < job.service_options.size() && i < job.services.size(); ++i) {
        if (Status checked = check(job.services[i], job.service_options[i]); !checked) {
            return checked;
        }
    }
    return {};
}

std::vector<std::string> service_name_hosts(const JobSetup& job) {
    std::vector<std::string> hosts;
    if (!job.primary_options.name.empty()) {
        hosts.push_back(job.primary_options.name + ":" + kServiceNameAddress);
    }
    for (const auto& options : job.service_options) {
        if (!options.name.empty()) hosts.push_back(options.name + ":" + kServiceNameAddress);
    }
    return hosts;
}

std::vector<std::string> primary_process(const ContainerOptions& options,
                                         const docker::ImageInfo& image) {
    if (options.command.empty()) return {};
    std::vector<std::string> process =
        options.entrypoint.empty() ? image.entrypoint : options.entrypoint;
    process.insert(process.end(), options.command.begin(), options.command.end());
    // `entrypoint: [""]` clears the image's entrypoint, as in Docker.
    if (!process.empty() && process.front().empty()) process.erase(process.begin());
    return process;
}

void apply_service_options(const ContainerOptions& options, docker::ContainerSpec& spec) {
    spec.entrypoint = options.entrypoint;
    spec.cmd = options.command;
    spec.user = options.user;
    spec.env = environment_list(options.environment);
}

}  // namespace fmg::agent
