#pragma once
// A config's YAML as fmg reads it: an immutable tree of maps, lists and strings, each node
// with its position in the file. yaml-cpp loads the text (tree_loader.h); everything after
// works on this tree, because 2.1 expansion builds new trees out of pieces of the old one
// (a command's steps with a job's parameters put in) and an error must still point at the
// line the user wrote, which yaml-cpp's nodes cannot carry into nodes made by hand.
// Copies are cheap: nodes share their children.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fmg::pipeline {

/// A place in a file, 0-based; -1 when a node has none. `file` is an index into the reader's
/// list of files: 0 is the config, others are the orb sources it imports.
struct Position {
    int line = -1;
    int column = -1;
    int file = 0;
};

class Node {
  public:
    enum class Kind {
        absent,    // no node at all (a key that is not there)
        null,      // `key:` with nothing, `~` or `null`
        scalar,    // a string, as written (`true` and `3.10` stay text)
        sequence,  // a list
        map,       // `key: value` pairs in file order; keys are scalars, unique
    };
    using Pair = std::pair<Node, Node>;

    Node() = default;  // absent

    static Node null(Position at);
    /// `quoted`: written in quotes, so `"<<"` is a key and not a merge.
    static Node scalar(std::string text, Position at, bool quoted = false);
    static Node sequence(std::vector<Node> items, Position at);
    static Node map(std::vector<Pair> pairs, Position at);

    Kind kind() const { return data_ ? data_->kind : Kind::absent; }
    bool is_defined() const { return kind() != Kind::absent; }
    bool is_null() const { return kind() == Kind::null; }
    bool is_scalar() const { return kind() == Kind::scalar; }
    bool is_sequence() const { return kind() == Kind::sequence; }
    bool is_map() const { return kind() == Kind::map; }

    /// A scalar's text; empty for other kinds.
    const std::string& text() const;
    bool quoted() const { return data_ && data_->quoted; }
    Position position() const { return data_ ? data_->position : Position{}; }
    /// A list's items; empty for other kinds.
    const std::vector<Node>& items() const;
    /// A map's pairs; empty for other kinds.
    const std::vector<Pair>& pairs() const;
    /// The value under `key` in a map; absent when there is none (or this is no map).
    Node find(std::string_view key) const;

    /// The same node at another position (a value put in where a reference was written).
    Node at(Position position) const;

  private:
    struct Data {
        Kind kind = Kind::absent;
        std::string text;
        bool quoted = false;
        Position position;
        std::vector<Node> items;
        std::vector<Pair> pairs;
    };
    explicit Node(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

    std::shared_ptr<const Data> data_;
};

}  // namespace fmg::pipeline
