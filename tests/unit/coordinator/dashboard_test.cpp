// The dashboard's building blocks (docs/dashboard.md): escaping, pages that show hostile names
// as text, sessions stored as digests that end with their token, and the compiled-in files.

#include <catch2/catch.hpp>

#include "coordinator/store/session_store.h"
#include "coordinator/store/token_store.h"
#include "coordinator/web/html.h"
#include "coordinator/web/pages.h"
#include "coordinator/web/static_files.h"
#include "shared/crypto.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::string sessions_table(Database& db) {
    std::string all;
    auto query = db.prepare("SELECT digest, csrf FROM web_sessions");
    while (query.step()) all += query.text(0) + "|" + query.text(1) + "\n";
    return all;
}

}  // namespace

TEST_CASE("escape turns markup into text") {
    CHECK(web::escape("<script>alert('x') && \"y\"</script>") ==
          "&lt;script&gt;alert(&#39;x&#39;) &amp;&amp; &quot;y&quot;&lt;/script&gt;");
    CHECK(web::escape("plain ünïcode") == "plain ünïcode");
}

TEST_CASE("the pipeline list shows names from a push as text, and the log-in form its problem") {
    PipelineRow pipeline;
    pipeline.id = 7;
    pipeline.repo = "octo/<b>demo</b>";
    pipeline.ref = "refs/heads/x<script>alert(1)</script>";
    pipeline.sha = std::string(40, 'a');
    pipeline.trigger = "push";
    pipeline.status = PipelineState::running;
    pipeline.created_at = kNow;
    pipeline.started_at = kNow + 1000;
    const web::Viewer viewer{"eve\"><script>", Role::viewer, "c5rf"};
    const std::string html = web::pipelines_page({pipeline}, 1, viewer, kNow + 66'000);
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK_THAT(html, Catch::Contains("x&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK_THAT(html, Catch::Contains("eve&quot;&gt;&lt;script&gt; (viewer)"));
    CHECK_THAT(html, Catch::Contains("<td class=\"status running\">running</td>"));
    CHECK_THAT(html, Catch::Contains("<td>1m05s</td>"));  // the CLI's format_duration
    CHECK_THAT(html, Catch::Contains("<td class=\"sha\">aaaaaaa</td>"));
    CHECK_THAT(html, Catch::Contains("name=\"csrf\" value=\"c5rf\""));

    pipeline.pr_number = 12;
    CHECK_THAT(web::pipelines_page({pipeline}, 1, viewer, kNow), Catch::Contains("PR #12"));
    CHECK_THAT(web::pipelines_page({}, 0, viewer, kNow), Catch::Contains("No pipelines yet"));
    CHECK_THAT(web::login_page("<i>no</i>"), Catch::Contains("&lt;i&gt;no&lt;/i&gt;"));
}

TEST_CASE("a session acts as its token, is stored as a digest, and ends with it") {
    testing::Store store;
    auto alice = tokens::create(store.db, "alice", Role::trigger, "admin", kNow);
    const sessions::Started started = sessions::start(store.db, alice.row.id, kNow);
    CHECK(started.cookie.size() == 64);
    CHECK(started.csrf != started.cookie);
    CHECK(sessions_table(store.db).find(started.cookie) == std::string::npos);

    auto found = sessions::find(store.db, started.cookie, kNow + 1000);
    REQUIRE(found);
    CHECK(found->token_name == "alice");
    CHECK(found->role == Role::trigger);
    CHECK(found->csrf == started.csrf);
    CHECK_FALSE(sessions::find(store.db, started.cookie + "0", kNow));
    CHECK_FALSE(sessions::find(store.db, "", kNow));
    // Expired: gone from look-ups, and swept by the next start.
    CHECK_FALSE(sessions::find(store.db, started.cookie, kNow + sessions::kSessionLifetimeMs));
    const auto later = sessions::start(store.db, alice.row.id, kNow + sessions::kSessionLifetimeMs);
    CHECK(sessions_table(store.db).find(started.csrf) == std::string::npos);

    tokens::revoke(store.db, alice.row.id, kNow + sessions::kSessionLifetimeMs + 1);
    CHECK_FALSE(sessions::find(store.db, later.cookie, kNow + sessions::kSessionLifetimeMs + 2));

    auto bob = tokens::create(store.db, "bob", Role::viewer, "admin", kNow);
    const auto bobs = sessions::start(store.db, bob.row.id, kNow);
    sessions::end(store.db, bobs.cookie);
    CHECK_FALSE(sessions::find(store.db, bobs.cookie, kNow));
}

TEST_CASE("the stylesheet is compiled in, and files are served with their type") {
    auto css = web::find_static_file("fmg.css");
    REQUIRE(css);
    CHECK_THAT(std::string(css->bytes), Catch::Contains(".status.success"));
    CHECK(css->sha256 == fmg::crypto::sha256_hex(css->bytes));  // what the build computed
    CHECK(web::content_type_of("fmg.css") == "text/css; charset=utf-8");
    CHECK(web::content_type_of("live.js") == "text/javascript; charset=utf-8");
    CHECK(web::content_type_of("x.bin") == "application/octet-stream");
    CHECK_FALSE(web::find_static_file("../fmg.css"));
}
