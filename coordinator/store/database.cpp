#include "coordinator/store/database.h"

#include <chrono>
#include <thread>

namespace fmg::coordinator {

namespace {
[[noreturn]] void fail(sqlite3* db, std::string_view what) {
    throw DbError(std::string(what) + ": " + sqlite3_errmsg(db));
}
}  // namespace

Statement::Statement(sqlite3* db, sqlite3_stmt* statement, std::vector<sqlite3_stmt*>* pool)
    : db_(db), statement_(statement), pool_(pool) {}

Statement::~Statement() {
    if (statement_ == nullptr) return;
    if (pool_ == nullptr) {
        sqlite3_finalize(statement_);
        return;
    }
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    pool_->push_back(statement_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(other.statement_), pool_(other.pool_) {
    other.statement_ = nullptr;
}

Statement& Statement::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) fail(db_, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    if (sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
        fail(db_, "bind");
    }
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    if (sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT) !=
        SQLITE_OK) {
        fail(db_, "bind");
    }
    return *this;
}

Statement& Statement::bind(int index, std::optional<int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(statement_, index) != SQLITE_OK) fail(db_, "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(statement_, column);
}

std::optional<int64_t> Statement::optional_integer(int column) const {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    return integer(column);
}

std::string Statement::text(int column) const {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

std::string Statement::blob(int column) const {
    const void* bytes = sqlite3_column_blob(statement_, column);
    if (bytes == nullptr) return {};
    return std::string(static_cast<const char*>(bytes),
                       static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

std::optional<std::string> Statement::optional_text(int column) const {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    return text(column);
}

Database::Database(const std::filesystem::path& file) : file_(file) {
    if (sqlite3_open_v2(file.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw DbError("open " + file.string() + ": " + message);
    }
    // Writers from several threads (webhook handlers, the preparer, the event loop) queue on
    // SQLite's lock; transactions are short, so a generous busy timeout never fires in practice.
    sqlite3_busy_timeout(db_, 10'000);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
}

Database::~Database() {
    for (auto& [sql, statements] : idle_statements_) {
        for (sqlite3_stmt* statement : statements) sqlite3_finalize(statement);
    }
    sqlite3_close_v2(db_);
}

Statement Database::prepare(std::string_view sql) {
    auto pool = idle_statements_.find(sql);
    if (pool != idle_statements_.end() && !pool->second.empty()) {
        sqlite3_stmt* statement = pool->second.back();
        pool->second.pop_back();
        return Statement(db_, statement, &pool->second);
    }
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &statement, nullptr) != SQLITE_OK) {
        fail(db_, "prepare '" + std::string(sql.substr(0, 60)) + "'");
    }
    if (pool == idle_statements_.end() && idle_statements_.size() < kMaxCachedSql) {
        pool = idle_statements_.emplace(std::string(sql), std::vector<sqlite3_stmt*>{}).first;
    }
    return Statement(db_, statement, pool == idle_statements_.end() ? nullptr : &pool->second);
}

void Database::exec(std::string_view sql) {
    std::string copy(sql);
    char* error = nullptr;
    if (sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw DbError("exec '" + copy.substr(0, 60) + "': " + message);
    }
}

int64_t Database::last_insert_id() const {
    return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
    return sqlite3_changes(db_);
}

}  // namespace fmg::coordinator
