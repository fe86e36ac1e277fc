// The dashboard's first pages over HTTP, through the real coordinator (docs/dashboard.md): a
// browser without a session is sent to /login; a token logs in and gets a session cookie that
// is HttpOnly and SameSite=Strict; the pipeline list shows a pushed pipeline with a branch name
// holding a script as text; a log-in from another site, a log-out without the session's CSRF
// value and a revoked token's session are refused; the stylesheet is compiled in.

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tests/support/browser.h"
#include "tests/support/cluster.h"
#include "tests/support/http_client.h"

using namespace fmg::testing;

namespace {

/// The `fmg_session=VALUE` part of a Set-Cookie header.
std::string cookie_pair(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
}

/// A form field's value in `html`: the value attribute after `name="NAME"`.
std::string field_value(const std::string& html, const std::string& name) {
    const size_t at = html.find("name=\"" + name + "\" value=\"");
    if (at == std::string::npos) return {};
    const size_t start = at + name.size() + 15;
    return html.substr(start, html.find('"', start) - start);
}

/// Pushes a one-job pipeline on branch `branch`; its id.
int64_t push_branch(const Cluster& cluster, const std::string& branch) {
    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n  build:\n    machine: true\n    steps:\n"
        "      - run: echo hi\n");
    return cluster.push(repo, repo.commit("Build"), "refs/heads/" + branch);
}

std::string new_token(const Cluster& cluster, const std::string& name, const std::string& role) {
    const CommandResult created = cluster.fmg({"token", "create", name, "--role", role});
    REQUIRE(created.ok());
    return created.out.substr(0, created.out.find('\n'));
}

}  // namespace

