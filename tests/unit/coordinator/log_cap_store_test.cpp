// A log over its cap (--log-cap) on real files and a real SQLite file: the head is kept as it
// arrives, only the last half of the cap survives at the tail, and once the attempt ends the
// log reads head, one marker line, tail. Every chunk is still acknowledged once, and a crash
// between any write and its commit neither loses nor repeats a byte.

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/logs/log_cap.h"
#include "tests/unit/coordinator/log_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

constexpr int64_t kCap = 64 * 1024;

/// `count` numbered lines of 50 bytes each, the last one the step's final error.
std::string numbered_output(int count) {
    std::string text;
    char line[64];
    for (int i = 1; i < count; ++i) {
        std::snprintf(line, sizeof line, "line %06d of the build output, padded to fifty\n", i);
        text += line;
    }
    return text + "error: the final error, which must survive the cap\n";
}

/// The output cut into chunks of `size` bytes, across line ends as the agent batches it.
std::vector<std::string> chunks_of(const std::string& text, size_t size) {
    std::vector<std::string> chunks;
    for (size_t at = 0; at < text.size(); at += size) chunks.push_back(text.substr(at, size));
    return chunks;
}

/// Appends chunks [from, to) (seq = index + 1); each must be acknowledged as it is appended.
void append_range(LogStore& logs, AttemptId attempt, const std::vector<std::string>& chunks,
                  size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) REQUIRE(logs.append(attempt, i + 1, chunks[i]) == i + 1);
}

/// Checks that `log` is a head of `output`, one marker line naming exactly the bytes left
/// out, and a tail of `output`, each near half the cap and cut at line ends.
void check_head_marker_tail(const std::string& log, const std::string& output) {
    auto marker_at = log.find("--- fmg: ");
    REQUIRE(marker_at != std::string::npos);
    CHECK(log.find("--- fmg: ", marker_at + 1) == std::string::npos);
    auto marker_end = log.find('\n', marker_at) + 1;
    std::string head = log.substr(0, marker_at);
    std::string tail = log.substr(marker_end);
    INFO("head " << head.size() << " bytes, tail " << tail.size() << " bytes");

    CHECK(output.compare(0, head.size(), head) == 0);
    CHECK(output.compare(output.size() - tail.size(), tail.size(), tail) == 0);
    int64_t omitted = static_cast<int64_t>(output.size() - head.size() - tail.size());
    CHECK(log.substr(marker_at, marker_end - marker_at) == omission_marker(omitted, kCap, true));
    CHECK(static_cast<int64_t>(head.size()) <= log_head_limit(kCap));
    CHECK(static_cast<int64_t>(head.size()) > log_head_limit(kCap) - log_line_slack(kCap));
    CHECK(static_cast<int64_t>(tail.size()) <= log_tail_keep(kCap));
    CHECK(static_cast<int64_t>(tail.size()) > log_tail_keep(kCap) - log_line_slack(kCap));
    CHECK(head.back() == '\n');
    CHECK_THAT(tail, Catch::StartsWith("line "));
    CHECK_THAT(tail, Catch::EndsWith("error: the final error, which must survive the cap\n"));
}

/// Bytes of every file in the logs directory.
int64_t disk_use(const std::filesystem::path& dir) {
    int64_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        total += static_cast<int64_t>(entry.file_size());
    }
    return total;
}

size_t tail_files(const std::filesystem::path& dir) {
    size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        count += entry.path().filename().string().find(".tail-") != std::string::npos;
    }
    return count;
}

/// Whether the files hold more than the committed index names.
bool uncommitted_bytes_on_disk(LogFixture& f) {
    auto row = attempt_row(f.store.db, f.attempt);
    // A log still in SQLite: the failed append moved it and began its tail (the file of the
    // move is removed at once, the tail when the log is next opened).
    if (row.log_in_db) return tail_files(f.logs_dir) > 0;
    if (static_cast<int64_t>(std::filesystem::file_size(f.file())) > row.log_bytes) return true;
    if (tail_files(f.logs_dir) > (row.log_cap != 0 ? 1u : 0u)) return true;
    auto tail = LogStore::tail_file_of(f.logs_dir, f.attempt, row.log_tail_gen);
    return row.log_cap != 0 &&
           static_cast<int64_t>(std::filesystem::file_size(tail)) > row.log_tail_bytes;
}

