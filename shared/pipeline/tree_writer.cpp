#include "shared/pipeline/tree_writer.h"

#include <yaml-cpp/yaml.h>

namespace fmg::pipeline::detail {

namespace {

void write(YAML::Emitter& out, const Node& node) {
    switch (node.kind()) {
        case Node::Kind::scalar:
            if (node.text().find('\n') != std::string::npos) {
                out << YAML::Literal << node.text();
            } else if (node.quoted()) {
                out << YAML::DoubleQuoted << node.text();
            } else {
                out << node.text();
            }
            return;
        case Node::Kind::sequence:
            out << YAML::BeginSeq;
            for (const Node& item : node.items()) write(out, item);
            out << YAML::EndSeq;
            return;
        case Node::Kind::map:
            out << YAML::BeginMap;
            for (const Node::Pair& pair : node.pairs()) {
                out << YAML::Key << pair.first.text() << YAML::Value;
                write(out, pair.second);
            }
            out << YAML::EndMap;
            return;
        case Node::Kind::null:
        case Node::Kind::absent:
            out << YAML::Null;
            return;
    }
}

}  // namespace

std::string write_tree(const Node& node) {
    YAML::Emitter out;
    out.SetIndent(2);
    write(out, node);
    return std::string(out.c_str()) + "\n";
}

}  // namespace fmg::pipeline::detail
