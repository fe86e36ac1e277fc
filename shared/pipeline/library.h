#pragma once
// What a 2.1 config or an orb defines for reuse: commands, executors, jobs, and the orbs it
// imports (whose definitions it names `orb/name`). Registry orbs come from an orb directory
// (fmg cannot download them); inline orbs from the config. Internal to shared/pipeline/.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "shared/pipeline/node.h"
#include "shared/pipeline/substitution.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

struct Library {
    std::string name;  // how the config names it: "" for the config itself, else "node", "aws/s3"
    std::map<std::string, Node> commands;  // name -> definition (a map)
    std::map<std::string, Node> executors;
    std::map<std::string, Node> jobs;
    std::map<std::string, Node> job_keys;                        // name -> its key, for positions
    std::map<std::string, std::shared_ptr<const Library>> orbs;  // imported, by alias
};

enum class DefinitionKind { command, executor, job };

/// A definition found by reference, with the library it belongs to (whose other definitions
/// it names without a prefix).
struct Definition {
    Node body;
    const Library* library = nullptr;
    std::string full_name;  // as the config names it: `node/install`
};

/// The definition `reference` names in `library`: `name` for its own, `orb/name` (and
/// `orb/inner/name`) for an imported orb's. Nothing when there is none.
std::optional<Definition> find_definition(const Library& library, DefinitionKind kind,
                                          std::string_view reference);

/// Where orb sources come from while a config is read.
struct OrbSources {
    std::string orb_dir;  // empty: no directory given
    References pipeline;  // orb references may use `<< pipeline.parameters.x >>`
    int loaded = 0;       // orbs read so far, registry and inline, at every depth
};

/// Reads what `root` (a config's or an orb's top level) defines: `commands`, `executors`,
/// `jobs` and `orbs` (each registry orb loaded from the orb directory, each inline orb read
/// in place), at most kMaxOrbDepth orbs deep. Other keys are the caller's.
Problem read_library(YamlReader& reader, const Node& root, OrbSources& sources, int depth,
                     Library& out);

}  // namespace fmg::pipeline::detail
