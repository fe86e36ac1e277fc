// LogStore: numbered chunks from agents appended exactly once and in order, the committed size
// kept in SQLite, and a file cut back to that size after a crash.

#include "coordinator/logs/log_store.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>

#include "tests/unit/coordinator/log_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

TEST_CASE("log chunks are appended in order and their committed size is recorded") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier);

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
    LogStore logs(f.logs_dir, f.store.db, f.notifier);
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
    LogStore logs(f.logs_dir, f.store.db, f.notifier);
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
        LogStore logs(f.logs_dir, f.store.db, f.notifier);
        logs.append(f.attempt, 1, "committed\n");
    }
    // The coordinator died after writing chunk 2 but before committing it.
    {
        std::ofstream out(f.file(), std::ios::binary | std::ios::app);
        out << "half of chunk 2";
    }
    REQUIRE(file_text(f.file()) == "committed\nhalf of chunk 2");

    LogStore restarted(f.logs_dir, f.store.db, f.notifier);
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
        LogStore logs(f.logs_dir, f.store.db, f.notifier);
        logs.append(f.attempt, 1, "committed\n");
    }
    {
        std::ofstream out(f.file(), std::ios::binary | std::ios::app);
        out << "half of chunk 2";
    }

    LogStore restarted(f.logs_dir, f.store.db, f.notifier);

    CHECK(file_text(f.file()) == "committed\n");
}

TEST_CASE("a closed log reopens and continues where it was") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier);
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
