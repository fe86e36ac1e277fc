// The coordinator's side of uploads (files/upload_receiver.h, files/blob_store.h): bytes are
// appended in order, duplicates and gaps change nothing, a finished upload becomes a blob
// named by its digest only when size and digest match, a partial upload survives a restart,
// and the size limit and a failed upload are sticky.

#include "coordinator/files/upload_receiver.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "shared/crypto.h"
#include "store_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using testing::TempDir;

namespace {

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

constexpr uint64_t kLimit = 1 << 20;

}  // namespace

TEST_CASE("an upload received in order, with repeats and gaps, becomes its blob") {
    TempDir dir;
    BlobStore store(dir.path() / "blobs");
    UploadReceiver uploads(store, kLimit);
    const std::string bytes = "0123456789abcdef";
    const std::string sha = crypto::sha256_hex(bytes);

    CHECK(uploads.receive(7, 1, 0, bytes.substr(0, 6)).value() == 6);
    CHECK(uploads.receive(7, 1, 0, bytes.substr(0, 6)).value() == 6);  // a repeat
    CHECK(uploads.receive(7, 1, 10, bytes.substr(10)).value() == 6);   // a gap: dropped
    CHECK(uploads.receive(7, 1, 6, bytes.substr(6, 4)).value() == 10);
    // Not all there yet: the end says how much is held.
    auto early = uploads.finish(7, 1, bytes.size(), sha);
    REQUIRE(early);
    CHECK_FALSE(early->stored);
    CHECK(early->held == 10);
    CHECK(uploads.receive(7, 1, 10, bytes.substr(10)).value() == 16);
    auto done = uploads.finish(7, 1, bytes.size(), sha);
    REQUIRE(done);
    CHECK(done->stored);
    CHECK(file_text(store.path_of(sha)) == bytes);
    CHECK(store.path_of(sha).parent_path().filename() == sha.substr(0, 2));
    CHECK_FALSE(std::filesystem::exists(uploads.partial_path(7, 1)));
}

TEST_CASE("bytes whose digest or size differ from the end's are refused and dropped") {
    TempDir dir;
    BlobStore store(dir.path() / "blobs");
    UploadReceiver uploads(store, kLimit);
    REQUIRE(uploads.receive(7, 1, 0, "hello").value() == 5);
    const std::string other = crypto::sha256_hex("hellO");
    auto wrong = uploads.finish(7, 1, 5, other);
    REQUIRE_FALSE(wrong);
    CHECK_THAT(wrong.error().message, Catch::Contains("the bytes received have SHA-256 " +
                                                      crypto::sha256_hex("hello") + ", not "));
    CHECK_FALSE(store.contains(other));
    CHECK_FALSE(std::filesystem::exists(uploads.partial_path(7, 1)));
    // The upload is over: what comes later for it fails the same way.
    CHECK_FALSE(uploads.receive(7, 1, 5, "more"));

    REQUIRE(uploads.receive(7, 2, 0, "hello world").value() == 11);
    auto shorter = uploads.finish(7, 2, 5, crypto::sha256_hex("hello"));
    REQUIRE_FALSE(shorter);
    CHECK_THAT(shorter.error().message, Catch::Contains("holds 11 bytes, not the 5 bytes"));
}

TEST_CASE("a partial upload survives a coordinator restart, digest and all") {
    TempDir dir;
    const std::string bytes(300'000, 'x');
    const std::string sha = crypto::sha256_hex(bytes);
    {
        BlobStore store(dir.path() / "blobs");
        UploadReceiver uploads(store, kLimit);
        REQUIRE(uploads.receive(9, 3, 0, bytes.substr(0, 200'000)).value() == 200'000);
    }
    BlobStore store(dir.path() / "blobs");
    UploadReceiver restarted(store, kLimit);
    // The agent sends on from its last ack; a chunk it already sent is a repeat.
    CHECK(restarted.receive(9, 3, 100'000, bytes.substr(100'000, 100'000)).value() == 200'000);
    CHECK(restarted.receive(9, 3, 200'000, bytes.substr(200'000)).value() == 300'000);
    auto done = restarted.finish(9, 3, bytes.size(), sha);
    REQUIRE(done);
    CHECK(done->stored);
    CHECK(file_text(store.path_of(sha)) == bytes);
}

TEST_CASE("an upload past the size limit fails, saying which flag sets it") {
    TempDir dir;
    BlobStore store(dir.path() / "blobs");
    UploadReceiver uploads(store, 10);
    CHECK(uploads.receive(7, 1, 0, "12345678").value() == 8);
    auto over = uploads.receive(7, 1, 8, "901");
    REQUIRE_FALSE(over);
    CHECK(over.error().message ==
          "the file is larger than the coordinator's limit of 10 bytes (--max-artifact-size; "
          "--max-cache-size for a cache)");
    CHECK_FALSE(std::filesystem::exists(uploads.partial_path(7, 1)));
    CHECK_FALSE(uploads.receive(7, 1, 0, "1"));  // sticky
}

TEST_CASE("the same bytes stored twice are one blob") {
    TempDir dir;
    BlobStore store(dir.path() / "blobs");
    UploadReceiver uploads(store, kLimit);
    const std::string sha = crypto::sha256_hex("same");
    for (uint64_t upload : {1, 2}) {
        REQUIRE(uploads.receive(7, upload, 0, "same").value() == 4);
        auto done = uploads.finish(7, upload, 4, sha);
        REQUIRE(done);
        CHECK(done->stored);
    }
    CHECK(file_text(store.path_of(sha)) == "same");
    CHECK(std::filesystem::is_empty(store.uploads_dir()));
}

TEST_CASE("what an ended attempt left is removed, now and at start-up") {
    TempDir dir;
    BlobStore store(dir.path() / "blobs");
    {
        UploadReceiver uploads(store, kLimit);
        REQUIRE(uploads.receive(7, 1, 0, "a"));
        REQUIRE(uploads.receive(8, 1, 0, "b"));
        REQUIRE(uploads.receive(9, 1, 0, "c"));
        uploads.forget_attempt(7);
        CHECK_FALSE(std::filesystem::exists(uploads.partial_path(7, 1)));
        CHECK(std::filesystem::exists(uploads.partial_path(8, 1)));
    }
    std::ofstream(store.uploads_dir() / "stray-file") << "x";
    UploadReceiver restarted(store, kLimit);
    restarted.remove_partials_except({9});
    CHECK_FALSE(std::filesystem::exists(restarted.partial_path(8, 1)));
    CHECK(std::filesystem::exists(restarted.partial_path(9, 1)));
    CHECK_FALSE(std::filesystem::exists(store.uploads_dir() / "stray-file"));
}
