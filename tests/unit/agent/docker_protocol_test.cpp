// The Docker wire formats, without an engine: chunked bodies, the multiplexed exec
// stream, and pull progress lines.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "agent/docker/chunked_decoder.h"
#include "agent/docker/pull_progress.h"
#include "agent/docker/stream_demuxer.h"

using namespace fmg::agent::docker;

namespace {

std::string frame(uint8_t stream, const std::string& payload) {
    std::string header(8, '\0');
    header[0] = static_cast<char>(stream);
    uint32_t size = static_cast<uint32_t>(payload.size());
    header[4] = static_cast<char>(size >> 24);
    header[5] = static_cast<char>(size >> 16);
    header[6] = static_cast<char>(size >> 8);
    header[7] = static_cast<char>(size);
    return header + payload;
}

struct Captured {
    std::string stdout_text;
    std::string stderr_text;
    std::string interleaved;
    int pieces = 0;
    StreamDemuxer::Sink sink() {
        return [this](StreamType type, std::string_view payload) {
            (type == StreamType::stderr_stream ? stderr_text : stdout_text).append(payload);
            interleaved.append(payload);
            ++pieces;
        };
    }
};

}  // namespace

TEST_CASE("demuxer splits stdout and stderr frames in order", "[docker-wire]") {
    Captured captured;
    StreamDemuxer demuxer;
    std::string stream = frame(1, "out 1\n") + frame(2, "err\n") + frame(1, "out 2\n");
    REQUIRE(demuxer.feed(stream, captured.sink()));
    CHECK(captured.stdout_text == "out 1\nout 2\n");
    CHECK(captured.stderr_text == "err\n");
    CHECK(captured.interleaved == "out 1\nerr\nout 2\n");
    CHECK(demuxer.at_frame_boundary());
}

TEST_CASE("demuxer hands on payload before its frame is complete", "[docker-wire]") {
    Captured captured;
    StreamDemuxer demuxer;
    std::string stream = frame(1, "hello world") + frame(2, "!");
    // Byte by byte: headers split across reads, payload delivered as it arrives.
    for (char c : stream) REQUIRE(demuxer.feed(std::string_view(&c, 1), captured.sink()));
    CHECK(captured.interleaved == "hello world!");
    CHECK(captured.pieces == 12);

    Captured partial;
    StreamDemuxer second;
    REQUIRE(second.feed(frame(1, "abcdef").substr(0, 11), partial.sink()));
    CHECK(partial.stdout_text == "abc");
    CHECK_FALSE(second.at_frame_boundary());
}

TEST_CASE("demuxer accepts an empty frame and rejects a non-Docker stream", "[docker-wire]") {
    Captured captured;
    StreamDemuxer demuxer;
    REQUIRE(demuxer.feed(frame(1, "") + frame(1, "x"), captured.sink()));
    CHECK(captured.stdout_text == "x");

    StreamDemuxer raw;
    auto fed = raw.feed("plain text output", captured.sink());
    REQUIRE_FALSE(fed);
    CHECK_THAT(fed.error().message, Catch::Contains("not a multiplexed Docker stream"));
}

TEST_CASE("chunked decoder joins chunks and stops at the last one", "[docker-wire]") {
    ChunkedDecoder decoder;
    std::string out;
    std::string body = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\nNEXT";
    auto consumed = decoder.feed(body, out);
    REQUIRE(consumed);
    CHECK(out == "hello, world");
    CHECK(decoder.done());
    CHECK(*consumed == body.size() - 4);  // "NEXT" is not part of the body
}

TEST_CASE("chunked decoder works across arbitrary splits", "[docker-wire]") {
    std::string body = "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n123\r\n0\r\nTrailer: x\r\n\r\n";
    for (size_t split = 1; split < body.size(); ++split) {
        ChunkedDecoder decoder;
        std::string out;
        REQUIRE(decoder.feed(std::string_view(body).substr(0, split), out));
        REQUIRE(decoder.feed(std::string_view(body).substr(split), out));
        CHECK(out == "abcdefghijklmnopqrstuvwxyz123");
        CHECK(decoder.done());
    }
}

TEST_CASE("chunked decoder rejects bad framing", "[docker-wire]") {
    std::string out;
    ChunkedDecoder bad_size;
    CHECK_FALSE(bad_size.feed("zz\r\nhello\r\n", out));
    ChunkedDecoder missing_crlf;
    CHECK_FALSE(missing_crlf.feed("2\r\nhiX", out));
}

TEST_CASE("pull progress lines: status, progress updates and errors", "[docker-wire]") {
    auto status = parse_pull_event(R"({"status":"Pull complete","id":"4abcf2066143"})");
    REQUIRE(status);
    CHECK(describe_pull_event(*status) == "4abcf2066143: Pull complete");

    auto progress = parse_pull_event(
        R"({"status":"Downloading","progressDetail":{"current":1024,"total":4096},)"
        R"("progress":"[==>  ]","id":"4abcf2066143"})");
    REQUIRE(progress);
    CHECK(progress->progress_update);
    CHECK(describe_pull_event(*progress).empty());

    auto error = parse_pull_event(
        R"({"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"})");
    REQUIRE(error);
    CHECK(error->error == "manifest unknown");

    auto detail_only = parse_pull_event(R"({"errorDetail":{"message":"denied"}})");
    REQUIRE(detail_only);
    CHECK(detail_only->error == "denied");

    CHECK_FALSE(parse_pull_event("not json"));
}

TEST_CASE("line splitter keeps partial lines until they end", "[docker-wire]") {
    LineSplitter splitter;
    CHECK(splitter.feed("{\"a\":1}\r\n{\"b\"").size() == 1);
    auto lines = splitter.feed(":2}\n\n{\"c\":3}");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "{\"b\":2}");
    CHECK(splitter.take_rest() == "{\"c\":3}");
    CHECK(splitter.take_rest().empty());
}
