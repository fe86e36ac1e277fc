#pragma once
// What the `docker` image keys of a job (ContainerOptions: name, entrypoint, command, user,
// environment, auth) mean for the docker executor's containers (docs/executors.md).

#include <optional>
#include <string>
#include <vector>

#include "agent/docker/client.h"
#include "agent/executor/executor.h"
#include "shared/result.h"

namespace fmg::agent {

/// The address a container `name` stands for: the job's containers share the primary's
/// network namespace, so every service listens on the primary's loopback.
inline constexpr const char* kServiceNameAddress = "127.0.0.1";

/// The registry login of `image`, with `$NAME` / `${NAME}` resolved in the job's
/// `environment` (never in the agent's own); nullopt without `auth_username`. Fails naming
/// the image and the variable, never a value, on a malformed reference, an unset variable, or
/// a username without password.
Result<std::optional<docker::RegistryCredentials>> resolve_credentials(
    const std::string& image, const ContainerOptions& options, const Environment& environment);

/// `text` with every occurrence of the password of `credentials` (if any) replaced by `***`,
/// for Docker's messages about a pull made with them.
std::string hide_credentials(std::string text,
                             const std::optional<docker::RegistryCredentials>& credentials);

/// Fails unless every `name` of the job is a host name that /etc/hosts can hold (letters,
/// digits, `-`, `_`, `.`; the config parser allows no other), naming the image.
Status check_container_names(const JobSetup& job);

/// The primary's ExtraHosts: each `name` of the job's images, at kServiceNameAddress.
std::vector<std::string> service_name_hosts(const JobSetup& job);

/// What the primary runs beside the steps: its entrypoint (the configured one, else the
/// image's) followed by its `command`. Empty without `command`: CircleCI then ignores the
/// primary's entrypoint and command (the container only has to stay up for the steps).
std::vector<std::string> primary_process(const ContainerOptions& options,
                                         const docker::ImageInfo& image);

/// Sets a service container's Entrypoint, Cmd, User and Env from its options.
void apply_service_options(const ContainerOptions& options, docker::ContainerSpec& spec);

}  // namespace fmg::agent
