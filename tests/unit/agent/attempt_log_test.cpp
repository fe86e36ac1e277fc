// AttemptLog: a step's output batched into numbered chunks (every 50 ms or 64 KiB), kept until
// the coordinator acknowledges them, resent in order after a reconnect.

#include "agent/session/attempt_log.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace fmg;
using namespace fmg::agent;

namespace {

const SteadyTime kStart = SteadyTime{} + std::chrono::hours(1);

std::vector<uint64_t> seqs_of(const std::deque<protocol::Log>& chunks) {
    std::vector<uint64_t> seqs;
    for (const auto& chunk : chunks) seqs.push_back(chunk.seq);
    return seqs;
}

}  // namespace

TEST_CASE("output waits at most 50 ms to be sent") {
    AttemptLog log(42);
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
    AttemptLog log(7);
    log.append(std::string(kLogBatchBytes - 1, 'a'), kStart);
    CHECK_FALSE(log.flush_due(kStart));
    log.append("b", kStart + Millis(1));
    CHECK(log.flush_due(kStart + Millis(1)));
    auto chunk = log.take_chunk();
    REQUIRE(chunk.has_value());
    CHECK(chunk->data.size() == kLogBatchBytes);
}

TEST_CASE("empty output makes no chunk and uses no sequence number") {
    AttemptLog log(7);
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
    AttemptLog log(9);
    for (int i = 1; i <= 3; ++i) {
        log.append("line " + std::to_string(i) + "\n", kStart);
        auto chunk = log.take_chunk();
        REQUIRE(chunk.has_value());
        CHECK(chunk->seq == static_cast<uint64_t>(i));
    }
    CHECK(log.last_seq() == 3);
    CHECK(log.acked_seq() == 0);
    CHECK(seqs_of(log.unacked()) == std::vector<uint64_t>{1, 2, 3});
    CHECK(log.unacked_bytes() == 21);

    log.ack(1);
    CHECK(log.acked_seq() == 1);
    // What a reconnect resends: the rest, in order, unchanged.
    REQUIRE(seqs_of(log.unacked()) == std::vector<uint64_t>{2, 3});
    CHECK(log.unacked()[0].data == "line 2\n");
    CHECK(log.unacked()[1].data == "line 3\n");
    CHECK(log.unacked_bytes() == 14);

    // A stale, repeated ack changes nothing.
    log.ack(0);
    log.ack(1);
    CHECK(log.acked_seq() == 1);
    CHECK(log.unacked().size() == 2);

    log.ack(3);
    CHECK(log.unacked().empty());
    CHECK(log.unacked_bytes() == 0);
    CHECK(log.acked_seq() == 3);

    // Numbering goes on after acks.
    log.append("line 4\n", kStart);
    CHECK(log.take_chunk()->seq == 4);
}

TEST_CASE("the result's ack (last_seq + 1) clears everything without inventing chunks") {
    AttemptLog log(9);
    log.append("done\n", kStart);
    log.take_chunk();
    log.ack(2);  // job_finished last_seq 1, acknowledged with 1 + 1
    CHECK(log.unacked().empty());
    CHECK(log.acked_seq() == 1);
    CHECK(log.last_seq() == 1);
}

TEST_CASE("a chunk never exceeds the protocol's limit, and nothing is lost when splitting") {
    AttemptLog log(11);
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
