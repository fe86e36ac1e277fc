#pragma once
// The items of a job's `steps` list. Internal to shared/pipeline/.

#include <string>
#include <string_view>
#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Reads one step: `checkout`, `run: COMMAND` or `run:` with a map
/// (`command` required; `name`, `shell`, `environment`, `background`, `working_directory`,
/// `no_output_timeout`, `when`, `max_auto_reruns` 1..5, `auto_rerun_delay` up to 10m and only
/// with `max_auto_reruns`, which a background step may not have). Fails, naming the step, on any
/// other step type (caches, workspaces, orb commands: fmg runs only these two), on unknown keys, on
/// malformed values and on a command, name or working directory over the agent protocol's
/// kMaxTextBytes.
Problem read_step(YamlReader& reader, const Node& node, Step& out);

/// Reads a step's `when`: on_success, on_fail or always.
Problem read_step_when(YamlReader& reader, const Entry& entry, StepWhen& out);

/// Whether `type` is a step CircleCI provides (`checkout`, `run`, `deploy`, the file steps,
/// setup_remote_docker, add_ssh_keys), which read_step reads.
bool is_step_type(std::string_view type);

/// The types is_step_type knows, for "did you mean".
std::vector<std::string> step_types();

}  // namespace fmg::pipeline::detail
