#pragma once
// libgit2 failures as fmg Errors: what was being done, then libgit2's own message, with
// every credential taken out.

#include <string_view>

#include "shared/result.h"

namespace fmg::git {

/// An Error "ACTION: <libgit2's last error message>" for the calling thread's last libgit2
/// failure (`code` is the failing call's return value, used when libgit2 left no message).
/// URL credentials and the value of FMG_GIT_TOKEN are removed from the whole text.
Error libgit2_error(std::string_view action, int code);

/// Removes URL credentials and the value of FMG_GIT_TOKEN from a message.
std::string scrub_secrets(std::string_view message);

}  // namespace fmg::git