void end_attempt(LogFixture& f, LogStore& logs) {
    REQUIRE(lifecycle::finish_attempt(f.store.db, f.store.statuses, f.attempt, AttemptState::failed,
                                      "exit 1", kT0 + 1000));
    logs.close(f.attempt);
}

/// Makes the database refuse the commit that `when` matches (a condition on OLD and NEW
/// attempts rows): the files are written, the index is not, as if the coordinator died
/// between the two.
void die_before_commit(Database& db, const std::string& when) {
    db.exec("CREATE TEMP TRIGGER die_before_commit BEFORE UPDATE ON attempts WHEN " + when +
            " BEGIN SELECT RAISE(ABORT, 'the coordinator died here'); END");
}

void revive(Database& db) {
    db.exec("DROP TRIGGER die_before_commit");
}

/// Seqs at which a clean run of `chunks` moved the tail to a new generation.
std::vector<uint64_t> generation_changes(const std::vector<std::string>& chunks) {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
    std::vector<uint64_t> seqs;
    int64_t generation = 0;
    for (size_t i = 0; i < chunks.size(); ++i) {
        logs.append(f.attempt, i + 1, chunks[i]);
        int64_t now = attempt_row(f.store.db, f.attempt).log_tail_gen;
        if (now != generation) seqs.push_back(i + 1);
        generation = now;
    }
    return seqs;
}

}  // namespace

TEST_CASE("a log over its cap reads head, one marker line and tail once the attempt ends") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
    const std::string output = numbered_output(8000);  // 400 000 bytes, six times the cap
    const auto chunks = chunks_of(output, 1000);

    for (size_t i = 0; i < chunks.size(); ++i) {
        REQUIRE(logs.append(f.attempt, i + 1, chunks[i]) == i + 1);  // every chunk is acked
        // Disk stays near the cap: the head plus at most twice the kept tail.
        REQUIRE(disk_use(f.logs_dir) <= log_head_limit(kCap) + 2 * log_tail_keep(kCap));
    }
    auto row = attempt_row(f.store.db, f.attempt);
    CHECK(row.log_seq == static_cast<int64_t>(chunks.size()));
    CHECK(row.log_cap == kCap);

    end_attempt(f, logs);

    const std::string log = f.read_log();
    check_head_marker_tail(log, output);
    CHECK(static_cast<int64_t>(log.size()) <= kCap + 100);
    // Once ended, the tail file holds only what readers see.
    CHECK(disk_use(f.logs_dir) <= kCap);
    CHECK(tail_files(f.logs_dir) == 1);
}

TEST_CASE("while a capped attempt runs, readers see its head and are told the rest is held") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
    const std::string output = numbered_output(3000);
    const auto chunks = chunks_of(output, 700);
    append_range(logs, f.attempt, chunks, 0, chunks.size());

    auto view = LogView::open(f.logs_dir, attempt_row(f.store.db, f.attempt), f.store.db);
    REQUIRE(view.has_value());
    CHECK(view->holding_back());
    CHECK_THAT(view->held_back_notice(), Catch::Contains("--log-cap"));
    const std::string head = f.read_log();
    CHECK(head == output.substr(0, head.size()));
    CHECK(static_cast<int64_t>(head.size()) <= log_head_limit(kCap));
    CHECK(head.back() == '\n');

    end_attempt(f, logs);

    // A follower that had the head reads on from where it stopped: marker, then tail.
    const std::string rest = f.read_log(static_cast<int64_t>(head.size()));
    CHECK_THAT(rest, Catch::StartsWith("--- fmg: "));
    check_head_marker_tail(head + rest, output);
    auto ended = LogView::open(f.logs_dir, attempt_row(f.store.db, f.attempt), f.store.db);
    REQUIRE(ended.has_value());
    CHECK_FALSE(ended->holding_back());
}

