#include "coordinator/store/blob_rows.h"

namespace fmg::coordinator::blobs {

void record(Database& db, const std::string& sha256, int64_t size, int64_t now) {
    db.prepare("INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)")
        .bind(1, sha256)
        .bind(2, size)
        .bind(3, now)
        .run();
}

}  // namespace fmg::coordinator::blobs
