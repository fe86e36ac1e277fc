// HTTP answers and network failures map to the exit codes SPEC fixes, with messages that
// tell the user what to do.

#include "cli/http_errors.h"

#include <catch2/catch.hpp>

#include "shared/exit_codes.h"

using namespace fmg::cli;
namespace exit_code = fmg::exit_code;

namespace {

ApiSettings with_token(std::string token, std::string source) {
    ApiSettings settings;
    settings.server_url = "http://ci.example:5000";
    settings.token = std::move(token);
    settings.token_source = std::move(source);
    return settings;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("HTTP statuses map to SPEC exit codes") {
    ApiSettings settings = with_token("t", "FMG_TOKEN");
    struct Case {
        int status;
        int exit;
    };
    for (Case c : {Case{401, exit_code::kUnreachable}, Case{403, exit_code::kUnreachable},
                   Case{404, exit_code::kNotFound}, Case{400, exit_code::kFailed},
                   Case{409, exit_code::kFailed}, Case{422, exit_code::kFailed},
                   Case{500, exit_code::kFailed}, Case{502, exit_code::kUnreachable},
                   Case{503, exit_code::kUnreachable}, Case{504, exit_code::kUnreachable}}) {
        INFO("HTTP " << c.status);
        CHECK(error_for_status(c.status, "", "GET /api/v1/pipelines", settings).exit_code ==
              c.exit);
    }
}

TEST_CASE("the server's error message is what the user reads") {
    ApiSettings settings = with_token("t", "--token");
    auto conflict = error_for_status(409, R"({"error": "pipeline 5 is still running"})",
                                     "POST /api/v1/pipelines/5/retry", settings);
    CHECK(conflict.message == "pipeline 5 is still running");
    auto missing = error_for_status(404, R"({"error": "no pipeline 99"})",
                                    "GET /api/v1/pipelines/99", settings);
    CHECK(missing.message == "no pipeline 99");
    auto bare = error_for_status(404, "", "GET /api/v1/pipelines/99", settings);
    CHECK(bare.message == "not found: GET /api/v1/pipelines/99");
    auto text = error_for_status(500, "database is locked\nmore detail", "GET /x", settings);
    CHECK(text.message == "database is locked");
    auto nothing = error_for_status(500, "  ", "GET /x", settings);
    CHECK(nothing.message == "GET /x failed with HTTP 500");
}

TEST_CASE("401 names where the token came from, or that there was none") {
    auto refused = error_for_status(401, R"({"error": "bad token"})", "GET /api/v1/runners",
                                    with_token("abc", "/home/me/.config/fmg/token"));
    CHECK(refused.exit_code == exit_code::kUnreachable);
    CHECK(contains(refused.message, "refused the API token from /home/me/.config/fmg/token"));
    CHECK(contains(refused.message, "401: bad token"));

    auto none = error_for_status(401, "", "GET /api/v1/runners", with_token("", ""));
    CHECK(contains(none.message, "no API token"));
    CHECK(contains(none.message, "--token"));
    CHECK(contains(none.message, "FMG_TOKEN"));
    CHECK(contains(none.message, "~/.config/fmg/token"));
}

TEST_CASE("an unreachable coordinator is exit 3 and names the URL and the reason") {
    auto error = unreachable_error(with_token("t", "--token"), "Connection refused");
    CHECK(error.exit_code == exit_code::kUnreachable);
    CHECK(error.connection_failed);
    CHECK(contains(error.message, "http://ci.example:5000"));
    CHECK(contains(error.message, "Connection refused"));
    CHECK(contains(error.message, "--server-url"));
}

TEST_CASE("server_message reads JSON error bodies and cuts long text") {
    CHECK(server_message(R"({"error": "nope"})") == "nope");
    CHECK(server_message(R"({"message": "other shape"})") == R"({"message": "other shape"})");
    std::string long_line(1000, 'x');
    CHECK(server_message(long_line).size() == 303);
}
