#pragma once
// The items of a job's `steps` list. Internal to shared/pipeline/.

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Reads one step: `checkout`, `run: COMMAND` or `run:` with a map
/// (`command` required; `name`, `environment`, `working_directory`, `no_output_timeout`,
/// `when`). Fails, naming the step, on any other step type (caches, workspaces, orb commands:
/// fmg runs only these two), on unknown keys, on malformed values and on a command, name or
/// working directory over the agent protocol's kMaxTextBytes.
Problem read_step(YamlReader& reader, const Node& node, Step& out);

}  // namespace fmg::pipeline::detail
