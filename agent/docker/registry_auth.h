#pragma once
// Credentials for pulling an image from a registry that needs them (CircleCI `auth` of a
// `docker` image), as the Docker Engine API takes them: the X-Registry-Auth header of
// POST /images/create.

#include <string>

namespace fmg::agent::docker {

/// A registry login, already resolved (no `$NAME` left). Never logged.
struct RegistryCredentials {
    std::string username;
    std::string password;
};

/// The registry host of image reference `image`, as Docker reads it: the first path
/// component when it has a `.` or `:` or is `localhost` ("ghcr.io", "127.0.0.1:5000"), else
/// Docker Hub ("docker.io").
std::string registry_host(const std::string& image);

/// The value of the X-Registry-Auth header for pulling `image` with `credentials`: the JSON
/// object {"username", "password", "serveraddress"} in base64url with padding (RFC 4648
/// section 5; the Engine API's "Authentication" section).
std::string registry_auth_header(const RegistryCredentials& credentials, const std::string& image);

}  // namespace fmg::agent::docker
