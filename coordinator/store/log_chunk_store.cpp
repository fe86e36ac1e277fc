#include "coordinator/store/log_chunk_store.h"

namespace fmg::coordinator::log_chunks {

void add(Database& db, AttemptId attempt, int64_t seq, std::string_view data) {
    db.prepare("INSERT INTO attempt_log_chunks (attempt_id, seq, data) VALUES (?, ?, ?)")
        .bind(1, attempt)
        .bind(2, seq)
        .bind_blob(3, data)
        .run();
}

std::string read(Database& db, AttemptId attempt) {
    auto q = db.prepare("SELECT data FROM attempt_log_chunks WHERE attempt_id = ? ORDER BY seq");
    q.bind(1, attempt);
    std::string log;
    while (q.step()) log += q.blob(0);
    return log;
}

void remove(Database& db, AttemptId attempt) {
    db.prepare("DELETE FROM attempt_log_chunks WHERE attempt_id = ?").bind(1, attempt).run();
}

}  // namespace fmg::coordinator::log_chunks
