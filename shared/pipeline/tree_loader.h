#pragma once
// YAML text to the config tree (node.h): yaml-cpp parses, then every node is copied once into
// the tree, with merge keys (`<<: *anchor`, single or a list, as YAML 1.1 and CircleCI read
// them) resolved and duplicate keys refused. Aliases are copied where they are used, so the
// copy counts against the same budget as any node: an alias bomb ends in an error, not in
// unbounded work. Internal to shared/pipeline/.

#include <string_view>
#include <variant>

#include "shared/pipeline/config.h"
#include "shared/pipeline/node.h"

namespace fmg::pipeline::detail {

/// The tree of `yaml_text` (at most kMaxConfigBytes), or where and why it cannot be read:
/// YAML syntax, nesting deeper than yaml-cpp allows, a key that is not a string, a duplicate
/// key, a merge of something that is no map, more than kMaxVisitedNodes nodes or
/// kMaxReadBytes of text once aliases are expanded. Never throws.
/// `file_index` goes into every node's Position.
std::variant<Node, ParseError> load_tree(std::string_view yaml_text, std::string_view file_name,
                                         int file_index = 0);

/// A ParseError at `at` (0-based) in `file_name`; a position of -1 becomes 1:1.
ParseError error_at_position(std::string_view file_name, Position at, std::string message);

}  // namespace fmg::pipeline::detail
