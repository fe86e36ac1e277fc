#pragma once
// The admin token an installation starts with (SPEC "fmg-coordinator": written once to
// DATA_DIR/admin.token, mode 0600). The database keeps only its digest: the file is how the
// operator receives it, and may be deleted once copied.

#include <filesystem>

#include "coordinator/store/database.h"

namespace fmg::coordinator {

/// Run at every start, after the migrations. When no unrevoked admin token exists:
/// - a data dir from before tokens were stored (no token recorded yet) has its admin.token
///   recorded, so the token its operators use keeps working;
/// - otherwise (first start) a new admin token is made, written to admin.token and recorded.
/// So an installation always has an admin. Revoking the last admin token is refused
/// (tokens::revoke), so a new one appears here only on first start or upgrade.
/// Throws std::runtime_error when admin.token cannot be read or written.
void ensure_admin_token(Database& db, const std::filesystem::path& data_dir, int64_t now);

}  // namespace fmg::coordinator
