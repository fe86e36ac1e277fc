// The validators of values that reach GitHub API URLs and fetches (coordinator/github/names.h)
// and the encoding of API paths (coordinator/github/api_paths.h).

#include <catch2/catch.hpp>

#include "coordinator/github/api_paths.h"
#include "coordinator/github/names.h"

using namespace fmg::coordinator::github;

TEST_CASE("a commit sha is exactly 40 hex digits") {
    CHECK(is_commit_sha("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"));
    CHECK(is_commit_sha("0D1A26E67D8F5EAF1F6BA5C57FC3C7D91AC0FD1C"));
    CHECK_FALSE(is_commit_sha(""));
    CHECK_FALSE(is_commit_sha("0d1a26e"));
    CHECK_FALSE(is_commit_sha("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c0"));
    CHECK_FALSE(is_commit_sha("../../../../user/keys?x="));
    CHECK_FALSE(is_commit_sha("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1/"));
}

TEST_CASE("owner/name must be GitHub names") {
    CHECK_FALSE(full_name_problem("octo/demo"));
    CHECK_FALSE(full_name_problem("Octo-Org/my_repo.js"));
    CHECK_FALSE(full_name_problem("a/.github"));
    CHECK(full_name_problem("octo"));
    CHECK(full_name_problem("octo/"));
    CHECK(full_name_problem("/demo"));
    CHECK(full_name_problem("octo/.."));
    CHECK(full_name_problem("../demo"));
    CHECK(full_name_problem("octo/./"));
    CHECK(full_name_problem("octo/../../user/keys"));
    CHECK(full_name_problem("octo/x?y=1"));
    CHECK(full_name_problem("octo/x#y"));
    CHECK(full_name_problem("octo/x%2F"));
    CHECK(full_name_problem("oc to/x"));
    CHECK(full_name_problem(std::string(40, 'o') + "/x"));
    CHECK_FALSE(full_name_problem(std::string(39, 'o') + "/" + std::string(100, 'n')));
    CHECK(full_name_problem("o/" + std::string(101, 'n')));
}

TEST_CASE("refs follow git's ref-name rules") {
    for (const char* good : {"refs/heads/main", "refs/heads/feature/x-1", "refs/tags/v1.2.3",
                             "refs/heads/a@b", "refs/heads/ünïcode"}) {
        INFO(good);
        CHECK_FALSE(ref_problem(good));
    }
    for (const char* bad :
         {"", "refs/heads/a..b", "refs/heads/a b", "refs/heads/a~1", "refs/heads/a^",
          "refs/heads/a:b", "refs/heads/a?", "refs/heads/a*", "refs/heads/a[", "refs/heads/a\\b",
          "refs/heads/.hidden", "refs/heads/x.lock", "refs/heads//x", "refs/heads/x/",
          "refs/heads/x.", "refs/heads/a@{1}", "@", "refs/heads/a\nb", "refs/heads/a\x7f"}) {
        INFO(bad);
        CHECK(ref_problem(bad));
    }
    CHECK_FALSE(ref_problem("refs/heads/" + std::string(244, 'a')));
    CHECK(ref_problem("refs/heads/" + std::string(245, 'a')));
}

TEST_CASE("repo_url: https, http, ssh or git URLs without credentials") {
    for (const char* good :
         {"https://github.com/octo/demo.git", "http://127.0.0.1:8080/octo/demo.git",
          "ssh://git@github.com/octo/demo.git", "git@github.com:octo/demo.git",
          "git://example.com/octo/demo.git"}) {
        INFO(good);
        CHECK_FALSE(repo_url_problem(good));
    }
    for (const char* bad :
         {"", "/var/lib/repo", "file:///etc", "ftp://example.com/o/r",
          "https://x-access-token:ghs_1@github.com/o/r.git", "https://ghs_1@github.com/o/r.git",
          "ssh://git:password@github.com/o/r.git", "https://github.com/o/r .git",
          "https://github.com/o/r\n.git", "relative/path"}) {
        INFO(bad);
        CHECK(repo_url_problem(bad));
    }
    CHECK(repo_url_problem("https://github.com/" + std::string(2100, 'a')));
}

TEST_CASE("status paths percent-encode every part") {
    CHECK(status_path("", "octo/demo", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c") ==
          "/repos/octo/demo/statuses/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    CHECK(status_path("/api/v3", "octo/demo", "abc") == "/api/v3/repos/octo/demo/statuses/abc");
    CHECK(status_path("/api/v3/", "octo/demo", "abc") == "/api/v3/repos/octo/demo/statuses/abc");
    // The value that was once sent as /repos/octo/x/statuses/../../../../user/keys?x=
    CHECK(status_path("", "octo/x", "../../../../user/keys?x=") ==
          "/repos/octo/x/statuses/..%2F..%2F..%2F..%2Fuser%2Fkeys%3Fx%3D");
    CHECK(status_path("", "octo/a/b", "s") == "/repos/octo/a%2Fb/statuses/s");
    CHECK(encode_path_segment("a b#c%d@e:f&g") == "a%20b%23c%25d%40e%3Af%26g");
    CHECK(encode_path_segment("Az09-._~") == "Az09-._~");
}