TEST_CASE("a log that passes half its cap but not the whole keeps every byte and no marker") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
    const std::string output = numbered_output(1000);  // 50 000 bytes: under the cap of 64 KiB
    const auto chunks = chunks_of(output, 999);
    append_range(logs, f.attempt, chunks, 0, chunks.size());
    CHECK(attempt_row(f.store.db, f.attempt).log_cap == kCap);

    end_attempt(f, logs);

    CHECK(f.read_log() == output);
}

TEST_CASE("a log under half its cap is one file read as written") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap, 0);  // in its file from byte 1
    const std::string output = numbered_output(600);
    append_range(logs, f.attempt, chunks_of(output, 256), 0, chunks_of(output, 256).size());
    end_attempt(f, logs);

    CHECK(f.read_log() == output);
    CHECK(file_text(f.file()) == output);
    CHECK(tail_files(f.logs_dir) == 0);
    CHECK(attempt_row(f.store.db, f.attempt).log_cap == 0);
}

TEST_CASE("chunks larger than the kept tail are split and cut down in one append") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
    const std::string output = numbered_output(6000);
    const auto chunks = chunks_of(output, 100'000);
    append_range(logs, f.attempt, chunks, 0, chunks.size());
    CHECK(tail_files(f.logs_dir) == 1);

    end_attempt(f, logs);

    check_head_marker_tail(f.read_log(), output);
}

TEST_CASE("repeated chunks over the cap are acknowledged again and change nothing") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
    const std::string output = numbered_output(4000);
    const auto chunks = chunks_of(output, 1000);
    append_range(logs, f.attempt, chunks, 0, chunks.size());

    // The agent reconnects and resends its last unacknowledged window.
    for (size_t i = chunks.size() - 5; i < chunks.size(); ++i) {
        CHECK(logs.append(f.attempt, i + 1, chunks[i]) == chunks.size());
    }
    end_attempt(f, logs);

    check_head_marker_tail(f.read_log(), output);
}

TEST_CASE("a crash between any write and its commit neither loses nor repeats a byte") {
    const std::string output = numbered_output(5000);
    const auto chunks = chunks_of(output, 1000);
    const auto changes = generation_changes(chunks);
    REQUIRE(changes.size() >= 3);
    // The chunk that fills the head and starts the tail; one in the tail; one that moves the
    // tail to a new generation; the last one.
    const std::vector<uint64_t> faults = {changes[0], changes[0] + 1, changes[1],
                                          uint64_t{chunks.size()}};
    const uint64_t seq = faults[GENERATE(0u, 1u, 2u, 3u)];
    const bool restart = GENERATE(true, false);
    INFO("the coordinator dies before committing chunk " << seq
                                                         << (restart ? ", then restarts" : ""));

    LogFixture f;
    // A unique_ptr, not a std::optional: GCC 12 misreads an optional's reset and emplace as a
    // read of uninitialised memory in a Release build (-Wmaybe-uninitialized).
    auto logs = std::make_unique<LogStore>(f.logs_dir, f.store.db, f.notifier, kCap);
    append_range(*logs, f.attempt, chunks, 0, seq - 1);
    die_before_commit(f.store.db, "NEW.log_seq = " + std::to_string(seq));
    CHECK_THROWS(logs->append(f.attempt, seq, chunks[seq - 1]));
    revive(f.store.db);
    CHECK(attempt_row(f.store.db, f.attempt).log_seq == static_cast<int64_t>(seq - 1));
    CHECK(uncommitted_bytes_on_disk(f));  // the chunk was written before the commit failed
    if (restart) {
        logs.reset();  // the old store is gone before the new one opens the same files
        logs = std::make_unique<LogStore>(f.logs_dir, f.store.db, f.notifier, kCap);
        // Nothing the index does not name is left on disk.
        auto row = attempt_row(f.store.db, f.attempt);
        if (row.log_in_db) {
            CHECK_FALSE(std::filesystem::exists(f.file()));
        } else {
            CHECK(static_cast<int64_t>(std::filesystem::file_size(f.file())) == row.log_bytes);
        }
        CHECK(tail_files(f.logs_dir) == (row.log_cap != 0 ? 1u : 0u));
    }
    // The chunk was never acknowledged: the agent sends it again, and the rest after it.
    append_range(*logs, f.attempt, chunks, seq - 1, chunks.size());
    end_attempt(f, *logs);

    check_head_marker_tail(f.read_log(), output);
}

