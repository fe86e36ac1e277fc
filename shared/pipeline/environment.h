#pragma once
// `environment:` maps of jobs and run steps. Internal to shared/pipeline/.

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Reads the `environment` entry: a map from variable names (`[A-Za-z_][A-Za-z0-9_]*`) to
/// scalar values, kept as written (`true`, `8080` and `3.10` become those strings). Fails on
/// a value that is a map, a list or empty, and on a name a shell could not export; also past
/// the agent protocol's limits: more than kMaxMapEntries variables, a name over kMaxNameBytes,
/// a value over kMaxTextBytes or holding NUL.
Problem read_environment(YamlReader& reader, const Entry& entry, Environment& out);

}  // namespace fmg::pipeline::detail
