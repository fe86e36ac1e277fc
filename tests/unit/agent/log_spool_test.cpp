// The log spool: an attempt's unacknowledged chunks past the memory bound go to a file under
// the work dir and come back, each once and in order, when they must be resent; acks drop
// them, and the file goes when the last is acknowledged. Real files in a temp dir.

#include "agent/link/log_spool.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "agent/link/attempt_log.h"
#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;
using fmg::agent::testing::TempWorkspace;

namespace {

const SteadyTime kStart = SteadyTime{} + std::chrono::hours(1);

// A chunk's worth of output that differs from every other chunk's, with every byte value.
std::string chunk_text(uint64_t n, size_t size) {
    std::string text(size, '\0');
    for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>((n * 131 + i * 7) % 256);
    return text;
}

// Produces `count` chunks of `size` bytes as the link does (append, then take_chunk) and
// returns what was printed; checks the memory bound after every chunk.
std::string produce(AttemptLog& log, size_t count, size_t size, size_t bound) {
    std::string printed;
    for (size_t n = 0; n < count; ++n) {
        std::string text = chunk_text(log.last_seq() + 1, size);
        log.append(text, kStart);
        REQUIRE(log.take_chunk().has_value());
        printed += text;
        REQUIRE(log.memory_bytes() <= bound);
    }
    return printed;
}

std::vector<protocol::Log> resent(const AttemptLog& log) {
    std::vector<protocol::Log> chunks;
    auto status = log.resend([&](const protocol::Log& chunk) { chunks.push_back(chunk); });
    REQUIRE(status);
    return chunks;
}

// Checks the chunks are first..last, each once, in order, and returns their bytes joined.
std::string joined_in_order(const std::vector<protocol::Log>& chunks, uint64_t first, uint64_t last,
                            protocol::AttemptId attempt) {
    REQUIRE(chunks.size() == last - first + 1);
    std::string bytes;
    for (size_t i = 0; i < chunks.size(); ++i) {
        CHECK(chunks[i].seq == first + i);
        CHECK(chunks[i].attempt_id == attempt);
        bytes += chunks[i].data;
    }
    return bytes;
}

std::filesystem::path spool_file(const std::filesystem::path& dir, protocol::AttemptId attempt) {
    return dir / ("attempt-" + std::to_string(attempt) + ".chunks");
}

}  // namespace

TEST_CASE("output past the memory bound is spooled to disk while nothing is acknowledged") {
    TempWorkspace work;
    const auto dir = spool_directory(work.path());
    AttemptLog log(5, dir);
    // 20 MiB in 64 KiB chunks, a busy step's output while the coordinator is unreachable.
    const size_t count = 320;
    const std::string printed = produce(log, count, kLogBatchBytes, kLogMemoryBound);

    CHECK(log.memory_bytes() <= kLogMemoryBound);
    CHECK(log.memory_bytes() > kLogMemoryBound - kLogBatchBytes - 2 * sizeof(protocol::Log));
    CHECK(log.unacked_count() == count);
    CHECK(log.unacked_bytes() == printed.size());
    CHECK(log.spooled_count() > count / 2);
    REQUIRE(std::filesystem::exists(spool_file(dir, 5)));
    // Each spooled chunk once, with a 12-byte record header.
    CHECK(std::filesystem::file_size(spool_file(dir, 5)) ==
          log.spooled_count() * (kLogBatchBytes + 12));

    // A reconnect resends every chunk once, in order, with the exact bytes.
    CHECK(joined_in_order(resent(log), 1, count, 5) == printed);
    // Resending does not consume anything: a second reconnect sends the same.
    CHECK(resent(log).size() == count);
}

TEST_CASE("acks drop spooled chunks, and the file goes when everything spooled is acked") {
    TempWorkspace work;
    const auto dir = spool_directory(work.path());
    const size_t bound = 64 * 1024;
    AttemptLog log(8, dir, bound);
    const std::string printed = produce(log, 40, 10 * 1000, bound);
    const size_t spooled = log.spooled_count();
    REQUIRE(spooled >= 30);
    REQUIRE(std::filesystem::exists(spool_file(dir, 8)));

    // A partial ack inside the spooled run.
    log.ack(10);
    CHECK(log.acked_seq() == 10);
    CHECK(log.spooled_count() == spooled - 10);
    CHECK(log.unacked_count() == 30);
    CHECK(log.unacked_bytes() == 30 * 10 * 1000);
    CHECK(joined_in_order(resent(log), 11, 40, 8) == printed.substr(10 * 10 * 1000));
    CHECK(std::filesystem::exists(spool_file(dir, 8)));

    // Stale and repeated acks change nothing.
    log.ack(3);
    log.ack(10);
    CHECK(log.unacked_count() == 30);

    // Acknowledging the last spooled chunk removes the file; memory keeps the rest.
    log.ack(spooled);
    CHECK(log.spooled_count() == 0);
    CHECK_FALSE(std::filesystem::exists(spool_file(dir, 8)));
    CHECK(joined_in_order(resent(log), spooled + 1, 40, 8) == printed.substr(spooled * 10 * 1000));

    // More output spools again, after what memory holds, in order.
    const std::string more = produce(log, 20, 10 * 1000, bound);
    CHECK(std::filesystem::exists(spool_file(dir, 8)));
    CHECK(joined_in_order(resent(log), spooled + 1, 60, 8) ==
          printed.substr(spooled * 10 * 1000) + more);

    // The result's ack (last_seq + 1) takes everything, file and memory.
    log.ack(61);
    CHECK(log.unacked_count() == 0);
    CHECK(log.unacked_bytes() == 0);
    CHECK(log.memory_bytes() == 0);
    CHECK(log.acked_seq() == 60);
    CHECK_FALSE(std::filesystem::exists(spool_file(dir, 8)));
}

