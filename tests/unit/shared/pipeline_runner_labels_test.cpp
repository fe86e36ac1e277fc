// What a job needs of its runner: `machine`, `macos`, `windows` and `resource_class` become
// labels (shared/pipeline/runner_labels.h), and a job that cannot say where it runs is refused
// with the position of what is wrong.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

using Labels = std::vector<std::string>;

std::string job_config(const std::string& body) {
    return "version: 2.1\njobs:\n  build:\n" + body + "    steps: [checkout]\n";
}

void check_error(const std::string& yaml, int line, int column, std::string_view message_part) {
    const ParseError error = parse_error(yaml);
    INFO(error.to_string());
    CHECK(error.line == line);
    CHECK(error.column == column);
    CHECK_THAT(error.message, Catch::Contains(std::string(message_part)));
}

}  // namespace

TEST_CASE("machine: true runs on the host of a runner labelled machine") {
    const Config config = parse_ok(job_config("    machine: true\n"));
    const Job& job = only_job(config);
    CHECK(job.image.image.empty());
    CHECK(job.services.empty());
    CHECK(job.labels == Labels{"machine"});
    CHECK(job.steps.size() == 1);
}

TEST_CASE("machine with an image is accepted, and the image is not used") {
    const Job job =
        only_job(parse_ok(job_config("    machine:\n      image: ubuntu-2204:current\n")));
    CHECK(job.image.image.empty());
    CHECK(job.labels == Labels{"machine"});
}

TEST_CASE("resource_class is a label: alone with docker, after the runner's kind with machine") {
    CHECK(
        only_job(parse_ok(job_config("    docker: [{image: alpine}]\n    resource_class: large\n")))
            .labels == Labels{"large"});
    const Job job =
        only_job(parse_ok(job_config("    resource_class: arm.medium\n    machine: true\n")));
    CHECK(job.labels == Labels{"machine", "arm.medium"});
    CHECK(only_job(parse_ok(job_config(
                       "    docker: [{image: alpine}]\n    resource_class: myorg/my-runner\n")))
              .labels == Labels{"myorg/my-runner"});
    // Asking twice for one label needs it once.
    CHECK(
        only_job(parse_ok(job_config("    machine: true\n    resource_class: machine\n"))).labels ==
        Labels{"machine"});
}

TEST_CASE("macos and windows are labels too, for jobs without an image") {
    const Job mac = only_job(parse_ok(job_config("    macos:\n      xcode: 15.2.0\n")));
    CHECK(mac.image.image.empty());
    CHECK(mac.labels == Labels{"macos"});
    const Job windows =
        only_job(parse_ok(job_config("    windows: true\n    resource_class: windows.medium\n")));
    CHECK(windows.labels == Labels{"windows", "windows.medium"});
}

TEST_CASE("a docker job without resource_class needs no label") {
    CHECK(only_job(parse_ok(job_config("    docker: [{image: alpine}]\n"))).labels.empty());
}

TEST_CASE("labels are carried into every workflow's copy of the job") {
    const Config config = parse_ok(
        "version: 2.1\njobs:\n  build:\n    machine: true\n    resource_class: large\n"
        "    steps: [checkout]\nworkflows:\n  a:\n    jobs: [build]\n");
    CHECK(only_job(config).labels == Labels{"machine", "large"});
}

TEST_CASE("where a job runs must be said once, and said right") {
    check_error(job_config(""), 3, 3, "job `build` has no `docker` image to run its steps in");
    check_error(job_config("    resource_class: large\n"), 3, 3, "has no `docker` image");
    check_error(job_config("    docker: [{image: alpine}]\n    machine: true\n"), 5, 5,
                "job `build` has both `docker` and `machine`");
    check_error(job_config("    machine: true\n    macos: {xcode: 15.2.0}\n"), 5, 5,
                "job `build` has both `machine` and `macos`; choose one");
    check_error(job_config("    machine: false\n"), 4, 14,
                "`machine` in job `build` must be `true` or a map with `image`");
    check_error(job_config("    machine: [a]\n"), 4, 14, "must be `true` or a map");
    check_error(job_config("    machine:\n      image: x\n      docker_layer_caching: true\n"), 6,
                7, "unknown key `docker_layer_caching` in `machine` in job `build`");
    check_error(job_config("    macos: true\n"), 4, 12,
                "`macos` in job `build` must be a map with `xcode`");
    check_error(job_config("    machine:\n      image: {a: b}\n"), 5, 14, "");
}

TEST_CASE("a resource_class no runner could carry is refused where it is written") {
    check_error(job_config("    docker: [{image: alpine}]\n    resource_class: my runner\n"), 5, 21,
                "`resource_class` of job `build` must be a runner label");
    check_error(job_config("    docker: [{image: alpine}]\n    resource_class: " +
                           std::string(64, 'x') + "\n"),
                5, 21, "longer than 63");
    check_error(job_config("    docker: [{image: alpine}]\n    resource_class: /large\n"), 5, 21,
                "may not start or end");
    check_error(job_config("    docker: [{image: alpine}]\n    resource_class: {a: b}\n"), 5, 21,
                "");
}