TEST_CASE("a crash while an ended log's tail is cut down is finished at the next start") {
    LogFixture f;
    const std::string output = numbered_output(3000);
    const auto chunks = chunks_of(output, 1000);
    std::string before;
    {
        LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
        append_range(logs, f.attempt, chunks, 0, chunks.size());
        REQUIRE(lifecycle::finish_attempt(f.store.db, f.store.statuses, f.attempt,
                                          AttemptState::failed, "exit 1", kT0 + 1000));
        before = f.read_log();
        die_before_commit(f.store.db, "NEW.log_tail_gen <> OLD.log_tail_gen");
        CHECK_THROWS_AS(logs.close(f.attempt), DbError);
        revive(f.store.db);
        CHECK(f.read_log() == before);
    }
    CHECK(tail_files(f.logs_dir) == 2);  // the committed generation and the unfinished one

    LogStore restarted(f.logs_dir, f.store.db, f.notifier, kCap);

    CHECK(tail_files(f.logs_dir) == 1);
    CHECK(f.read_log() == before);
    CHECK(disk_use(f.logs_dir) <= kCap);
    check_head_marker_tail(before, output);
}

TEST_CASE("an attempt lost while over its cap reads head, marker and tail without a close") {
    LogFixture f;
    const std::string output = numbered_output(3000);
    const auto chunks = chunks_of(output, 1000);
    {
        LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
        append_range(logs, f.attempt, chunks, 0, chunks.size());
        lifecycle::lose_attempt(f.store.db, f.store.statuses, f.attempt, AttemptState::lost,
                                "runner runner-1 lost: silent 3012 ms", 3, kT0 + 1000);
        check_head_marker_tail(f.read_log(), output);
    }
    const std::string before = f.read_log();

    // The next start cuts its tail file down to what readers see, which does not change.
    LogStore restarted(f.logs_dir, f.store.db, f.notifier, kCap);
    CHECK(f.read_log() == before);
    CHECK(disk_use(f.logs_dir) <= kCap);
}

TEST_CASE("a reader that opened the log before the tail was cut down reads the same bytes") {
    LogFixture f;
    LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
    const std::string output = numbered_output(3000);
    const auto chunks = chunks_of(output, 1000);
    append_range(logs, f.attempt, chunks, 0, chunks.size());
    REQUIRE(lifecycle::finish_attempt(f.store.db, f.store.statuses, f.attempt, AttemptState::failed,
                                      "exit 1", kT0 + 1000));
    auto early = LogView::open(f.logs_dir, attempt_row(f.store.db, f.attempt), f.store.db);
    REQUIRE(early.has_value());

    logs.close(f.attempt);  // moves the tail to a new generation and removes the old one

    std::ostringstream out;
    early->copy(0, out);
    CHECK(out.str() == f.read_log());
    check_head_marker_tail(out.str(), output);
}

TEST_CASE("a log already over its cap keeps its cap when the coordinator restarts with another") {
    LogFixture f;
    const std::string output = numbered_output(4000);
    const auto chunks = chunks_of(output, 1000);
    {
        LogStore logs(f.logs_dir, f.store.db, f.notifier, kCap);
        append_range(logs, f.attempt, chunks, 0, chunks.size() / 2);
    }
    LogStore restarted(f.logs_dir, f.store.db, f.notifier, 4 * kCap);
    append_range(restarted, f.attempt, chunks, chunks.size() / 2, chunks.size());
    end_attempt(f, restarted);

    check_head_marker_tail(f.read_log(), output);
}
