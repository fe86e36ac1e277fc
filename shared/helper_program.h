#pragma once
// Where fmg's helper programs are. fmg-agent starts fmg-checkout for each checkout step and
// fmg-coordinator starts fmg-fetch for each repository fetch; both are installed off PATH in
// LIBEXECDIR/fmg, or kept beside the binary that starts them (a build tree).

#include <filesystem>
#include <string_view>

#include "shared/result.h"

namespace fmg {

/// Finds the helper `name`: beside this executable (a build tree, or both copied together),
/// else in LIBEXECDIR/fmg relative to it (an installed tree, wherever it was installed), else
/// at the path this build installs it to. Fails naming every place it looked and saying the
/// helper is installed with `installed_with` (the binary that needs it).
Result<std::filesystem::path> find_helper_program(std::string_view name,
                                                  std::string_view installed_with);

}  // namespace fmg
