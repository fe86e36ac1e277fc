#include "coordinator/access/admin_token.h"

#include "coordinator/setup/private_file.h"
#include "coordinator/store/token_store.h"
#include "shared/log.h"
#include "shared/text.h"

namespace fmg::coordinator {

void ensure_admin_token(Database& db, const std::filesystem::path& data_dir, int64_t now) {
    if (tokens::has_active_admin(db)) return;
    const std::filesystem::path file = data_dir / "admin.token";
    if (tokens::count(db) == 0 && std::filesystem::exists(file)) {
        std::string token(trim(read_whole_file(file)));
        if (!token.empty()) {
            tokens::record(db, token, "admin", Role::admin, "first start", now);
            FMG_LOG(info) << "recorded the admin token of " << file.string()
                          << " (only its digest is stored)";
            return;
        }
    }
    auto issued = tokens::create(db, "admin", Role::admin, "first start", now);
    write_private_file(file, issued.token + "\n");
    FMG_LOG(info) << "created the admin API token in " << file.string()
                  << " (only its digest is stored: copy it, the file may then be deleted)";
}

}  // namespace fmg::coordinator
