#pragma once
// Preconditions of the tests that run steps in Docker.

#include <string>

namespace fmg::testing {

/// The image the Docker tests run their steps in (built by scripts/build-test-image.sh).
inline const std::string kTestImage = "fmg/busybox:latest";
/// The same as the non-root user "builder", with ssh-agent and ssh-add (add_ssh_keys).
inline const std::string kSshTestImage = "fmg/busybox-ssh:latest";

/// Fails the current test with a message saying what to run when `docker info` fails
/// (scripts/ensure-docker.sh) or a test image is missing (scripts/build-test-image.sh).
void require_docker();

}  // namespace fmg::testing