TEST_CASE("an ack that reaches past the spool into memory drops both") {
    TempWorkspace work;
    const size_t bound = 32 * 1024;
    AttemptLog log(3, spool_directory(work.path()), bound);
    const std::string printed = produce(log, 12, 8 * 1000, bound);
    const size_t spooled = log.spooled_count();
    REQUIRE(spooled > 0);
    REQUIRE(spooled < 11);
    log.ack(11);
    CHECK_FALSE(std::filesystem::exists(spool_file(spool_directory(work.path()), 3)));
    CHECK(joined_in_order(resent(log), 12, 12, 3) == printed.substr(11 * 8 * 1000));
}

TEST_CASE("the spool file is removed with its attempt") {
    TempWorkspace work;
    const auto dir = spool_directory(work.path());
    {
        AttemptLog log(4, dir, 16 * 1024);
        produce(log, 10, 4000, 16 * 1024);
        REQUIRE(std::filesystem::exists(spool_file(dir, 4)));
    }
    CHECK_FALSE(std::filesystem::exists(spool_file(dir, 4)));
}

TEST_CASE("a new attempt log over a leftover spool starts clean") {
    TempWorkspace work;
    const auto dir = spool_directory(work.path());
    std::filesystem::create_directories(dir);
    // What an earlier agent process spooled for the same attempt id, and for another one.
    {
        auto earlier = LogSpool::create(dir, 6);
        REQUIRE(earlier);
        REQUIRE((*earlier)->append(protocol::Log{6, 1, "stale one\n"}));
        REQUIRE((*earlier)->append(protocol::Log{6, 2, "stale two\n"}));
        std::filesystem::copy_file((*earlier)->path(), dir / "leftover.chunks");
    }
    std::filesystem::copy_file(dir / "leftover.chunks", spool_file(dir, 6));
    std::ofstream(dir / "attempt-99.chunks") << "garbage that is not a record";

    AttemptLog log(6, dir, 16 * 1024);
    CHECK(log.unacked_count() == 0);
    const std::string printed = produce(log, 10, 4000, 16 * 1024);
    REQUIRE(log.spooled_count() > 0);
    // Only this log's chunks come back: nothing of the leftover file.
    CHECK(joined_in_order(resent(log), 1, 10, 6) == printed);
    CHECK(std::filesystem::file_size(spool_file(dir, 6)) == log.spooled_count() * (4000 + 12));

    // At agent start the whole directory goes.
    CHECK(remove_leftover_spools(dir) == 3);
    CHECK_FALSE(std::filesystem::exists(dir));
    CHECK(remove_leftover_spools(dir) == 0);
}

TEST_CASE("when the spool cannot be written, chunks stay in memory and none is lost") {
    TempWorkspace work;
    // A regular file where the spool directory's parent should be: creating it fails, even
    // for root.
    std::ofstream(work.path() / "not-a-directory") << "x";
    const size_t bound = 16 * 1024;
    AttemptLog log(2, work.path() / "not-a-directory" / "spool", bound);
    std::string printed;
    for (int n = 0; n < 20; ++n) {
        std::string text = chunk_text(n, 4000);
        log.append(text, kStart);
        REQUIRE(log.take_chunk().has_value());
        printed += text;
    }
    CHECK(log.memory_bytes() > bound);
    CHECK(log.spooled_count() == 0);
    CHECK(log.unacked_count() == 20);
    CHECK(joined_in_order(resent(log), 1, 20, 2) == printed);
    log.ack(20);
    CHECK(log.unacked_count() == 0);
    CHECK(log.memory_bytes() == 0);
}

