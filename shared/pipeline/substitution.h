#pragma once
// `<< parameters.x >>`, `<< pipeline.git.branch >>`, `<< matrix.x >>`: putting values into a
// 2.1 config's text. Internal to shared/pipeline/.

#include <map>
#include <string>

#include "shared/pipeline/node.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// What references may name where a substitution happens. A null map: that kind of
/// reference is not available here (`<< parameters.x >>` outside a job, command or executor).
struct References {
    const std::map<std::string, Node>* parameters = nullptr;  // `parameters.NAME`
    const std::map<std::string, Node>* pipeline =
        nullptr;  // `pipeline.id`, `pipeline.parameters.NAME`...
    const std::map<std::string, Node>* matrix = nullptr;  // `matrix.NAME`
};

/// `node` with every reference replaced, recursively through maps and lists. In text a
/// reference is `<<`, optional spaces, a dotted name with at least one dot, optional spaces,
/// `>>`; `\<<` keeps `<<` as written. A scalar that is one reference and nothing else takes
/// the value's node (a list of steps, an executor map); elsewhere the value goes in as text,
/// and a value that is no scalar is an error. Text such as `cat <<EOF >>log` (no dot) is
/// left alone. An unknown reference is an error at the scalar that holds it, naming it.
Problem substitute(YamlReader& reader, const Node& node, const References& references, Node& out);

}  // namespace fmg::pipeline::detail
