// Leftover workspaces of an earlier agent process are removed at start.

#include "agent/job/workspaces.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

namespace fs = std::filesystem;
using namespace fmg::agent;

TEST_CASE("an agent start removes every workspace an earlier process left, and only those") {
    const fs::path work_dir =
        fs::temp_directory_path() / ("fmg-workspaces-" + std::to_string(::getpid()));
    fs::remove_all(work_dir);
    CHECK(remove_leftover_workspaces(work_dir) == 0);  // no workspaces dir yet

    const fs::path workspaces = workspaces_directory(work_dir);
    fs::create_directories(workspaces / "attempt-7" / "src");
    std::ofstream(workspaces / "attempt-7" / "src" / "holding") << "x";
    fs::create_directories(workspaces / "attempt-9");
    fs::create_directories(work_dir / "mirrors" / "repo.git");

    CHECK(remove_leftover_workspaces(work_dir) == 2);
    CHECK(fs::is_empty(workspaces));
    CHECK(fs::exists(work_dir / "mirrors" / "repo.git"));  // the git cache stays
    fs::remove_all(work_dir);
}
