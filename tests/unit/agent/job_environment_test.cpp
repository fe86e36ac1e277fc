// The variables a job's steps get: its secrets under the assign's environment.

#include "agent/job/job_environment.h"

#include <catch2/catch.hpp>

using namespace fmg;

TEST_CASE("a job's environment wins over its secrets where both name a variable") {
    protocol::Assign assign;
    assign.environment = {{"CI", "true"}, {"TOKEN", "from-job"}};
    assign.secrets = {{"TOKEN", "from-context"}, {"AWS_KEY", "AKIA0000"}};
    CHECK(agent::job_environment(assign) ==
          protocol::Environment{{"AWS_KEY", "AKIA0000"}, {"CI", "true"}, {"TOKEN", "from-job"}});
    CHECK(agent::secret_values(assign.secrets) ==
          std::vector<std::string>{"AKIA0000", "from-context"});
}
