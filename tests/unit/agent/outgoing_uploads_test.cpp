// The agent's side of uploads (link/outgoing_uploads.h): a window of chunks in flight, more as
// acks come, the end once all is acknowledged, a resend from the last ack after a welcome or a
// stall, the coordinator's word taken when it holds less, and the runner told the outcome.

#include "agent/link/outgoing_uploads.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;
using fmg::agent::testing::TempWorkspace;

namespace {

constexpr uint64_t kSize = 6 * kUploadChunkBytes + 100;  // past the 4 MiB window

struct Sent {
    std::vector<protocol::Upload> chunks;
    std::vector<protocol::UploadEnd> ends;

    OutgoingUploads::Send sink() {
        return [this](const protocol::AgentMessage& message) {
            if (auto* chunk = std::get_if<protocol::Upload>(&message)) chunks.push_back(*chunk);
            if (auto* end = std::get_if<protocol::UploadEnd>(&message)) ends.push_back(*end);
        };
    }
    uint64_t last_offset() const { return chunks.empty() ? 0 : chunks.back().offset; }
};

struct Fixture {
    TempWorkspace dir;
    std::string bytes;
    std::shared_ptr<std::promise<Status>> done = std::make_shared<std::promise<Status>>();
    std::future<Status> outcome = done->get_future();

    Fixture() {
        for (uint64_t i = 0; i < kSize; ++i) bytes.push_back(static_cast<char>(i % 251));
        std::ofstream(dir.path() / "file", std::ios::binary) << bytes;
    }
    UploadRequest request() const {
        return {42,         1,     dir.path() / "file",  protocol::UploadKind::artifact,
                "out/file", kSize, std::string(64, 'a'), done};
    }
};

const SteadyTime kT0{};

}  // namespace

TEST_CASE("an upload sends a window, then a chunk per ack, then its end") {
    Fixture f;
    Sent sent;
    OutgoingUploads uploads;
    uploads.start(f.request(), true, sent.sink(), kT0);
    REQUIRE(sent.chunks.size() == 4);  // 4 MiB in flight
    CHECK(sent.chunks[1].offset == kUploadChunkBytes);
    CHECK(sent.chunks[1].data == f.bytes.substr(kUploadChunkBytes, kUploadChunkBytes));

    uploads.on_ack({42, 1, kUploadChunkBytes}, sent.sink(), kT0);
    REQUIRE(sent.chunks.size() == 5);
    CHECK(sent.chunks[4].offset == 4 * kUploadChunkBytes);
    uploads.on_ack({42, 1, 2 * kUploadChunkBytes}, sent.sink(), kT0);
    REQUIRE(sent.chunks.size() == 6);  // up to 6 MiB: the window is full
    uploads.on_ack({42, 1, 3 * kUploadChunkBytes}, sent.sink(), kT0);
    REQUIRE(sent.chunks.size() == 7);  // the last is 100 bytes
    CHECK(sent.chunks[6].data.size() == 100);
    uploads.on_ack({42, 1, kSize - 100}, sent.sink(), kT0);
    CHECK(sent.ends.empty());  // not every byte is acknowledged yet
    uploads.on_ack({42, 1, kSize}, sent.sink(), kT0);
    REQUIRE(sent.ends.size() == 1);
    CHECK(sent.ends[0].size == kSize);
    CHECK(sent.ends[0].path == "out/file");
    CHECK(sent.chunks.size() == 7);  // nothing sent twice

    REQUIRE(f.outcome.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
    uploads.on_done({42, 1, ""});
    REQUIRE(f.outcome.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    CHECK(f.outcome.get());
}

TEST_CASE("repeated acks change nothing, a stall or a welcome sends on from the last ack") {
    Fixture f;
    Sent sent;
    OutgoingUploads uploads;
    uploads.start(f.request(), true, sent.sink(), kT0);
    uploads.on_ack({42, 1, kUploadChunkBytes}, sent.sink(), kT0);
    const size_t before = sent.chunks.size();
    for (int i = 0; i < 5; ++i) uploads.on_ack({42, 1, kUploadChunkBytes}, sent.sink(), kT0);
    CHECK(sent.chunks.size() == before);  // repeats never multiply into resends

    uploads.resend_stalled(sent.sink(), kT0 + std::chrono::seconds(1), Millis(3000));
    CHECK(sent.chunks.size() == before);  // not stalled yet
    uploads.resend_stalled(sent.sink(), kT0 + std::chrono::seconds(4), Millis(3000));
    REQUIRE(sent.chunks.size() == before + 4);
    CHECK(sent.chunks[before].offset == kUploadChunkBytes);

    uploads.resend_all(sent.sink(), kT0 + std::chrono::seconds(5));
    REQUIRE(sent.chunks.size() == before + 8);
    CHECK(sent.chunks[before + 4].offset == kUploadChunkBytes);
}

TEST_CASE("a coordinator that holds less than it acknowledged is taken at its word") {
    Fixture f;
    Sent sent;
    OutgoingUploads uploads;
    uploads.start(f.request(), true, sent.sink(), kT0);
    uploads.on_ack({42, 1, 3 * kUploadChunkBytes}, sent.sink(), kT0);
    const size_t before = sent.chunks.size();
    uploads.on_ack({42, 1, kUploadChunkBytes}, sent.sink(), kT0);
    REQUIRE(sent.chunks.size() > before);
    CHECK(sent.chunks[before].offset == kUploadChunkBytes);
}

TEST_CASE("an upload refused or abandoned tells the runner why") {
    Fixture f;
    Sent sent;
    OutgoingUploads uploads;
    uploads.start(f.request(), false, sent.sink(), kT0);
    CHECK(sent.chunks.empty());  // no session: nothing goes out until a welcome
    uploads.on_done({42, 1, "the coordinator's disk is full"});
    Status refused = f.outcome.get();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message == "the coordinator's disk is full");

    Fixture g;
    uploads.start(g.request(), true, sent.sink(), kT0);
    uploads.abandon_attempt(42, "the attempt was cancelled");
    Status abandoned = g.outcome.get();
    REQUIRE_FALSE(abandoned);
    CHECK(abandoned.error().message == "the attempt was cancelled");
}
