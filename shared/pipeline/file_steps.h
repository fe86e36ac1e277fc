#pragma once
// The steps CircleCI has besides checkout and run: caches, workspaces, artifacts, test
// results, setup_remote_docker and add_ssh_keys, read and checked. Internal to
// shared/pipeline/.

#include <string>
#include <string_view>
#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Whether `type` is one of the steps read_file_step reads.
bool is_file_step(std::string_view type);

/// The types is_file_step knows, for "did you mean".
std::vector<std::string> file_step_types();

/// Reads step `step` (its type is the key; its value a map, or nothing where the step needs
/// no options) into `out`: the keys CircleCI documents for it, the required ones present,
/// paths and keys non-empty and within the agent protocol's limits.
Problem read_file_step(YamlReader& reader, const Entry& step, Step& out);

}  // namespace fmg::pipeline::detail
