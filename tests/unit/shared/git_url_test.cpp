#include <catch2/catch.hpp>

#include "shared/git/url.h"

using namespace fmg::git;

TEST_CASE("classify_url accepts the transports fmg fetches from") {
    CHECK(*classify_url("https://github.com/octo/repo.git") == UrlKind::http);
    CHECK(*classify_url("http://git.example.com/repo") == UrlKind::http);
    CHECK(*classify_url("file:///srv/git/repo.git") == UrlKind::file);
    CHECK(*classify_url("/srv/git/repo.git") == UrlKind::local_path);
    CHECK(*classify_url("git://example.com/repo.git") == UrlKind::git);
    CHECK(*classify_url("ssh://git@example.com:2222/octo/repo.git") == UrlKind::ssh);
    CHECK(*classify_url("git+ssh://example.com/repo") == UrlKind::ssh);
    CHECK(*classify_url("git@github.com:octo/repo.git") == UrlKind::ssh);
}

TEST_CASE("classify_url refuses what it cannot fetch, without echoing credentials") {
    CHECK_FALSE(classify_url("").ok());
    CHECK_FALSE(classify_url("relative/repo").ok());
    CHECK_FALSE(classify_url("./repo").ok());
    CHECK_FALSE(classify_url("file://relative/repo").ok());
    CHECK_FALSE(classify_url("https:///no-host").ok());
    auto refused = classify_url("ftp://user:hunter2@example.com/repo");
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("ftp"));
    CHECK_THAT(refused.error().message, !Catch::Contains("hunter2"));
}

TEST_CASE("strip_credentials removes user info from http URLs and passwords from ssh URLs") {
    CHECK(strip_credentials("https://user:secret@127.0.0.1:1/x.git") ==
          "https://127.0.0.1:1/x.git");
    // GitHub accepts a token as the user name alone, so the whole user info goes.
    CHECK(strip_credentials("https://ghp_token@github.com/o/r.git") ==
          "https://github.com/o/r.git");
    CHECK(strip_credentials("ssh://git:pw@example.com/r.git") == "ssh://git@example.com/r.git");
    CHECK(strip_credentials("ssh://git@example.com/r.git") == "ssh://git@example.com/r.git");
    CHECK(strip_credentials("git@github.com:o/r.git") == "git@github.com:o/r.git");
    CHECK(strip_credentials("/srv/repo.git") == "/srv/repo.git");
    // A password with an unescaped '@' still goes entirely.
    CHECK(strip_credentials("https://u:p@ss@host/r") == "https://host/r");
}

TEST_CASE("strip_credentials cleans every URL inside free text") {
    CHECK(strip_credentials("failed to fetch 'https://a:b@h1/r' via http://c@h2/s: 401") ==
          "failed to fetch 'https://h1/r' via http://h2/s: 401");
    CHECK(strip_credentials("no URL here: user@host") == "no URL here: user@host");
}

TEST_CASE("mirror_dir_name is stable per URL, distinct across URLs, readable, secret-free") {
    auto name = mirror_dir_name("https://github.com/octo/widget.git");
    CHECK(name == mirror_dir_name("https://github.com/octo/widget.git"));
    CHECK(name != mirror_dir_name("https://github.com/other/widget.git"));
    CHECK_THAT(name, Catch::EndsWith("-widget.git"));
    CHECK(name.size() == 64 + std::string("-widget.git").size());

    CHECK_THAT(mirror_dir_name("git@github.com:octo/gadget.git"), Catch::EndsWith("-gadget.git"));
    CHECK_THAT(mirror_dir_name("/srv/git/tool/"), Catch::EndsWith("-tool.git"));
    CHECK_THAT(mirror_dir_name("https://user:secret@example.com"), Catch::EndsWith("-repo.git"));
    CHECK_THAT(mirror_dir_name("https://user:secret@example.com"), !Catch::Contains("secret"));
    CHECK_THAT(mirror_dir_name("https://example.com/a b$c"), Catch::EndsWith("-a_b_c.git"));
    // A rotated token keeps using the same mirror.
    CHECK(mirror_dir_name("https://x-access-token:old@github.com/o/r.git") ==
          mirror_dir_name("https://x-access-token:new@github.com/o/r.git"));
    CHECK(mirror_dir_name("https://x-access-token:old@github.com/o/r.git") ==
          mirror_dir_name("https://github.com/o/r.git"));
}

TEST_CASE("ssh_port reads the port of ssh:// URLs and defaults to 22") {
    CHECK(ssh_port("ssh://git@example.com:2222/o/r.git") == 2222);
    CHECK(ssh_port("ssh://example.com/o/r.git") == 22);
    CHECK(ssh_port("ssh://git:pw@[::1]:2200/r") == 2200);
    CHECK(ssh_port("ssh://git@[::1]/r") == 22);
    CHECK(ssh_port("git@github.com:o/r.git") == 22);
    CHECK(ssh_port("ssh://example.com:99999/r") == 22);
}
