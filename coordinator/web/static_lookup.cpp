#include "coordinator/web/static_files.h"

namespace fmg::coordinator::web {
namespace {

bool ends_with(std::string_view text, std::string_view end) {
    return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

}  // namespace

std::optional<StaticFile> find_static_file(std::string_view name) {
    for (const StaticFile& file : static_files()) {
        if (file.name == name) return file;
    }
    return std::nullopt;
}

std::string_view content_type_of(std::string_view name) {
    if (ends_with(name, ".css")) return "text/css; charset=utf-8";
    if (ends_with(name, ".js")) return "text/javascript; charset=utf-8";
    if (ends_with(name, ".svg")) return "image/svg+xml";
    if (ends_with(name, ".png")) return "image/png";
    return "application/octet-stream";
}

}  // namespace fmg::coordinator::web
