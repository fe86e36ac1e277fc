// AttemptLog: a step's output batched into numbered chunks (every 50 ms or 64 KiB), kept until
// the coordinator acknowledges them, resent in order after a reconnect. Spooling past the
// memory bound is in log_spool_test.cpp.

#include "agent/link/attempt_log.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;

namespace {

const SteadyTime kStart = SteadyTime{} + std::chrono::hours(1);

// What a reconnect would send again.
std::vector<protocol::Log> unacked(const AttemptLog& log) {
    std::vector<protocol::Log> chunks;
    auto resent = log.resend([&](const protocol::Log& chunk) { chunks.push_back(chunk); });
    REQUIRE(resent);
    return chunks;
}

std::vector<uint64_t> seqs_of(const std::vector<protocol::Log>& chunks) {
    std::vector<uint64_t> seqs;
    for (const auto& chunk : chunks) seqs.push_back(chunk.seq);
    return seqs;
}

// Small logs never reach the memory bound: the spool directory is never created.
struct SmallLog {
    agent::testing::TempWorkspace dir;
    AttemptLog log;
    explicit SmallLog(protocol::AttemptId attempt) : log(attempt, dir.path() / "spool") {}
    ~SmallLog() { CHECK_FALSE(std::filesystem::exists(dir.path() / "spool")); }
};

}  // namespace

TEST_CASE("output waits at most 50 ms to be sent") {
    SmallLog small(42);
    AttemptLog& log = small.log;
    CHECK_FALSE(log.flush_deadline().has_value());
    CHECK_FALSE(log.flush_due(kStart + std::chrono::hours(1)));

    log.append("$ make test\n", kStart);
    CHECK(log.flush_deadline() == kStart + kLogBatchDelay);
    CHECK_FALSE(log.flush_due(kStart + Millis(49)));
    // More output does not push the deadline back.
    log.append("ok 1\n", kStart + Millis(30));
    CHECK(log.flush_deadline() == kStart + Millis(50));
    CHECK(log.flush_due(kStart + Millis(50)));

    auto chunk = log.take_chunk();
    REQUIRE(chunk.has_value());
    CHECK(chunk->attempt_id == 42);
    CHECK(chunk->seq == 1);
    CHECK(chunk->data == "$ make test\nok 1\n");
    CHECK_FALSE(log.flush_deadline().has_value());
    CHECK_FALSE(log.flush_due(kStart + Millis(500)));

    // The next batch's clock starts with its first byte.
    log.append("ok 2\n", kStart + Millis(400));
    CHECK(log.flush_deadline() == kStart + Millis(450));
}

TEST_CASE("64 KiB of output is sent at once") {
    SmallLog small(7);
    AttemptLog& log = small.log;
    log.append(std::string(kLogBatchBytes - 1, 'a'), kStart);
    CHECK_FALSE(log.flush_due(kStart));
    log.append("b", kStart + Millis(1));
    CHECK(log.flush_due(kStart + Millis(1)));
    auto chunk = log.take_chunk();
    REQUIRE(chunk.has_value());
    CHECK(chunk->data.size() == kLogBatchBytes);
}

TEST_CASE("empty output makes no chunk and uses no sequence number") {
    SmallLog small(7);
    AttemptLog& log = small.log;
    log.append("", kStart);
    CHECK_FALSE(log.flush_deadline().has_value());
    CHECK_FALSE(log.take_chunk().has_value());
    log.append("x", kStart);
    auto chunk = log.take_chunk();
    REQUIRE(chunk.has_value());
    CHECK(chunk->seq == 1);
    CHECK(log.last_seq() == 1);
}

TEST_CASE("chunks are numbered from 1 and kept until acknowledged") {
    SmallLog small(9);
    AttemptLog& log = small.log;
    for (int i = 1; i <= 3; ++i) {
        log.append("line " + std::to_string(i) + "\n", kStart);
        auto chunk = log.take_chunk();
        REQUIRE(chunk.has_value());
        CHECK(chunk->seq == static_cast<uint64_t>(i));
    }
    CHECK(log.last_seq() == 3);
    CHECK(log.acked_seq() == 0);
    CHECK(seqs_of(unacked(log)) == std::vector<uint64_t>{1, 2, 3});
    CHECK(log.unacked_bytes() == 21);

    log.ack(1);
    CHECK(log.acked_seq() == 1);
    // What a reconnect resends: the rest, in order, unchanged.
    REQUIRE(seqs_of(unacked(log)) == std::vector<uint64_t>{2, 3});
    CHECK(unacked(log)[0].data == "line 2\n");
    CHECK(unacked(log)[1].data == "line 3\n");
    CHECK(log.unacked_bytes() == 14);

    // A stale, repeated ack changes nothing.
    log.ack(0);
    log.ack(1);
    CHECK(log.acked_seq() == 1);
    CHECK(log.unacked_count() == 2);

    log.ack(3);
    CHECK(unacked(log).empty());
    CHECK(log.unacked_count() == 0);
    CHECK(log.unacked_bytes() == 0);
    CHECK(log.acked_seq() == 3);

    // Numbering goes on after acks.
    log.append("line 4\n", kStart);
    CHECK(log.take_chunk()->seq == 4);
}

TEST_CASE("the result's ack (last_seq + 1) clears everything without inventing chunks") {
    SmallLog small(9);
    AttemptLog& log = small.log;
    log.append("done\n", kStart);
    log.take_chunk();
    log.ack(2);  // job_finished last_seq 1, acknowledged with 1 + 1
    CHECK(unacked(log).empty());
    CHECK(log.unacked_count() == 0);
    CHECK(log.acked_seq() == 1);
    CHECK(log.last_seq() == 1);
}

TEST_CASE("a chunk never exceeds the protocol's limit, and nothing is lost when splitting") {
    SmallLog small(11);
    AttemptLog& log = small.log;
    std::string output;
    for (size_t i = 0; output.size() < protocol::kMaxLogChunkBytes * 2 + 1000; ++i) {
        output += "line " + std::to_string(i) + " of a very chatty build\n";
    }
    log.append(output, kStart);

    std::string sent;
    uint64_t expected_seq = 1;
    while (auto chunk = log.take_chunk()) {
        CHECK(chunk->seq == expected_seq++);
        CHECK(chunk->data.size() <= protocol::kMaxLogChunkBytes);
        CHECK_FALSE(chunk->data.empty());
        sent += chunk->data;
    }
    CHECK(expected_seq == 4);  // two full chunks and the rest
    CHECK(sent == output);
    CHECK(log.unacked_bytes() == output.size());
}

TEST_CASE("output appended while a backlog is being cut into chunks follows it in order") {
    SmallLog small(12);
    AttemptLog& log = small.log;
    const std::string backlog(protocol::kMaxLogChunkBytes + 500, 'a');
    log.append(backlog, kStart);
    auto first = log.take_chunk();
    REQUIRE(first);
    CHECK(first->data == std::string(protocol::kMaxLogChunkBytes, 'a'));

    log.append("and then more\n", kStart);
    CHECK(log.flush_deadline() == kStart + kLogBatchDelay);
    auto second = log.take_chunk();
    REQUIRE(second);
    CHECK(second->seq == 2);
    CHECK(second->data == std::string(500, 'a') + "and then more\n");
    CHECK_FALSE(log.take_chunk());
    CHECK_FALSE(log.flush_deadline());
    CHECK(log.unacked_bytes() == backlog.size() + 14);
}
