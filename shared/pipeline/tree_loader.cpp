#include "shared/pipeline/tree_loader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

// Merge keys may merge maps that merge maps; a chain of anchors could otherwise recurse as
// deep as the file is long.
constexpr int kMaxMergeDepth = 32;

constexpr std::string_view kMergeKey = "<<";
constexpr std::string_view kNonSpecificTag = "!";  // what yaml-cpp tags quoted scalars with

bool is_quoted(const YAML::Node& node) {
    return node.Tag() == kNonSpecificTag;
}

bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Scalar() == kMergeKey && !is_quoted(key);
}

std::string kind_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a string";
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            break;
    }
    return "empty";
}

class Loader {
  public:
    Loader(std::string_view file_name, int file_index)
        : file_name_(file_name), file_index_(file_index) {}

    using Problem = std::optional<ParseError>;

    // `what` names the node in messages: "`jobs`", "the config".
    Problem copy(const YAML::Node& in, const std::string& what, Node& out) {
        if (auto problem = count(in)) return problem;
        const Position at = position_of(in.Mark());
        switch (in.Type()) {
            case YAML::NodeType::Null:
            case YAML::NodeType::Undefined:
                out = Node::null(at);
                return std::nullopt;
            case YAML::NodeType::Scalar:
                bytes_ += static_cast<int64_t>(in.Scalar().size());
                if (bytes_ > kMaxReadBytes) {
                    return error(at, "config too large: more than " +
                                         std::to_string(kMaxReadBytes) +
                                         " bytes of text to read (are aliases repeating large "
                                         "parts?)");
                }
                out = Node::scalar(in.Scalar(), at, is_quoted(in));
                return std::nullopt;
            case YAML::NodeType::Sequence: {
                std::vector<Node> items;
                items.reserve(in.size());
                for (const YAML::Node& item : in) {
                    Node copied;
                    if (auto problem = copy(item, "an item of " + what, copied)) return problem;
                    items.push_back(std::move(copied));
                }
                out = Node::sequence(std::move(items), at);
                return std::nullopt;
            }
            case YAML::NodeType::Map:
                return copy_map(in, what, 0, out);
        }
        return std::nullopt;
    }

  private:
    Position position_of(const YAML::Mark& mark) const {
        return {mark.line, mark.column, file_index_};
    }

    Problem count(const YAML::Node& at) {
        if (++nodes_ <= kMaxVisitedNodes) return std::nullopt;
        return error(position_of(at.Mark()),
                     "config too large: more than " + std::to_string(kMaxVisitedNodes) +
                         " YAML nodes to read (are aliases repeating large parts?)");
    }

    ParseError error(Position at, std::string message) const {
        return error_at_position(file_name_, at, std::move(message));
    }

    Problem copy_map(const YAML::Node& in, const std::string& what, int merge_depth, Node& out) {
        std::vector<Node::Pair> pairs;
        std::vector<YAML::Node> merges;                      // the values of `<<` keys
        std::unordered_map<std::string, std::size_t> index;  // key -> position in pairs
        // `pair` holds the key and value nodes (yaml-cpp's iterators hand out temporaries).
        for (const auto& pair : in) {
            const YAML::Node& key = pair.first;
            if (is_merge_key(key)) {
                if (auto problem = count(key)) return problem;
                merges.push_back(pair.second);
                continue;
            }
            if (!key.IsScalar()) {
                return error(position_of(key.Mark()),
                             "keys in " + what + " must be strings, not " + kind_name(key));
            }
            Node key_node;
            if (auto problem = copy(key, what, key_node)) return problem;
            const auto [seen, inserted] = index.emplace(key.Scalar(), pairs.size());
            if (!inserted) {
                const int first_line = pairs[seen->second].first.position().line + 1;
                return error(key_node.position(), "duplicate key " + quoted(key.Scalar()) + " in " +
                                                      what + " (first at line " +
                                                      std::to_string(first_line) + ")");
            }
            Node value;
            if (auto problem = copy(pair.second, quoted(key.Scalar()), value)) return problem;
            pairs.emplace_back(std::move(key_node), std::move(value));
        }
        // Keys written in the map win over merged ones, earlier merged maps over later ones.
        for (const YAML::Node& merge : merges) {
            if (auto problem = merge_into(merge, merge_depth, index, pairs)) return problem;
        }
        out = Node::map(std::move(pairs), position_of(in.Mark()));
        return std::nullopt;
    }

    Problem merge_into(const YAML::Node& merge, int merge_depth,
                       std::unordered_map<std::string, std::size_t>& index,
                       std::vector<Node::Pair>& pairs) {
        if (merge_depth >= kMaxMergeDepth) {
            return error(position_of(merge.Mark()), "merge keys (<<) nest deeper than " +
                                                        std::to_string(kMaxMergeDepth) + " levels");
        }
        std::vector<YAML::Node> sources;
        if (merge.IsSequence()) {
            for (const YAML::Node& source : merge) sources.push_back(source);
        } else {
            sources.push_back(merge);
        }
        for (const YAML::Node& source : sources) {
            if (auto problem = count(source)) return problem;
            if (!source.IsMap()) {
                return error(position_of(source.Mark()),
                             "a merge (<<) source must be a map, but it is " + kind_name(source));
            }
            Node merged;
            if (auto problem = copy_map(source, "a merge (<<) source", merge_depth + 1, merged)) {
                return problem;
            }
            for (const Node::Pair& pair : merged.pairs()) {
                if (index.emplace(pair.first.text(), pairs.size()).second) pairs.push_back(pair);
            }
        }
        return std::nullopt;
    }

    std::string file_name_;
    int file_index_ = 0;
    int64_t nodes_ = 0;
    int64_t bytes_ = 0;
};

}  // namespace

ParseError error_at_position(std::string_view file_name, Position at, std::string message) {
    ParseError error;
    error.file = std::string(file_name);
    if (at.line >= 0 && at.column >= 0) {
        error.line = at.line + 1;
        error.column = at.column + 1;
    }
    error.message = std::move(message);
    return error;
}

std::variant<Node, ParseError> load_tree(std::string_view yaml_text, std::string_view file_name,
                                         int file_index) {
    const auto fail = [&](const YAML::Mark& mark, std::string message) {
        return error_at_position(file_name, {mark.line, mark.column, file_index},
                                 std::move(message));
    };
    if (yaml_text.size() > kMaxConfigBytes) {
        return fail(YAML::Mark::null_mark(),
                    "config is " + std::to_string(yaml_text.size()) + " bytes; at most " +
                        std::to_string(kMaxConfigBytes) + " (1 MiB) allowed");
    }
    try {
        const YAML::Node root = YAML::Load(std::string(yaml_text));
        Loader loader(file_name, file_index);
        Node tree;
        if (auto problem = loader.copy(root, "the config", tree)) return *problem;
        return tree;
    } catch (const YAML::DeepRecursion& error) {
        // yaml-cpp's own guard (about 500 levels); its message says "bad file".
        return fail(error.mark, "invalid YAML: nested too deeply");
    } catch (const YAML::Exception& error) {
        // Syntax errors.
        return fail(error.mark, "invalid YAML: " + error.msg);
    } catch (const std::exception& error) {
        return fail(YAML::Mark::null_mark(),
                    std::string("cannot read the config: ") + error.what());
    } catch (...) {
        return fail(YAML::Mark::null_mark(), "cannot read the config");
    }
}

}  // namespace fmg::pipeline::detail
