#pragma once
// The one rule for paths that name files inside a directory fmg restores into or serves
// from (artifacts, and the entries of workspaces and caches; docs/files.md): relative,
// '/'-separated, no empty, `.` or `..` part, no NUL and no control characters. Such a path
// cannot leave its directory by itself (symbolic links are checked where files are written).

#include <optional>
#include <string>
#include <string_view>

namespace fmg {

/// Why `path` is not a safe relative path, e.g. "it goes up a directory ('..')"; nothing when
/// it is one.
std::optional<std::string> unsafe_path_reason(std::string_view path);

/// `path` with `./` parts, repeated and trailing slashes dropped, e.g. "./out//a/" -> "out/a".
/// Leading '/' is kept, so an absolute path stays one (and unsafe).
std::string tidy_path(std::string_view path);

}  // namespace fmg
