#pragma once
// The `docker` list of a job: its images and how each container runs. Internal to
// shared/pipeline/.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Reads the `docker` entry into `job.image` (the first item: runs the steps) and
/// `job.services` (the rest); the first image's `environment` goes to `primary_environment`
/// (the steps see it, under the job's). Each item takes CircleCI's keys: `image`, `name`,
/// `entrypoint`, `command`, `user`, `environment`, `auth` (`username` and `password`) and the
/// ignored `ports`; `aws_auth` is refused with what to write instead. Fails, pointing at the
/// value, on a malformed or empty value, an unknown key, or a value over the agent
/// protocol's limits (wire_fit.h).
Problem read_docker(YamlReader& reader, const Entry& docker, Job& job,
                    Environment& primary_environment);

/// The words of `text` as a POSIX shell splits them, without any expansion: blanks separate
/// words, single quotes keep everything, double quotes keep all but `\"` and `\\`, a
/// backslash outside quotes keeps the next character. Nullopt on an unterminated quote or a
/// trailing backslash. The string form of `entrypoint` and `command`, as Docker Compose reads
/// it.
std::optional<std::vector<std::string>> split_words(std::string_view text);

}  // namespace fmg::pipeline::detail
