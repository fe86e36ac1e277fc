// The config parser's bound on a job's `assign` frame (shared/pipeline/wire_fit.h) against
// protocol/'s real encoder: the bound never undercounts, whatever repository URL, ref, sha and
// ids the assign carries, and it is close (so it refuses no job that would fit by much).

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "coordinator/domain/job_spec.h"
#include "protocol/codec.h"
#include "shared/pipeline/builtin_variables.h"
#include "shared/pipeline/config.h"
#include "shared/pipeline/constants.h"
#include "shared/pipeline/wire_fit.h"

using namespace fmg;
using namespace fmg::coordinator;

namespace {

pipeline::Job parsed_job(const std::string& yaml) {
    auto parsed = pipeline::parse_config(yaml, "config.yml", pipeline::RefContext{});
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    return std::get<pipeline::Config>(parsed).jobs.at(0);
}

// The largest frame the job can make: every field the config does not set at its maximum,
// the built-in variables (a pull request's, whose ref is a branch) at their longest.
size_t largest_assign(const pipeline::Job& job) {
    constexpr int64_t kLargest = std::numeric_limits<int64_t>::min();  // 20 characters
    const std::string part(pipeline::kMaxRepoPartBytes, 'o');
    const RunContext run{.pipeline_id = kLargest,
                         .repo = part + "/" + part,
                         .repo_url = std::string(protocol::kMaxTextBytes, 'u'),
                         .ref = std::string(protocol::kMaxNameBytes, 'r'),
                         .sha = std::string(protocol::kMaxNameBytes, 's'),
                         .pr_number = kLargest,
                         .job_id = kLargest,
                         .job_name = std::string(pipeline::kMaxNodeNameBytes, 'n'),
                         .attempt_id = kLargest};
    // The longest CIRCLE_JOB, and a node's CIRCLE_NODE_INDEX and CIRCLE_NODE_TOTAL.
    pipeline::Job longest = job;
    longest.name_in_workflow = std::string(pipeline::kMaxJobNameBytes, 'j');
    const JobNode node{.index = pipeline::kMaxParallelism - 1, .total = pipeline::kMaxParallelism};
    protocol::Assign assign =
        make_assign(job_spec_from_config(longest, node), run, std::numeric_limits<uint32_t>::max());
    return protocol::encode(assign).size();
}

}  // namespace

TEST_CASE("assign bound: never below the encoded frame, and within a few bytes of it") {
    const std::string big(70'000, 'x');
    const std::vector<std::string> configs = {
        "version: 2\njobs:\n  build:\n    docker: [{image: alpine}]\n    steps: [checkout]\n",
        "version: 2\njobs:\n  build:\n    docker:\n      - image: cimg/base:2024.01\n"
        "      - image: postgres:15\n      - image: redis:7\n"
        "    environment: {A: '1', LONGER_NAME: some value}\n"
        "    working_directory: ~/app\n"
        "    steps:\n      - checkout\n      - run:\n          name: Tests\n"
        "          command: make test\n          environment: {CI: 'true'}\n"
        "          working_directory: src\n          no_output_timeout: 20m\n"
        "          when: always\n",
        "version: 2\njobs:\n  build:\n    docker: [{image: alpine}]\n    steps:\n"
        "      - add_ssh_keys:\n          fingerprints:\n"
        "            - SHA256:NPj4IcXxqQEKGXOghi/QbG2sohoNfvZ30JwCcdSSNM0\n"
        "            - b7:35:a6:4e:9b:0d:6d:d4:78:1e:9a:97:2a:66:6b:be\n"
        "      - run: make\n",
        "version: 2\njobs:\n  build:\n    docker: [{image: alpine}]\n    steps:\n"
        "      - run: " +
            big + "\n      - run:\n          command: " + big +
            "\n          environment: {V: " + big + "}\n",
    };
    for (const std::string& config : configs) {
        const pipeline::Job job = parsed_job(config);
        const size_t bound = pipeline::detail::assign_frame_bound(job);
        const size_t encoded = largest_assign(job);
        INFO("bound " << bound << ", encoded " << encoded);
        CHECK(bound >= encoded);
        // The bound takes each step's `kind` and `when` at their longest and each integer
        // at 9 bytes: a few bytes per step more than the real frame. It counts both
        // CIRCLE_BRANCH and CIRCLE_TAG, of which an assign carries one.
        const size_t unset_tag =
            1 + std::string_view("CIRCLE_TAG").size() + 3 + protocol::kMaxNameBytes;
        CHECK(bound - encoded <= 64 + 16 * job.steps.size() + unset_tag);
    }
}
