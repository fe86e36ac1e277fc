// The matching rule between a job's needed labels and a runner's labels, and the reason a
// queued job gives when no online runner fits it (coordinator/domain/runner_match.h).

#include "coordinator/domain/runner_match.h"

#include <catch2/catch.hpp>

using namespace fmg::coordinator;

TEST_CASE("a runner fits a job when it carries every label the job needs") {
    CHECK(runner_fits({}, {}));
    CHECK(runner_fits({"machine", "large"}, {}));
    CHECK(runner_fits({"machine", "large", "gpu"}, {"large", "machine"}));
    CHECK_FALSE(runner_fits({"machine"}, {"machine", "large"}));
    CHECK_FALSE(runner_fits({}, {"large"}));
    CHECK_FALSE(runner_fits({"Large"}, {"large"}));  // exact, case included
    CHECK(runner_fits({"myorg/my-runner"}, {"myorg/my-runner"}));
}

TEST_CASE("a queued job says why it waits only when no online runner fits it") {
    CHECK(waiting_reason({}, {}) == "no runner is online");
    CHECK(waiting_reason({"large"}, {}) == "no runner is online");
    CHECK_FALSE(waiting_reason({}, {{}}).has_value());
    CHECK(waiting_reason({"large"}, {{}, {"small"}}) == "no online runner has the label large");
    CHECK(waiting_reason({"machine", "large"}, {{"machine"}, {"large"}}) ==
          "no online runner has labels machine, large");
    CHECK_FALSE(waiting_reason({"machine", "large"}, {{"machine"}, {"large", "machine"}}));
}
