#include "shared/safe_path.h"

#include <catch2/catch.hpp>

using fmg::tidy_path;
using fmg::unsafe_path_reason;

TEST_CASE("paths inside a directory are safe, every way out is named") {
    for (const char* safe : {"a", "out/app.bin", "reports/junit.xml", "a/..b/c..", ".hidden/x"}) {
        INFO(safe);
        CHECK_FALSE(unsafe_path_reason(safe));
    }
    CHECK(unsafe_path_reason("") == "it is empty");
    CHECK(unsafe_path_reason("/etc/passwd") == "it is absolute");
    CHECK(unsafe_path_reason("../x") == "it goes up a directory ('..')");
    CHECK(unsafe_path_reason("a/../../x") == "it goes up a directory ('..')");
    CHECK(unsafe_path_reason("a/..") == "it goes up a directory ('..')");
    CHECK(unsafe_path_reason("a//b") == "it has an empty part ('//' or a trailing '/')");
    CHECK(unsafe_path_reason("a/") == "it has an empty part ('//' or a trailing '/')");
    CHECK(unsafe_path_reason("./a") == "it has a '.' part");
    CHECK(unsafe_path_reason(std::string("a\0b", 3)) == "it holds a control character");
    CHECK(unsafe_path_reason("a\nb") == "it holds a control character");
}

TEST_CASE("tidy_path drops what does not change where a path leads") {
    CHECK(tidy_path("./out//a/") == "out/a");
    CHECK(tidy_path("out") == "out");
    CHECK(tidy_path("/tmp/./x/") == "/tmp/x");
    CHECK(tidy_path("a/../b") == "a/../b");  // '..' is not resolved: unsafe_path_reason says so
    CHECK(tidy_path(".") == "");
}
