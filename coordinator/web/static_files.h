#pragma once
// The dashboard's static files (coordinator/web/static/), compiled into the coordinator so one
// binary deploys it all; the build generates their definition (web/embed_static.cmake).

#include <optional>
#include <string_view>
#include <vector>

namespace fmg::coordinator::web {

struct StaticFile {
    std::string_view name;  // "fmg.css"
    std::string_view bytes;
    std::string_view sha256;  // lower-case hex, computed by the build: the file's ETag
};

/// Every static file, in the order of their names.
const std::vector<StaticFile>& static_files();

/// The file named `name`; nullopt when there is none.
std::optional<StaticFile> find_static_file(std::string_view name);

/// The Content-Type its name's extension gives (.css, .js, .svg, .png; else octet-stream).
std::string_view content_type_of(std::string_view name);

}  // namespace fmg::coordinator::web
