// LogStore: numbered chunks from agents appended exactly once and in order, the committed size
// kept in SQLite, and a file cut back to that size after a crash. The first tests keep the log
// in its file from the first byte (in_db_bytes 0); the last ones cover a log's start in SQLite
// and its move to the file.

#include "coordinator/logs/log_store.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>

#include "tests/unit/coordinator/log_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {
constexpr int64_t kFileFromTheStart = 0;  // in_db_bytes: no byte of the log stays in SQLite
}  // namespace

TEST_CASE("log chunks are appended in order and their committed size is recorded") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);

    CHECK(logs.append(f.attempt, 1, "$ make test\n") == 1);
    CHECK(logs.append(f.attempt, 2, "ok 1 - parses\n") == 2);
    CHECK(logs.append(f.attempt, 3, "ok 2 - runs\n") == 3);

    CHECK(file_text(f.file()) == "$ make test\nok 1 - parses\nok 2 - runs\n");
    auto row = attempt_row(f.store.db, f.attempt);
    CHECK(row.log_seq == 3);
    CHECK(row.log_bytes == static_cast<int64_t>(file_text(f.file()).size()));
}

TEST_CASE("a repeated chunk is ignored and the last appended seq acknowledged again") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);
    logs.append(f.attempt, 1, "line one\n");
    logs.append(f.attempt, 2, "line two\n");

    // The agent resends after a reconnect: both were already stored.
    CHECK(logs.append(f.attempt, 1, "line one\n") == 2);
    CHECK(logs.append(f.attempt, 2, "line two\n") == 2);
    CHECK(file_text(f.file()) == "line one\nline two\n");
    CHECK(attempt_row(f.store.db, f.attempt).log_seq == 2);
}

TEST_CASE("a chunk past a gap is ignored until the missing one arrives") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);
    logs.append(f.attempt, 1, "one\n");

    CHECK(logs.append(f.attempt, 3, "three\n") == 1);
    CHECK(file_text(f.file()) == "one\n");
    CHECK(attempt_row(f.store.db, f.attempt).log_seq == 1);

    CHECK(logs.append(f.attempt, 2, "two\n") == 2);
    CHECK(logs.append(f.attempt, 3, "three\n") == 3);
    CHECK(file_text(f.file()) == "one\ntwo\nthree\n");
}

TEST_CASE("after a crash between write and commit, appending resumes from the committed size") {
    LogFixture f;
    {
        LogStore logs(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);
        logs.append(f.attempt, 1, "committed\n");
    }
    // The coordinator died after writing chunk 2 but before committing it.
    {
        std::ofstream out(f.file(), std::ios::binary | std::ios::app);
        out << "half of chunk 2";
    }
    REQUIRE(file_text(f.file()) == "committed\nhalf of chunk 2");

    LogStore restarted(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);
    // The agent never got an ack for chunk 2 and sends it again, whole.
    CHECK(restarted.append(f.attempt, 2, "chunk 2\n") == 2);
    CHECK(restarted.append(f.attempt, 3, "chunk 3\n") == 3);
    CHECK(file_text(f.file()) == "committed\nchunk 2\nchunk 3\n");
    CHECK(attempt_row(f.store.db, f.attempt).log_bytes ==
          static_cast<int64_t>(std::string("committed\nchunk 2\nchunk 3\n").size()));
}

TEST_CASE("after a crash, uncommitted log bytes are cut back at start, before any new chunk") {
    // log_store.h: "At start, a file longer than its committed size ... is cut back". Until
    // then `fmg logs` would serve the torn chunk (logs_api reads the whole file), and for an
    // attempt whose agent never comes back that would be forever.
    LogFixture f;
    {
        LogStore logs(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);
        logs.append(f.attempt, 1, "committed\n");
    }
    {
        std::ofstream out(f.file(), std::ios::binary | std::ios::app);
        out << "half of chunk 2";
    }

    LogStore restarted(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);

    CHECK(file_text(f.file()) == "committed\n");
}

TEST_CASE("a closed log reopens and continues where it was") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kDefaultLogCapBytes, kFileFromTheStart);
    logs.append(f.attempt, 1, "before\n");
    logs.close(f.attempt);
    CHECK(logs.append(f.attempt, 1, "before\n") == 1);
    CHECK(logs.append(f.attempt, 2, "after\n") == 2);
    CHECK(file_text(f.file()) == "before\nafter\n");
}

TEST_CASE("each append wakes log followers") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier);
    uint64_t before = f.notifier.version();

    logs.append(f.attempt, 1, "x\n");

    uint64_t after = f.notifier.version();
    CHECK(after > before);
    // A follower that saw `before` returns at once, without waiting out its timeout.
    auto start = std::chrono::steady_clock::now();
    CHECK(f.notifier.wait_for_change(before, std::chrono::seconds(30)) == after);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

    logs.append(f.attempt, 2, "y\n");
    CHECK(f.notifier.version() > after);
}

