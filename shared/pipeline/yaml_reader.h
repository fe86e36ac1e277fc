#pragma once
// Reading the config tree (node.h) for the config parser: every read checks the node's kind,
// keeps the position for error messages and counts against a visit budget, so an expanded
// config cannot make the parser work without bound. Internal to shared/pipeline/.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/node.h"

namespace fmg::pipeline::detail {

/// The first problem found while reading, if any: parsing stops at the first.
using Problem = std::optional<ParseError>;

/// One `key: value` pair of a YAML map.
struct Entry {
    std::string key;
    Node key_node;
    Node value;

    /// What to point at when the value is wrong: the value, or its key when the value is empty
    /// (yaml-cpp places an empty value at the start of the next line).
    const Node& where() const;
};

class YamlReader {
  public:
    explicit YamlReader(std::string file_name);

    /// Adds a file whose nodes this reader reads too (an orb source); returns its index for
    /// load_tree. Errors at its nodes name it.
    int add_file(std::string file_name);

    /// An error at `node`'s position, 1-based; a node without a position points at 1:1.
    ParseError error_at(const Node& node, std::string message) const;

    /// The pairs of map `node`, in order (the tree has merge keys resolved and no duplicate
    /// keys). Fails, pointing at `where`, when `node` is not a map (`what` names it:
    /// "`jobs`"), or on an exhausted visit budget.
    Problem read_map(const Node& node, const Node& where, std::string_view what,
                     std::vector<Entry>& out);
    Problem read_map(const Entry& entry, std::vector<Entry>& out);

    /// The items of sequence `node`. Fails when it is not a sequence or the budget is spent.
    Problem read_sequence(const Node& node, const Node& where, std::string_view what,
                          std::vector<Node>& out);
    Problem read_sequence(const Entry& entry, std::vector<Node>& out);

    /// The text of scalar `node` as written (`true`, `3.10` stay as such). Fails on a map, a
    /// sequence or an empty value (`key:`, `~`, `null`), which need quotes to be strings.
    Problem read_scalar(const Node& node, const Node& where, std::string_view what,
                        std::string& out);
    Problem read_scalar(const Entry& entry, std::string& out);

    /// A scalar or a sequence of scalars, as a list (the shape of `only:` and `ignore:`).
    /// `nodes` receives each string's node, for later error positions.
    Problem read_string_list(const Entry& entry, std::vector<std::string>& out,
                             std::vector<Node>& nodes);

    /// Counts one more visited node. Fails, at `node`, once kMaxVisitedNodes are spent.
    Problem visit(const Node& node);

    /// What the reader has read so far: nodes visited and scalar bytes.
    struct Spent {
        int64_t nodes = 0;
        int64_t bytes = 0;
    };
    Spent spent() const { return spent_; }
    /// Starts the budget again, for a new stage of reading (the expanded config).
    void reset_spent() { spent_ = {}; }

    /// An error at a key fmg knows from CircleCI but does not implement, e.g. "`shell` in a run
    /// step is not supported by fmg" (`where_in`: "a run step").
    ParseError unsupported(const Entry& entry, std::string_view where_in) const;
    /// An error at a key that neither fmg nor CircleCI knows at this place, listing the
    /// `expected` keys.
    ParseError unknown_key(const Entry& entry, std::string_view where_in,
                           std::string_view expected) const;

  private:
    std::vector<std::string> file_names_;  // by Position::file
    Spent spent_;
};

}  // namespace fmg::pipeline::detail
