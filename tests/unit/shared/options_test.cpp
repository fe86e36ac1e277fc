#include "shared/options.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace fmg::options;

namespace {

Parser make_parser() {
    return Parser(
        "prog", "[OPTIONS]", "A test program.",
        {
            {"listen", "ADDR", "PROG_LISTEN", "0.0.0.0:5000", "where to listen", host_port()},
            {"timeout", "MS", "PROG_TIMEOUT", "3000", "how long", integer_between(1, 60000)},
            {"insecure", "", "", "", "no auth", nullptr},
        });
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("defaults apply when nothing else is given") {
    auto outcome = make_parser().parse({}, env_of({}));
    REQUIRE(outcome.kind == Outcome::Kind::run);
    CHECK(outcome.values.text("listen") == "0.0.0.0:5000");
    CHECK(outcome.values.integer("timeout") == 3000);
    CHECK_FALSE(outcome.values.flag("insecure"));
}

TEST_CASE("flags override environment, which overrides the config file") {
    auto dir = std::filesystem::temp_directory_path() / "fmg-options-test";
    std::filesystem::create_directories(dir);
    auto file = dir / "config.yml";
    std::ofstream(file) << "timeout: 100\nlisten: 1.2.3.4:1\n";

    auto outcome = make_parser().parse({"--config", file.string(), "--timeout=250"},
                                       env_of({{"PROG_LISTEN", "127.0.0.1:9"}}));
    REQUIRE(outcome.kind == Outcome::Kind::run);
    CHECK(outcome.values.integer("timeout") == 250);
    CHECK(outcome.values.text("listen") == "127.0.0.1:9");

    auto from_config = make_parser().parse({"--config", file.string()}, env_of({}));
    CHECK(from_config.values.text("listen") == "1.2.3.4:1");
    std::filesystem::remove_all(dir);
}

TEST_CASE("unknown flags and bad values are usage errors naming the culprit") {
    auto unknown = make_parser().parse({"--nope"}, env_of({}));
    CHECK(unknown.kind == Outcome::Kind::usage_error);
    CHECK(unknown.message.find("--nope") != std::string::npos);

    auto bad = make_parser().parse({"--timeout", "soon"}, env_of({}));
    CHECK(bad.kind == Outcome::Kind::usage_error);
    CHECK(bad.message.find("--timeout") != std::string::npos);

    auto bad_env = make_parser().parse({}, env_of({{"PROG_TIMEOUT", "0"}}));
    CHECK(bad_env.kind == Outcome::Kind::usage_error);
    CHECK(bad_env.message.find("PROG_TIMEOUT") != std::string::npos);

    auto missing = make_parser().parse({"--listen"}, env_of({}));
    CHECK(missing.kind == Outcome::Kind::usage_error);

    auto positional = make_parser().parse({"extra"}, env_of({}));
    CHECK(positional.kind == Outcome::Kind::usage_error);

    auto switch_with_value = make_parser().parse({"--insecure=yes"}, env_of({}));
    CHECK(switch_with_value.kind == Outcome::Kind::usage_error);
}

TEST_CASE("--help lists every option with its environment variable and default") {
    auto outcome = make_parser().parse({"--help"}, env_of({}));
    REQUIRE(outcome.kind == Outcome::Kind::exit_ok);
    CHECK(outcome.message.find("--listen ADDR") != std::string::npos);
    CHECK(outcome.message.find("PROG_TIMEOUT") != std::string::npos);
    CHECK(outcome.message.find("default 3000") != std::string::npos);
    auto version = make_parser().parse({"--version"}, env_of({}));
    CHECK(version.kind == Outcome::Kind::exit_ok);
}

TEST_CASE("validators") {
    CHECK_FALSE(zmq_endpoint()("tcp://127.0.0.1:5555"));
    CHECK(zmq_endpoint()("tcp://127.0.0.1"));
    CHECK(zmq_endpoint()("http://x:1"));
    CHECK_FALSE(http_url()("https://api.github.com"));
    CHECK(http_url()("api.github.com"));
    CHECK(one_of({"docker", "shell"})("podman"));
}

TEST_CASE("a one-letter alias stands for its option, and --help shows it") {
    Parser parser("prog", "[OPTIONS]", "A test program.",
                  {{"output", "FILE", "", "", "where to write", non_empty(), 'o'},
                   {"insecure", "", "", "", "no auth", nullptr}});
    auto outcome = parser.parse({"-o", "out.txt"}, env_of({}));
    REQUIRE(outcome.kind == Outcome::Kind::run);
    CHECK(outcome.values.text("output") == "out.txt");
    CHECK(parser.parse({"-x"}, env_of({})).kind == Outcome::Kind::usage_error);
    CHECK(parser.parse({"-o"}, env_of({})).kind == Outcome::Kind::usage_error);
    auto help = parser.parse({"--help"}, env_of({}));
    CHECK_THAT(help.message, Catch::Contains("-o, --output FILE"));
}