TEST_CASE("spool: records hold a contiguous run of sequence numbers") {
    TempWorkspace work;
    auto created = LogSpool::create(work.path() / "spool", 12);
    REQUIRE(created);
    LogSpool& spool = **created;
    CHECK(spool.empty());
    REQUIRE(spool.append(protocol::Log{12, 7, "seven"}));
    REQUIRE(spool.append(protocol::Log{12, 8, std::string("ei\0ht", 5)}));
    // A gap or a repeat would break the resend order: refused, and the file is unchanged.
    CHECK_FALSE(spool.append(protocol::Log{12, 10, "ten"}));
    CHECK_FALSE(spool.append(protocol::Log{12, 8, "eight again"}));
    CHECK(spool.count() == 2);
    CHECK(spool.first_seq() == 7);
    CHECK(spool.last_seq() == 8);
    CHECK(spool.data_bytes() == 10);
    CHECK(std::filesystem::file_size(spool.path()) == 2 * 12 + 10);

    std::vector<protocol::Log> read;
    REQUIRE(spool.for_each([&](const protocol::Log& chunk) { read.push_back(chunk); }));
    REQUIRE(read.size() == 2);
    CHECK(read[0] == protocol::Log{12, 7, "seven"});
    CHECK(read[1] == protocol::Log{12, 8, std::string("ei\0ht", 5)});

    REQUIRE(spool.drop_through(7));
    CHECK(spool.first_seq() == 8);
    REQUIRE(spool.drop_through(100));
    CHECK(spool.empty());
    CHECK(std::filesystem::file_size(spool.path()) == 0);
    // Empty again: it takes any seq, as it did when new.
    REQUIRE(spool.append(protocol::Log{12, 40, "forty"}));
    CHECK(spool.first_seq() == 40);
}

TEST_CASE("spool: a file that does not hold what was written is an error, not wrong output") {
    TempWorkspace work;
    auto created = LogSpool::create(work.path() / "spool", 13);
    REQUIRE(created);
    LogSpool& spool = **created;
    REQUIRE(spool.append(protocol::Log{13, 1, "one"}));
    REQUIRE(spool.append(protocol::Log{13, 2, "two"}));
    // Something else overwrote the second record's seq.
    {
        std::fstream file(spool.path(), std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(12 + 3);
        file.put('\x09');
    }
    std::vector<uint64_t> seqs;
    auto read = spool.for_each([&](const protocol::Log& chunk) { seqs.push_back(chunk.seq); });
    REQUIRE_FALSE(read);
    CHECK_THAT(read.error().message, Catch::Contains("does not hold what was written"));
    CHECK(seqs == std::vector<uint64_t>{1});
    CHECK_FALSE(spool.drop_through(2));
    CHECK(spool.count() == 2);
}

TEST_CASE("a resend goes a window at a time: the oldest chunks first, across spool and memory") {
    TempWorkspace work;
    const auto dir = spool_directory(work.path());
    const size_t bound = 64 * 1024;
    AttemptLog log(9, dir, bound);
    const std::string printed = produce(log, 40, 10 * 1000, bound);
    const size_t spooled = log.spooled_count();
    REQUIRE(spooled > 2);
    REQUIRE(spooled < 38);

    auto window = [&](size_t max_chunks) {
        std::vector<protocol::Log> chunks;
        REQUIRE(
            log.resend([&](const protocol::Log& chunk) { chunks.push_back(chunk); }, max_chunks));
        return chunks;
    };
    // A window inside the spool, then one reaching into memory, then one past the end.
    CHECK(joined_in_order(window(2), 1, 2, 9) == printed.substr(0, 2 * 10 * 1000));
    CHECK(joined_in_order(window(spooled + 2), 1, spooled + 2, 9) ==
          printed.substr(0, (spooled + 2) * 10 * 1000));
    CHECK(window(1000).size() == 40);
    // After acks the next window starts at the oldest unacknowledged chunk.
    log.ack(spooled + 1);
    CHECK(joined_in_order(window(3), spooled + 2, spooled + 4, 9) ==
          printed.substr((spooled + 1) * 10 * 1000, 3 * 10 * 1000));
}

TEST_CASE("released bytes: output counts as released once acknowledged or spooled") {
    TempWorkspace work;
    const auto dir = spool_directory(work.path());
    const size_t bound = 64 * 1024;
    AttemptLog log(9, dir, bound);
    log.append(std::string(1000, 'a'), kStart);
    CHECK(log.released_bytes() == 0);  // pending
    REQUIRE(log.take_chunk().has_value());
    CHECK(log.released_bytes() == 0);  // sent, held until acknowledged
    log.ack(1);
    CHECK(log.released_bytes() == 1000);

    // Past the memory bound the oldest chunks go to disk and stop holding memory.
    produce(log, 20, 10 * 1000, bound);
    const size_t spooled = log.spooled_count();
    REQUIRE(spooled > 0);
    CHECK(log.released_bytes() == 1000 + spooled * 10 * 1000);
    CHECK(log.released_bytes() + log.memory_bytes() - (20 - spooled) * sizeof(protocol::Log) ==
          1000 + 20 * 10 * 1000);

    log.ack(21);
    CHECK(log.released_bytes() == 1000 + 20 * 10 * 1000);
}
