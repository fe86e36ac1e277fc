#include "shared/pipeline/library.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <variant>
#include <vector>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/tree_loader.h"

namespace fmg::pipeline::detail {

namespace {

// Orbs import orbs; real ones go two or three levels deep.
constexpr int kMaxOrbDepth = 8;
// Orbs read for one config, at every depth together (each is a file to read and parse).
constexpr int kMaxOrbs = 100;

bool is_orb_name_char(char c) {
    return c == '-' || c == '_' || is_ascii_digit(c) || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

// `NAMESPACE/NAME@VERSION`, each part made only of characters that cannot leave the orb
// directory: the reference becomes a path under it.
bool is_registry_reference(std::string_view text, std::string_view& name_space,
                           std::string_view& name, std::string_view& version) {
    const auto slash = text.find('/');
    const auto at = text.find('@');
    if (slash == std::string_view::npos || at == std::string_view::npos || at < slash) {
        return false;
    }
    name_space = text.substr(0, slash);
    name = text.substr(slash + 1, at - slash - 1);
    version = text.substr(at + 1);
    const auto all_of = [](std::string_view part, auto predicate) {
        if (part.empty()) return false;
        for (char c : part) {
            if (!predicate(c)) return false;
        }
        return true;
    };
    const auto is_version_char = [](char c) { return is_orb_name_char(c) || c == '.' || c == ':'; };
    return all_of(name_space, is_orb_name_char) && all_of(name, is_orb_name_char) &&
           all_of(version, is_version_char) && version.find("..") == std::string_view::npos;
}

Problem read_definitions(YamlReader& reader, const Entry& entry, std::map<std::string, Node>& out,
                         std::map<std::string, Node>* keys, std::string_view what) {
    std::vector<Entry> definitions;
    if (auto problem = reader.read_map(entry, definitions)) return problem;
    for (const Entry& definition : definitions) {
        if (definition.key.find('/') != std::string::npos) {
            return reader.error_at(definition.key_node,
                                   std::string(what) + " name " + detail::quoted(definition.key) +
                                       " may not contain `/` (it names an orb's)");
        }
        out[definition.key] = definition.value;
        if (keys != nullptr) (*keys)[definition.key] = definition.key_node;
    }
    return std::nullopt;
}

Problem load_registry_orb(YamlReader& reader, const Entry& orb, const std::string& reference,
                          OrbSources& sources, int depth, Library& out) {
    std::string_view name_space;
    std::string_view name;
    std::string_view version;
    if (!is_registry_reference(reference, name_space, name, version)) {
        return reader.error_at(orb.where(), "orb " + detail::quoted(orb.key) + " is " +
                                                detail::quoted(reference) +
                                                "; a registry orb is NAMESPACE/NAME@VERSION "
                                                "(letters, digits, `-`, `_`; the version also "
                                                "`.` and `:`)");
    }
    const std::string file_name =
        std::string(name_space) + "/" + std::string(name) + "@" + std::string(version) + ".yml";
    if (sources.orb_dir.empty()) {
        return reader.error_at(
            orb.where(), "orb " + detail::quoted(reference) +
                             " is a registry orb, which fmg cannot download: give an "
                             "orb directory (--orb-dir DIR) holding its source as "
                             "DIR/" +
                             file_name + " (what `circleci orb source " + reference + "` prints)");
    }
    const std::filesystem::path path = std::filesystem::path(sources.orb_dir) / file_name;
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) {
        return reader.error_at(orb.where(), "orb " + detail::quoted(reference) +
                                                " is not in the orb directory: put its source "
                                                "(what `circleci orb source " +
                                                reference + "` prints) at " + path.string());
    }
    if (size > kMaxConfigBytes) {
        return reader.error_at(orb.where(), "orb source " + path.string() + " is " +
                                                std::to_string(size) + " bytes; at most " +
                                                std::to_string(kMaxConfigBytes) + " allowed");
    }
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    if (!file) {
        return reader.error_at(orb.where(), "cannot read orb source " + path.string());
    }
    const int index = reader.add_file(path.string());
    auto tree = load_tree(text.str(), path.string(), index);
    if (auto* problem = std::get_if<ParseError>(&tree)) return *problem;
    return read_library(reader, std::get<Node>(tree), sources, depth + 1, out);
}

Problem read_orbs(YamlReader& reader, const Entry& orbs, OrbSources& sources, int depth,
                  Library& out) {
    std::vector<Entry> entries;
    if (auto problem = reader.read_map(orbs, entries)) return problem;
    for (const Entry& orb : entries) {
        if (depth >= kMaxOrbDepth) {
            return reader.error_at(orb.key_node, "orbs import orbs more than " +
                                                     std::to_string(kMaxOrbDepth) + " levels deep");
        }
        if (++sources.loaded > kMaxOrbs) {
            return reader.error_at(orb.key_node,
                                   "more than " + std::to_string(kMaxOrbs) + " orbs to read");
        }
        auto library = std::make_shared<Library>();
        library->name = out.name.empty() ? orb.key : out.name + "/" + orb.key;
        if (orb.value.is_map()) {
            // An inline orb: its definitions are written here.
            if (auto problem = read_library(reader, orb.value, sources, depth + 1, *library)) {
                return problem;
            }
        } else {
            Node reference;
            if (auto problem = substitute(reader, orb.value, sources.pipeline, reference)) {
                return problem;
            }
            std::string text;
            if (auto problem =
                    reader.read_scalar(reference, orb.where(), detail::quoted(orb.key), text)) {
                return problem;
            }
            if (auto problem = load_registry_orb(reader, orb, std::string(trim(text)), sources,
                                                 depth, *library)) {
                return problem;
            }
        }
        out.orbs[orb.key] = std::move(library);
    }
    return std::nullopt;
}

}  // namespace

std::optional<Definition> find_definition(const Library& library, DefinitionKind kind,
                                          std::string_view reference) {
    const auto slash = reference.find('/');
    if (slash != std::string_view::npos) {
        const auto orb = library.orbs.find(std::string(reference.substr(0, slash)));
        if (orb == library.orbs.end()) return std::nullopt;
        auto found = find_definition(*orb->second, kind, reference.substr(slash + 1));
        if (found) found->full_name = std::string(reference);
        return found;
    }
    const std::map<std::string, Node>& map = kind == DefinitionKind::command    ? library.commands
                                             : kind == DefinitionKind::executor ? library.executors
                                                                                : library.jobs;
    const auto it = map.find(std::string(reference));
    if (it == map.end()) return std::nullopt;
    return Definition{it->second, &library, std::string(reference)};
}

Problem read_library(YamlReader& reader, const Node& root, OrbSources& sources, int depth,
                     Library& out) {
    std::vector<Entry> entries;
    if (auto problem = reader.read_map(root, root, "an orb", entries)) return problem;
    // Imports first: the other sections may name their definitions.
    for (const Entry& entry : entries) {
        if (entry.key == "orbs" && !entry.value.is_null()) {
            if (auto problem = read_orbs(reader, entry, sources, depth, out)) return problem;
        }
    }
    for (const Entry& entry : entries) {
        if (entry.value.is_null()) continue;
        Problem problem;
        if (entry.key == "commands") {
            problem = read_definitions(reader, entry, out.commands, nullptr, "command");
        } else if (entry.key == "executors") {
            problem = read_definitions(reader, entry, out.executors, nullptr, "executor");
        } else if (entry.key == "jobs") {
            problem = read_definitions(reader, entry, out.jobs, &out.job_keys, "job");
        }
        if (problem) return problem;
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
