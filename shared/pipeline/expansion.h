#pragma once
// A 2.1 config expanded into the 2.0 form the rest of the parser reads, offline (CircleCI
// does this on its servers): orbs read, pipeline parameters bound, `when`/`unless`
// workflows decided, matrices spread into jobs, every workflow entry's job instantiated
// under the entry's name. Internal to shared/pipeline/.

#include <map>
#include <string>
#include <utility>

#include "shared/pipeline/config.h"
#include "shared/pipeline/node.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// The 2.0 form of the 2.1 config `root`: `version`, `jobs` (one per workflow entry that
/// runs, named as the entry, plus the definitions no entry uses whose parameters all have
/// defaults) and `workflows` (those whose `when`/`unless` hold, each entry naming its job,
/// with `requires` naming a matrix's alias spread to its jobs). Every workflow is expanded,
/// running or not, so its errors show. Fails at the first problem.
/// `matrices`: for each job a matrix made, keyed by (workflow, its name in the workflow),
/// where it comes from (fmg validate lists it).
using MatrixOrigins = std::map<std::pair<std::string, std::string>, MatrixOrigin>;
Problem expand_tree(YamlReader& reader, const Node& root, const ParseOptions& options, Node& out,
                    MatrixOrigins& matrices);

}  // namespace fmg::pipeline::detail
