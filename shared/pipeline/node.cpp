#include "shared/pipeline/node.h"

namespace fmg::pipeline {

namespace {

const std::string kNoText;
const std::vector<Node> kNoItems;
const std::vector<Node::Pair> kNoPairs;

}  // namespace

Node Node::null(Position at) {
    Data data;
    data.kind = Kind::null;
    data.position = at;
    return Node(std::make_shared<const Data>(std::move(data)));
}

Node Node::scalar(std::string text, Position at, bool quoted) {
    Data data;
    data.kind = Kind::scalar;
    data.text = std::move(text);
    data.quoted = quoted;
    data.position = at;
    return Node(std::make_shared<const Data>(std::move(data)));
}

Node Node::sequence(std::vector<Node> items, Position at) {
    Data data;
    data.kind = Kind::sequence;
    data.items = std::move(items);
    data.position = at;
    return Node(std::make_shared<const Data>(std::move(data)));
}

Node Node::map(std::vector<Pair> pairs, Position at) {
    Data data;
    data.kind = Kind::map;
    data.pairs = std::move(pairs);
    data.position = at;
    return Node(std::make_shared<const Data>(std::move(data)));
}

const std::string& Node::text() const {
    return data_ && data_->kind == Kind::scalar ? data_->text : kNoText;
}

const std::vector<Node>& Node::items() const {
    return data_ && data_->kind == Kind::sequence ? data_->items : kNoItems;
}

const std::vector<Node::Pair>& Node::pairs() const {
    return data_ && data_->kind == Kind::map ? data_->pairs : kNoPairs;
}

Node Node::find(std::string_view key) const {
    for (const Pair& pair : pairs()) {
        if (pair.first.text() == key) return pair.second;
    }
    return {};
}

Node Node::at(Position position) const {
    if (!data_) return {};
    Data copy = *data_;
    copy.position = position;
    return Node(std::make_shared<const Data>(std::move(copy)));
}

}  // namespace fmg::pipeline
