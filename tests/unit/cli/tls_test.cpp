// The CLI over https (docs/cli.md "Global options"): it checks the coordinator's certificate
// against the system's CAs or those of --ca-file, refuses one it cannot trust (exit 3, nothing
// sent in clear), and takes any with --insecure-skip-verify.

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/unit/cli/cli_harness.h"
#include "tests/unit/cli/fake_coordinator.h"

using namespace fmg::cli::testing;

namespace {

/// A directory with two self-signed certificates for 127.0.0.1 (the server's and another),
/// made by the openssl command line tool, removed at the end.
struct Certificates {
    std::filesystem::path dir;
    Certificates() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "fmg-cli-tls-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        dir = pattern;
        make("server");
        make("other");
    }
    ~Certificates() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    void make(const std::string& name) const {
        const std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
            "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
            (dir / (name + ".key")).string() + "' -out '" + (dir / (name + ".crt")).string() +
            "' 2>/dev/null";
        REQUIRE(std::system(command.c_str()) == 0);
    }
    std::string file(const std::string& name) const { return (dir / name).string(); }
};

}  // namespace

TEST_CASE("over https the CLI trusts the coordinator's certificate only through --ca-file") {
    Certificates certificates;
    FakeCoordinator coordinator(certificates.file("server.crt"), certificates.file("server.key"));
    coordinator.reply("GET", "/api/v1/pipelines", 200, R"({"total": 0, "data": []})");
    const std::vector<std::string> list = {"--server-url", coordinator.url(), "--token",
                                           FakeCoordinator::kToken, "list"};

    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = list;
        args.insert(args.begin(), extra.begin(), extra.end());
        return run_fmg(args);
    };

    const CliRun trusted = with({"--ca-file", certificates.file("server.crt")});
    INFO(trusted.err);
    CHECK(trusted.exit_code == 0);
    CHECK(coordinator.requests().size() == 1);

    // The system's CAs do not know a self-signed certificate; nor does another CA file.
    const CliRun system_store = with({});
    CHECK(system_store.exit_code == 3);
    CHECK_THAT(system_store.err, Catch::Contains("cannot trust the coordinator") &&
                                     Catch::Contains("certificate verify failed") &&
                                     Catch::Contains("--ca-file"));
    const CliRun other = with({"--ca-file", certificates.file("other.crt")});
    CHECK(other.exit_code == 3);
    CHECK(coordinator.requests().size() == 1);  // neither got as far as a request

    // FMG_CA_FILE does what --ca-file does.
    CHECK(run_fmg(list, {{"FMG_CA_FILE", certificates.file("server.crt")}}).exit_code == 0);

    const CliRun unchecked = with({"--insecure-skip-verify"});
    CHECK(unchecked.exit_code == 0);
    CHECK(coordinator.requests().size() == 3);

    const CliRun missing = with({"--ca-file", certificates.file("none.crt")});
    CHECK(missing.exit_code == 3);
}