TEST_CASE("e2e: a token logs in to the dashboard, whose pipeline list shows a script as text") {
    Cluster cluster;
    const HttpClient browser(cluster.server_url());
    const std::string viewer = new_token(cluster, "alice", "viewer");

    const HttpResponse anonymous = browser.get("/");
    CHECK(anonymous.status == 303);
    CHECK(anonymous.header("Location") == "/login");
    const HttpResponse form = browser.get("/login");
    CHECK(form.status == 200);
    CHECK_THAT(form.content_type, Catch::StartsWith("text/html"));
    CHECK_THAT(form.body, Catch::Contains("<form method=\"post\" action=\"/login\">"));

    const Headers form_post = {{"Content-Type", "application/x-www-form-urlencoded"}};
    const HttpResponse wrong = browser.request("POST", "/login", "token=fmg_nope", form_post);
    CHECK(wrong.status == 401);
    CHECK_THAT(wrong.body, Catch::Contains("that token is unknown or revoked"));
    CHECK(wrong.header("Set-Cookie").empty());

    Headers from_elsewhere = form_post;
    from_elsewhere.emplace_back("Origin", "http://evil.example");
    CHECK(browser.request("POST", "/login", "token=" + viewer, from_elsewhere).status == 403);

    // What a browser sends from the log-in page: its own origin, the --public-url.
    Headers from_here = form_post;
    from_here.emplace_back("Origin", cluster.server_url());
    const HttpResponse logged_in = browser.request("POST", "/login", "token=" + viewer, from_here);
    REQUIRE(logged_in.status == 303);
    CHECK(logged_in.header("Location") == "/");
    const std::string set_cookie = logged_in.header("Set-Cookie");
    CHECK_THAT(set_cookie, Catch::StartsWith("fmg_session=") && Catch::Contains("; HttpOnly") &&
                               Catch::Contains("; SameSite=Strict") && Catch::Contains("; Path=/"));
    CHECK_THAT(set_cookie, !Catch::Contains("Secure"));  // plain HTTP here
    const Headers session = {{"Cookie", cookie_pair(set_cookie)}};

    // A branch whose name is a script: GitHub allows it, and the page shows it as text.
    const std::string branch = "x<script>alert(1)</script>";
    const int64_t id = push_branch(cluster, branch);
    const HttpResponse list = browser.request("GET", "/", "", session);
    REQUIRE(list.status == 200);
    CHECK_THAT(list.body, Catch::Contains("<tr data-id=\"" + std::to_string(id) + "\">"));
    CHECK_THAT(list.body, Catch::Contains("octo/demo"));
    CHECK_THAT(list.body, Catch::Contains("x&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(list.body.find("<script>alert") == std::string::npos);
    CHECK_THAT(list.body, Catch::Contains("alice (viewer)"));
    CHECK(list.header("Cache-Control") == "no-store");
    CHECK_THAT(list.header("Content-Security-Policy"), Catch::Contains("default-src 'self'"));

    // Log-out needs the session's CSRF value.
    CHECK(browser
              .request("POST", "/logout", "csrf=forged",
                       [&] {
                           Headers headers = session;
                           headers.insert(headers.end(), form_post.begin(), form_post.end());
                           return headers;
                       }())
              .status == 403);
    CHECK(browser.request("GET", "/", "", session).status == 200);  // still logged in
    Headers logout = session;
    logout.insert(logout.end(), form_post.begin(), form_post.end());
    const HttpResponse out =
        browser.request("POST", "/logout", "csrf=" + field_value(list.body, "csrf"), logout);
    CHECK(out.status == 303);
    CHECK(out.header("Location") == "/login");
    CHECK_THAT(out.header("Set-Cookie"), Catch::Contains("Max-Age=0"));
    CHECK(browser.request("GET", "/", "", session).status == 303);

    // A revoked token's sessions end with it.
    const HttpResponse again = browser.request("POST", "/login", "token=" + viewer, form_post);
    const Headers second = {{"Cookie", cookie_pair(again.header("Set-Cookie"))}};
    CHECK(browser.request("GET", "/", "", second).status == 200);
    const CommandResult listed = cluster.fmg({"token", "list"});  // "2: alice [viewer] ..."
    const size_t line = listed.out.rfind('\n', listed.out.find(": alice")) + 1;
    const std::string alice_id = listed.out.substr(line, listed.out.find(':', line) - line);
    REQUIRE(cluster.fmg({"token", "revoke", alice_id}).ok());
    CHECK(browser.request("GET", "/", "", second).status == 303);
}

TEST_CASE("e2e: the dashboard's stylesheet is in the coordinator, with an ETag") {
    Cluster cluster;
    const HttpClient browser(cluster.server_url());
    const HttpResponse css = browser.get("/static/fmg.css");
    REQUIRE(css.status == 200);
    CHECK_THAT(css.content_type, Catch::StartsWith("text/css"));
    CHECK_THAT(css.body, Catch::Contains(".status.success"));
    const std::string etag = css.header("ETag");
    CHECK(etag.size() == 66);  // a quoted SHA-256
    CHECK(browser.request("GET", "/static/fmg.css", "", {{"If-None-Match", etag}}).status == 304);
    CHECK(browser.get("/static/nope.js").status == 404);
    CHECK(browser.get("/static/../fmg.db").status == 404);
}

TEST_CASE("browser: log in through the form, and the pipeline list shows a script as text") {
    Cluster cluster;
    const std::string branch = "x<script>window.injected=1</script>";
    const int64_t id = push_branch(cluster, branch);
    const std::string viewer = new_token(cluster, "alice", "viewer");

    Browser browser(cluster.dir().path() / "browser");
    browser.open(cluster.server_url() + "/");
    CHECK(browser.evaluate("location.pathname") == "/login");  // sent to log in
    browser.evaluate("document.querySelector('input[name=token]').value = '" + viewer +
                     "'; document.querySelector('form').submit(); true");
    browser.wait_for("location.pathname === '/' && document.querySelector('#pipelines')",
                     "the pipeline list after logging in");
    CHECK(browser.evaluate("document.querySelector('tr[data-id=\"" + std::to_string(id) +
                           "\"] .ref').textContent") == branch);
    CHECK(browser.evaluate("String(window.injected)") == "undefined");  // it never ran
    CHECK(browser.evaluate("document.querySelectorAll('script').length") == "0");
    CHECK(browser.evaluate("document.querySelector('.who').textContent") == "alice (viewer)");
    // The stylesheet applied: the header has its background.
    CHECK(browser.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") ==
          "rgb(246, 248, 250)");
    browser.screenshot(cluster.dir().path() / "browser" / "pipelines.png");
    if (const char* keep = std::getenv("FMG_SCREENSHOT_DIR")) {  // docs/screenshots
        browser.screenshot(std::filesystem::path(keep) / "pipelines.png");
    }

    // Log out with the button: the session ends.
    browser.evaluate("document.querySelector('header form').submit(); true");
    browser.wait_for("location.pathname === '/login'", "the log-in page after logging out");
    browser.open(cluster.server_url() + "/");
    CHECK(browser.evaluate("location.pathname") == "/login");
}