namespace {

// Binary-safe output of `size` bytes: every byte value, NULs and invalid UTF-8 included.
std::string bytes_of(size_t size, int salt) {
    std::string text;
    for (size_t i = 0; i < size; ++i) text += static_cast<char>((i * 31 + salt) % 256);
    return text;
}

// Makes the next update of the attempt's row (the commit of an append) fail, as a crash
// before the commit would leave it.
void die_before_commit(Database& db) {
    db.exec(
        "CREATE TEMP TRIGGER die_before_commit BEFORE UPDATE ON attempts BEGIN SELECT "
        "RAISE(ABORT, 'the coordinator died here'); END");
}

void revive(Database& db) {
    db.exec("DROP TRIGGER die_before_commit");
}

}  // namespace

TEST_CASE("a small log stays in SQLite: no file, read byte for byte") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier);
    const std::string first = bytes_of(1000, 1);
    const std::string second = bytes_of(3000, 2);
    CHECK(logs.append(f.attempt, 1, first) == 1);
    CHECK(logs.append(f.attempt, 2, second) == 2);
    CHECK(logs.append(f.attempt, 1, first) == 2);  // a repeat changes nothing

    CHECK_FALSE(std::filesystem::exists(f.file()));
    auto row = attempt_row(f.store.db, f.attempt);
    CHECK(row.log_in_db);
    CHECK(row.log_seq == 2);
    CHECK(row.log_bytes == 4000);
    CHECK(f.read_log() == first + second);
    CHECK(f.read_log(1500) == (first + second).substr(1500));

    // A restart reads the index again and goes on in SQLite.
    LogStore restarted(f.logs_dir, f.store.db, f.notifier);
    CHECK(restarted.append(f.attempt, 3, "done\n") == 3);
    CHECK(f.read_log() == first + second + "done\n");
    CHECK_FALSE(std::filesystem::exists(f.file()));
}

TEST_CASE("the chunk that passes the limit moves the log to its file, every byte once") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier);
    std::string output;
    uint64_t seq = 0;
    while (output.size() + 10'000 <= static_cast<size_t>(kMaxLogInDbBytes)) {
        std::string chunk = bytes_of(10'000, static_cast<int>(seq));
        output += chunk;
        ++seq;
        REQUIRE(logs.append(f.attempt, seq, chunk) == seq);
    }
    REQUIRE(attempt_row(f.store.db, f.attempt).log_in_db);
    // A reader that read the row before the move finds the rows gone and must read it again.
    const AttemptRow before_move = attempt_row(f.store.db, f.attempt);

    std::string passing = bytes_of(10'000, 99);
    output += passing;
    ++seq;
    REQUIRE(logs.append(f.attempt, seq, passing) == seq);
    output += "after the move\n";
    ++seq;
    REQUIRE(logs.append(f.attempt, seq, "after the move\n") == seq);

    auto row = attempt_row(f.store.db, f.attempt);
    CHECK_FALSE(row.log_in_db);
    CHECK(row.log_bytes == static_cast<int64_t>(output.size()));
    CHECK(file_text(f.file()) == output);
    CHECK(f.read_log() == output);
    CHECK_FALSE(LogView::open(f.logs_dir, before_move, f.store.db).has_value());
    auto count = f.store.db.prepare("SELECT COUNT(*) FROM attempt_log_chunks");
    REQUIRE(count.step());
    CHECK(count.integer(0) == 0);  // the rows went with the move
}

TEST_CASE("a move to the file that fails leaves the log in SQLite, whole, and no file") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier);
    const std::string small = bytes_of(kMaxLogInDbBytes - 100, 7);
    REQUIRE(logs.append(f.attempt, 1, small) == 1);
    const std::string passing = bytes_of(500, 8);

    die_before_commit(f.store.db);
    CHECK_THROWS(logs.append(f.attempt, 2, passing));
    revive(f.store.db);
    auto row = attempt_row(f.store.db, f.attempt);
    CHECK(row.log_in_db);
    CHECK(row.log_seq == 1);
    CHECK(f.read_log() == small);
    CHECK_FALSE(std::filesystem::exists(f.file()));  // nothing the index does not name

    // Never acknowledged: the agent sends chunk 2 again, and the move happens now.
    CHECK(logs.append(f.attempt, 2, passing) == 2);
    CHECK_FALSE(attempt_row(f.store.db, f.attempt).log_in_db);
    CHECK(file_text(f.file()) == small + passing);
    CHECK(f.read_log() == small + passing);
}

TEST_CASE(
    "a crash during the move to the file leaves the log in SQLite, and the file goes at start") {
    LogFixture f;
    const std::string small = bytes_of(kMaxLogInDbBytes - 100, 7);
    {
        LogStore logs(f.logs_dir, f.store.db, f.notifier);
        REQUIRE(logs.append(f.attempt, 1, small) == 1);
    }
    // The coordinator died after writing the file of a move, before committing it.
    const std::string passing = bytes_of(500, 8);
    std::ofstream(f.file(), std::ios::binary) << small << passing.substr(0, 200);
    REQUIRE(attempt_row(f.store.db, f.attempt).log_in_db);

    LogStore restarted(f.logs_dir, f.store.db, f.notifier);
    CHECK_FALSE(std::filesystem::exists(f.file()));
    CHECK(f.read_log() == small);
    CHECK(restarted.append(f.attempt, 2, passing) == 2);
    CHECK(file_text(f.file()) == small + passing);
    CHECK(f.read_log() == small + passing);
}
