#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "git_test_repo.h"
#include "shared/git/file_lock.h"

using fmg::git::FileLock;
using fmg::git_testing::TempDir;

namespace {

// Whether another open file description could take the lock right now, without waiting.
bool could_lock(const std::filesystem::path& path, int operation) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(fd >= 0);
    bool locked = ::flock(fd, operation | LOCK_NB) == 0;
    ::close(fd);
    return locked;
}

}  // namespace

TEST_CASE("an exclusive FileLock keeps every other holder out until it is released") {
    TempDir temp;
    const auto path = temp.path() / "mirror.lock";
    {
        auto lock = FileLock::acquire(path, FileLock::Mode::exclusive);
        REQUIRE(lock.ok());
        CHECK_FALSE(could_lock(path, LOCK_EX));
        CHECK_FALSE(could_lock(path, LOCK_SH));
        FileLock moved = std::move(lock.value());
        CHECK_FALSE(could_lock(path, LOCK_EX));
    }
    CHECK(could_lock(path, LOCK_EX));
}

TEST_CASE("shared FileLocks coexist and keep an exclusive holder out") {
    TempDir temp;
    const auto path = temp.path() / "mirror.lock";
    auto first = FileLock::acquire(path, FileLock::Mode::shared);
    auto second = FileLock::acquire(path, FileLock::Mode::shared);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(could_lock(path, LOCK_SH));
    CHECK_FALSE(could_lock(path, LOCK_EX));
}

TEST_CASE("FileLock fails with the path when the lock file cannot be created") {
    TempDir temp;
    auto lock = FileLock::acquire(temp.path() / "missing" / "x.lock", FileLock::Mode::shared);
    REQUIRE_FALSE(lock.ok());
    CHECK_THAT(lock.error().message, Catch::Contains("missing/x.lock"));
}
