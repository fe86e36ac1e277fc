#pragma once
// What a job needs of the runner that takes it: the labels that `machine`, `macos`, `windows`
// and `resource_class` ask for (docs/pipeline-config.md, *Runners*). Internal to
// shared/pipeline/.

#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Reads, among the fields of job `definition` (`fields`, as read_job read them), the keys
/// that choose a runner, into `job.labels` (in config order, each once):
/// - `machine: true` or `machine: {image: X}`: the label `machine`; the job has no docker image
///   and runs its steps on the host (`image` is accepted, not used);
/// - `macos: {xcode: V}`: `macos`; `windows: true` or a map: `windows`; neither has an image;
/// - `resource_class: NAME`: `NAME`, which must be a runner label (shared/host_names.h).
/// Fails when the job has neither a `docker` image nor one of machine, macos, windows, or
/// more than one of them; on a malformed value; on a resource class no runner could carry.
Problem read_runner_labels(YamlReader& reader, const Entry& definition,
                           const std::vector<Entry>& fields, Job& job);

}  // namespace fmg::pipeline::detail
