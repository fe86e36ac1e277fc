// fmg-coordinator --job-timeout / FMG_JOB_TIMEOUT_S: its default, its bounds, and that it
// reaches the agents in every assign.

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "coordinator/domain/job_spec.h"
#include "coordinator/setup/settings.h"

using namespace fmg::coordinator;
using fmg::options::Outcome;

namespace {

using Env = std::map<std::string, std::string>;

std::variant<Settings, Outcome> parse(const std::vector<std::string>& args, const Env& env) {
    return parse_settings(args, [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
}

/// The job timeout the coordinator runs with; fails the test on a usage error.
int64_t job_timeout_ms(const std::vector<std::string>& args, const Env& env = {}) {
    auto result = parse(args, env);
    if (auto* outcome = std::get_if<Outcome>(&result)) FAIL("not run: " << outcome->message);
    return std::get<Settings>(result).job_timeout_ms;
}

/// The usage error's message; empty when the arguments were accepted.
std::string usage_error(const std::vector<std::string>& args, const Env& env = {}) {
    auto result = parse(args, env);
    const auto* outcome = std::get_if<Outcome>(&result);
    if (outcome == nullptr || outcome->kind != Outcome::Kind::usage_error) return "";
    return outcome->message;
}

}  // namespace

TEST_CASE(
    "timeouts: the job timeout is an hour unless --job-timeout or FMG_JOB_TIMEOUT_S "
    "says otherwise, and 0 turns it off") {
    CHECK(job_timeout_ms({}) == 3'600'000);
    CHECK(job_timeout_ms({"--job-timeout", "2"}) == 2000);
    CHECK(job_timeout_ms({}, {{"FMG_JOB_TIMEOUT_S", "600"}}) == 600'000);
    CHECK(job_timeout_ms({"--job-timeout", "90"}, {{"FMG_JOB_TIMEOUT_S", "600"}}) == 90'000);
    CHECK(job_timeout_ms({"--job-timeout", "0"}) == 0);
    CHECK(job_timeout_ms({"--job-timeout", "2592000"}) == 2'592'000'000);
}

TEST_CASE(
    "timeouts: a job timeout that is negative, not whole seconds or past 30 days is a "
    "usage error naming it") {
    CHECK_THAT(usage_error({"--job-timeout", "-1"}), Catch::Contains("--job-timeout"));
    CHECK_THAT(usage_error({"--job-timeout", "1h"}), Catch::Contains("--job-timeout"));
    CHECK_THAT(usage_error({"--job-timeout", "2592001"}), Catch::Contains("--job-timeout"));
    CHECK_THAT(usage_error({}, {{"FMG_JOB_TIMEOUT_S", "1.5"}}),
               Catch::Contains("FMG_JOB_TIMEOUT_S"));
}

TEST_CASE("timeouts: the longest job timeout still fits the assign's job_timeout_ms") {
    JobSpec spec;
    const RunContext run{.pipeline_id = 1,
                         .repo = "o/r",
                         .repo_url = "https://example.com/o/r.git",
                         .ref = "main",
                         .sha = std::string(40, 'a'),
                         .job_id = 3,
                         .job_name = "build",
                         .attempt_id = 9};
    auto assign = make_assign(spec, run, kMaxJobTimeoutSeconds * 1000);
    CHECK(assign.job_timeout_ms == static_cast<uint64_t>(kMaxJobTimeoutSeconds) * 1000);
    CHECK(make_assign(spec, run, 0).job_timeout_ms == 0);
}
