#pragma once

#include "coordinator/store/database.h"

namespace fmg::coordinator {

/// Brings the schema up to the newest version, applying each missing migration in order, each
/// in its own transaction, recording it in `schema_migrations`. Returns the version reached.
/// Throws DbError when a migration fails or the database is newer than this build knows.
int migrate(Database& db);

/// The newest schema version this build knows.
int latest_schema_version();

}  // namespace fmg::coordinator
