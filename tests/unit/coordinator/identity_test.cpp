// What the coordinator creates in its data dir on first start: the dir itself and the CURVE
// server key pair, private to its user, and the same ones ever after.

#include "coordinator/setup/identity.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "shared/curve.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;

namespace {

unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the first start creates a private data dir and key pair") {
    testing::TempDir dir;
    auto data_dir = dir.path() / "data" / "fmg";

    Identity identity = load_or_create_identity(data_dir);

    CHECK(mode_of(data_dir) == 0700);
    CHECK(mode_of(data_dir / "curve_server.key") == 0600);
    CHECK(fmg::curve::valid_hex_key(identity.server_keys.public_hex));
    CHECK(fmg::curve::valid_hex_key(identity.server_keys.secret_hex));
    CHECK(identity.server_keys.public_hex != identity.server_keys.secret_hex);
    CHECK_THAT(file_text(data_dir / "curve_server.key"),
               Catch::Contains(identity.server_keys.public_hex));
}

TEST_CASE("later starts read the same keys") {
    testing::TempDir dir;
    Identity first = load_or_create_identity(dir.path());
    Identity second = load_or_create_identity(dir.path());
    CHECK(second.server_keys.public_hex == first.server_keys.public_hex);
    CHECK(second.server_keys.secret_hex == first.server_keys.secret_hex);

    // Another data dir is another installation.
    Identity other = load_or_create_identity(dir.path() / "other");
    CHECK(other.server_keys.public_hex != first.server_keys.public_hex);
}

TEST_CASE("an existing data dir with loose permissions is made private") {
    testing::TempDir dir;
    ::chmod(dir.path().c_str(), 0755);
    load_or_create_identity(dir.path());
    CHECK(mode_of(dir.path()) == 0700);
}

TEST_CASE("a damaged key file stops start-up with its path") {
    testing::TempDir dir;
    load_or_create_identity(dir.path());
    auto key_file = dir.path() / "curve_server.key";
    {
        std::ofstream out(key_file, std::ios::trunc);
        out << "public: 1234\nsecret: not-a-key\n";
    }
    CHECK_THROWS_WITH(load_or_create_identity(dir.path()), Catch::Contains(key_file.string()));
    // It is not silently replaced: the agents' credentials name the old public key.
    CHECK(file_text(key_file) == "public: 1234\nsecret: not-a-key\n");
}
