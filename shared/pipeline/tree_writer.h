#pragma once
// The config tree (node.h) as YAML text, for `fmg validate --expand`. Internal to
// shared/pipeline/.

#include <string>

#include "shared/pipeline/node.h"

namespace fmg::pipeline::detail {

/// `node` as a YAML document: block style, multi-line text as literal blocks, everything
/// else quoted as yaml-cpp's emitter decides (so a value never turns into another type).
std::string write_tree(const Node& node);

}  // namespace fmg::pipeline::detail
