// Checkout: how the agent runs its checkout helper and reads its answer. A small script stands
// in for fmg-checkout here (the real one is exercised end to end by the integration tests):
// the URL reaches it on stdin only, its one-line reason becomes the error, an unexpected end
// is named, and cancel() stops it at once.

#include "agent/job/checkout.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>

#include "tests/unit/agent/executor_test_support.h"

using namespace fmg::agent;
using namespace fmg::agent::testing;

namespace {

// A stand-in helper running `script` under /bin/sh, in `dir`.
std::filesystem::path helper_script(const TempWorkspace& dir, const std::string& script) {
    const auto path = dir.path() / "fake-checkout";
    std::ofstream(path) << "#!/bin/sh\n" << script << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
}

CheckoutRequest request_for(const std::filesystem::path& program, const TempWorkspace& dir) {
    CheckoutRequest request;
    request.program = program;
    request.mirrors_dir = dir.path() / "mirrors";
    request.url = "https://x-access-token:s3cret@example.com/octo/demo.git";
    request.sha = "0123456789abcdef0123456789abcdef01234567";
    request.destination = dir.path() / "workspace";
    return request;
}

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("checkout: the helper gets the URL on stdin and the rest as arguments") {
    TempWorkspace dir;
    const auto program =
        helper_script(dir,
                      "read url; echo \"$url\" > \"$(dirname \"$0\")/stdin\"; echo \"$@\" > "
                      "\"$(dirname \"$0\")/argv\"");
    Checkout checkout;
    const CheckoutRequest request = request_for(program, dir);
    REQUIRE(checkout.run(request));
    CHECK(file_text(dir.path() / "stdin") == request.url + "\n");
    CHECK(file_text(dir.path() / "argv") == request.mirrors_dir.string() + " " + request.sha + " " +
                                                request.destination.string() + "\n");
}

TEST_CASE("checkout: a helper's reason is the error, its other ends are named") {
    TempWorkspace dir;
    Checkout checkout;
    auto failing =
        checkout.run(request_for(helper_script(dir,
                                               "echo 'fetch https://example.com/octo/demo.git: "
                                               "authentication required'; exit 1"),
                                 dir));
    REQUIRE_FALSE(failing);
    CHECK(failing.error().message ==
          "fetch https://example.com/octo/demo.git: authentication required");

    auto crashed = Checkout().run(request_for(helper_script(dir, "kill -SEGV $$"), dir));
    REQUIRE_FALSE(crashed);
    CHECK(crashed.error().message == "fmg-checkout was killed by signal 11");

    auto odd = Checkout().run(request_for(helper_script(dir, "echo usage; exit 2"), dir));
    REQUIRE_FALSE(odd);
    CHECK(odd.error().message == "fmg-checkout exited with code 2: usage");
}

TEST_CASE("checkout: cancel() stops a running helper at once, and later runs fail at once") {
    TempWorkspace dir;
    Checkout checkout;
    const auto request =
        request_for(helper_script(dir, "touch \"$(dirname \"$0\")/started\"; exec sleep 600"), dir);
    auto running = std::async(std::launch::async, [&] { return checkout.run(request); });
    // The helper runs (a cancel before it started would end the run the same way).
    REQUIRE(eventually([&] { return std::filesystem::exists(dir.path() / "started"); }));
    const auto cancelled_at = std::chrono::steady_clock::now();
    checkout.cancel();
    REQUIRE(running.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(seconds_since(cancelled_at) < 5);
    auto result = running.get();
    REQUIRE_FALSE(result);
    CHECK(result.error().message == "cancelled");

    auto after = checkout.run(request);
    REQUIRE_FALSE(after);
    CHECK(after.error().message == "cancelled");
}
