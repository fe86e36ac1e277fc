// fmg-agent's Docker job limits and host access (SPEC "fmg-agent"): --job-memory, --job-cpus,
// --job-pids, --job-network-host-access, their variables, and their bad values.

#include "agent/setup/job_limits.h"

#include <catch2/catch.hpp>

#include "agent/setup/settings.h"
#include "tests/unit/agent/settings_parse.h"

using namespace fmg::agent;
using namespace fmg::agent::testing;

namespace {

bool refused(const std::vector<std::string>& args, const Env& env = {}) {
    return !usage_error(args, env).empty();
}

}  // namespace

TEST_CASE("Docker job limits default to pids 4096, no memory or CPU limit, no host access") {
    AgentSettings s = parse_ok({});
    CHECK(s.job_memory_bytes == 0);
    CHECK(s.job_nano_cpus == 0);
    CHECK(s.job_pids == 4096);
    CHECK_FALSE(s.job_network_host_access);
}

TEST_CASE("Docker job limits are read from flags and environment") {
    AgentSettings s = parse_ok({"--job-memory", "2g", "--job-cpus", "1.5", "--job-pids", "100",
                                "--job-network-host-access"});
    CHECK(s.job_memory_bytes == 2LL * 1024 * 1024 * 1024);
    CHECK(s.job_nano_cpus == 1'500'000'000);
    CHECK(s.job_pids == 100);
    CHECK(s.job_network_host_access);
    AgentSettings e = parse_ok({}, {{"FMG_JOB_MEMORY", "512m"},
                                    {"FMG_JOB_CPUS", "2"},
                                    {"FMG_JOB_PIDS", "64"},
                                    {"FMG_JOB_NETWORK_HOST_ACCESS", "1"}});
    CHECK(e.job_memory_bytes == 512LL * 1024 * 1024);
    CHECK(e.job_nano_cpus == 2'000'000'000);
    CHECK(e.job_pids == 64);
    CHECK(e.job_network_host_access);
}

TEST_CASE("memory sizes: bytes or k, m, g, t in powers of 1024, at least 6 MiB") {
    CHECK(parse_job_memory("6291456") == 6291456);
    CHECK(parse_job_memory("6m") == 6291456);
    CHECK(parse_job_memory("6144k") == 6291456);
    CHECK(parse_job_memory("2G") == 2147483648);
    CHECK(parse_job_memory("2gb") == 2147483648);
    CHECK(parse_job_memory("2GiB") == 2147483648);
    CHECK(parse_job_memory("1t") == 1099511627776);
    for (const char* bad : {"", "0", "5m", "6291455", "-1g", "1.5g", "2x", "g", "2 g", "1048576t",
                            "999999999999999999999", "0x10m"}) {
        INFO(bad);
        CHECK_FALSE(parse_job_memory(bad));
    }
}

TEST_CASE("CPUs: a decimal number from 0.01 to 4096") {
    CHECK(parse_job_cpus("1") == 1'000'000'000);
    CHECK(parse_job_cpus("0.5") == 500'000'000);
    CHECK(parse_job_cpus("0.01") == 10'000'000);
    CHECK(parse_job_cpus("2.25") == 2'250'000'000);
    CHECK(parse_job_cpus("4096") == 4'096'000'000'000);
    for (const char* bad :
         {"", "0", "0.009", "-1", "1.", ".5x", "abc", "4096.5", "1e3", "0.0000000001", "1,5"}) {
        INFO(bad);
        CHECK_FALSE(parse_job_cpus(bad));
    }
}

TEST_CASE("bad Docker job limits are usage errors (exit 2), from a flag or the environment") {
    CHECK(refused({"--job-memory", "lots"}));
    CHECK(refused({"--job-memory", "1m"}));
    CHECK(refused({"--job-cpus", "0"}));
    CHECK(refused({"--job-cpus", "half"}));
    CHECK(refused({"--job-pids", "0"}));
    CHECK(refused({"--job-pids", "15"}));
    CHECK(refused({"--job-pids", "many"}));
    CHECK(refused({}, {{"FMG_JOB_MEMORY", "-5g"}}));
    CHECK(refused({}, {{"FMG_JOB_PIDS", "0"}}));
}

TEST_CASE("jobs get the Docker engine only with --allow-job-docker or FMG_ALLOW_JOB_DOCKER") {
    CHECK_FALSE(parse_ok({}).allow_job_docker);
    CHECK(parse_ok({"--allow-job-docker"}).allow_job_docker);
    CHECK(parse_ok({}, {{"FMG_ALLOW_JOB_DOCKER", "1"}}).allow_job_docker);
    CHECK(refused({"--allow-job-docker=yes-please"}));
}
