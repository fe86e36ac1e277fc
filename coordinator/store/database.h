#pragma once
// A thin SQLite wrapper: one Database per thread (SQLite connections are not shared across
// threads here), WAL mode so readers never block the writer, prepared statements with
// typed binds and reads. SQL failures are bugs or a broken disk, so they throw DbError.
//
// Compiled statements are kept for reuse: a Statement returns its sqlite3_stmt to the
// Database when it goes out of scope, and the next prepare() of the same SQL text takes it
// back instead of compiling again (compiling was ~16 % of the coordinator's CPU under a
// burst of jobs, docs/performance/throughput.md).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fmg::coordinator {

class DbError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Statement {
  public:
    /// Takes `statement`, compiled on `db`; on destruction returns it, reset, to `pool` (or
    /// finalizes it when `pool` is null).
    Statement(sqlite3* db, sqlite3_stmt* statement, std::vector<sqlite3_stmt*>* pool);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;

    /// Binds parameters by 1-based index; returns *this so binds chain.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind(int index, std::optional<int64_t> value);
    Statement& bind(int index, const std::optional<std::string>& value);
    Statement& bind_null(int index);
    /// Binds bytes as a BLOB (text binds are for UTF-8; a log chunk may be anything).
    Statement& bind_blob(int index, std::string_view bytes);

    /// Steps once: true when a row is available, false when done.
    bool step();
    /// Steps to completion (for statements that return no rows).
    void run();
    void reset();

    int64_t integer(int column) const;
    std::optional<int64_t> optional_integer(int column) const;
    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;
    /// A BLOB column's bytes (empty for NULL).
    std::string blob(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* statement_ = nullptr;
    std::vector<sqlite3_stmt*>* pool_ = nullptr;
};

class Database {
  public:
    /// Opens (creating) the database file in WAL mode with a busy timeout, foreign keys on.
    explicit Database(const std::filesystem::path& file);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// A statement for `sql`, compiled now or reused. Statements must not outlive the Database.
    Statement prepare(std::string_view sql);
    /// Runs one or more statements that return no rows.
    void exec(std::string_view sql);
    int64_t last_insert_id() const;
    int changes() const;

    /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back and rethrows on exception.
    template <typename F>
    auto transaction(F&& body) -> decltype(body()) {
        prepare("BEGIN IMMEDIATE").run();
        try {
            if constexpr (std::is_void_v<decltype(body())>) {
                body();
                prepare("COMMIT").run();
            } else {
                auto result = body();
                prepare("COMMIT").run();
                return result;
            }
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }

    const std::filesystem::path& file() const { return file_; }

  private:
    /// At most this many distinct SQL texts keep compiled statements (the code has a few
    /// dozen; the bound only guards against SQL built with values in it).
    static constexpr size_t kMaxCachedSql = 256;

    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
    // Compiled statements not in use, by SQL text. Node-based: a pool's address is stable.
    // Looked up by string_view without copying the SQL text (transparent hash).
    struct SqlHash {
        using is_transparent = void;
        size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
    };
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>, SqlHash, std::equal_to<>>
        idle_statements_;
};

}  // namespace fmg::coordinator
