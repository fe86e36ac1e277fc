// `circleci tests split`: its options, and that every mode's nodes together cover every name
// exactly once, each node computing the same partition.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/circleci/commands.h"
#include "agent/circleci/split.h"
#include "executor_test_support.h"

using namespace fmg::agent::circleci;
using fmg::agent::testing::TempWorkspace;

namespace {

using Names = std::vector<std::string>;

EnvironmentLookup environment_of(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](const char* name) -> const char* {
        auto found = variables.find(name);
        return found == variables.end() ? nullptr : found->second.c_str();
    };
}

SplitRequest parse(const Names& args, std::map<std::string, std::string> variables = {}) {
    auto parsed = parse_split_arguments(args, environment_of(std::move(variables)));
    if (auto* problem = std::get_if<std::string>(&parsed)) FAIL(*problem);
    return std::get<SplitRequest>(parsed);
}

std::string refusal(const Names& args, std::map<std::string, std::string> variables = {}) {
    auto parsed = parse_split_arguments(args, environment_of(std::move(variables)));
    auto* problem = std::get_if<std::string>(&parsed);
    REQUIRE(problem);
    return *problem;
}

// Every node's share, as each node computes it alone.
std::vector<Names> all_shares(const Names& names, std::size_t total, SplitBy by,
                              const FileSizeLookup& sizes) {
    std::vector<Names> shares;
    for (std::size_t index = 0; index < total; ++index) {
        SplitRequest request;
        request.by = by;
        request.index = index;
        request.total = total;
        shares.push_back(split_names(request, names, sizes).names);
    }
    return shares;
}

// Each name of `names` (duplicates dropped) is in exactly one share.
void check_covers_once(const Names& names, const std::vector<Names>& shares) {
    std::map<std::string, int> seen;
    for (const auto& share : shares) {
        for (const auto& name : share) ++seen[name];
    }
    std::set<std::string> distinct(names.begin(), names.end());
    CHECK(seen.size() == distinct.size());
    for (const auto& name : distinct) CHECK(seen[name] == 1);
}

FileSizeLookup sizes_of(std::map<std::string, std::uint64_t> sizes) {
    return [sizes = std::move(sizes)](const std::string& name) -> std::optional<std::uint64_t> {
        auto found = sizes.find(name);
        if (found == sizes.end()) return std::nullopt;
        return found->second;
    };
}

}  // namespace

TEST_CASE("split options: both flag forms, the node from CIRCLE_NODE_*, else 0 of 1",
          "[circleci]") {
    SplitRequest defaults = parse({});
    CHECK(defaults.by == SplitBy::name);
    CHECK(defaults.index == 0);
    CHECK(defaults.total == 1);
    CHECK_FALSE(defaults.file);

    SplitRequest given = parse({"--split-by=filesize", "--index", "2", "--total=3", "--show-counts",
                                "--timings-type", "classname", "list.txt"});
    CHECK(given.by == SplitBy::filesize);
    CHECK(given.index == 2);
    CHECK(given.total == 3);
    CHECK(given.show_counts);
    CHECK(given.timings_type == "classname");
    CHECK(*given.file == "list.txt");

    SplitRequest from_environment =
        parse({}, {{"CIRCLE_NODE_INDEX", "1"}, {"CIRCLE_NODE_TOTAL", "4"}});
    CHECK(from_environment.index == 1);
    CHECK(from_environment.total == 4);
    // Flags win over the environment.
    CHECK(parse({"--index=0"}, {{"CIRCLE_NODE_INDEX", "3"}, {"CIRCLE_NODE_TOTAL", "4"}}).index ==
          0);
}

TEST_CASE("split options: bad values are refused saying why", "[circleci]") {
    CHECK_THAT(refusal({"--split-by=size"}), Catch::Contains("name, filesize or timings"));
    CHECK_THAT(refusal({"--index=2", "--total=2"}), Catch::Contains("not below --total 2"));
    CHECK_THAT(refusal({"--total=0"}), Catch::Contains("--total must be a whole number"));
    CHECK_THAT(refusal({"--index=-1", "--total=2"}), Catch::Contains("--index must be"));
    CHECK_THAT(refusal({}, {{"CIRCLE_NODE_TOTAL", "two"}}), Catch::Contains("CIRCLE_NODE_TOTAL"));
    CHECK_THAT(refusal({"--timings-type=suite"}), Catch::Contains("--timings-type must be"));
    CHECK_THAT(refusal({"--verbose"}), Catch::Contains("unknown option --verbose"));
    CHECK_THAT(refusal({"--index"}), Catch::Contains("--index needs a value"));
    CHECK_THAT(refusal({"a.txt", "b.txt"}), Catch::Contains("at most one FILE"));
}

TEST_CASE("split by name: sorted contiguous blocks, the first ones one name longer", "[circleci]") {
    const Names names = {"e", "b", "a", "d", "c", "b"};  // a duplicate, unsorted
    CHECK(split_by_name(names, 0, 2) == Names{"a", "b", "c"});
    CHECK(split_by_name(names, 1, 2) == Names{"d", "e"});
    CHECK(split_by_name(names, 0, 1) == Names{"a", "b", "c", "d", "e"});
    CHECK(split_by_name(names, 0, 3) == Names{"a", "b"});
    CHECK(split_by_name(names, 1, 3) == Names{"c", "d"});
    CHECK(split_by_name(names, 2, 3) == Names{"e"});
    CHECK(split_by_name(names, 6, 7).empty());  // more nodes than names
    CHECK(split_by_name({}, 0, 2).empty());
}

TEST_CASE("split by file size: biggest first to the lightest node", "[circleci]") {
    auto sizes = sizes_of({{"big", 100}, {"mid", 60}, {"small", 50}, {"tiny", 10}});
    const Names names = {"tiny", "small", "mid", "big"};
    // big -> 0 (100); mid -> 1 (60); small -> 1 (110); tiny -> 0 (110).
    CHECK(split_by_filesize(names, 0, 2, sizes) == Names{"big", "tiny"});
    CHECK(split_by_filesize(names, 1, 2, sizes) == Names{"mid", "small"});
    // Names that are not files weigh nothing and are dealt out by count.
    auto none = sizes_of({});
    CHECK(split_by_filesize({"a", "b", "c", "d"}, 0, 2, none) == Names{"a", "c"});
    CHECK(split_by_filesize({"a", "b", "c", "d"}, 1, 2, none) == Names{"b", "d"});
}

TEST_CASE(
    "split: every mode's nodes together cover every name exactly once, the same way "
    "each time",
    "[circleci]") {
    Names names;
    std::map<std::string, std::uint64_t> sizes;
    for (int i = 0; i < 53; ++i) {
        std::string name = "spec/file_" + std::to_string(i * 7919 % 101) + "_spec.rb";
        names.push_back(name);
        sizes[name] = static_cast<std::uint64_t>((i * 37) % 11) * 100;
    }
    names.push_back(names.front());  // a duplicate is split once
    auto file_sizes = sizes_of(sizes);
    for (SplitBy by : {SplitBy::name, SplitBy::filesize, SplitBy::timings}) {
        for (std::size_t total : {1u, 2u, 3u, 7u, 60u}) {
            CAPTURE(static_cast<int>(by), total);
            auto shares = all_shares(names, total, by, file_sizes);
            check_covers_once(names, shares);
            CHECK(all_shares(names, total, by, file_sizes) == shares);  // deterministic
            Names shuffled(names.rbegin(), names.rend());  // input order does not matter
            CHECK(all_shares(shuffled, total, by, file_sizes) == shares);
        }
    }
}

TEST_CASE("split by timings: file size for files, else name, when no timing is known",
          "[circleci]") {
    SplitRequest request;
    request.by = SplitBy::timings;
    request.total = 2;
    auto sizes = sizes_of({{"big", 100}, {"mid", 60}, {"small", 50}, {"tiny", 10}});
    SplitResult files = split_names(request, {"tiny", "small", "mid", "big"}, sizes);
    CHECK(files.names == Names{"big", "tiny"});
    REQUIRE(files.notices.size() == 1);
    CHECK_THAT(files.notices[0],
               Catch::Contains("no timings of these names") && Catch::Contains("file size"));

    SplitResult classes = split_names(request, {"com.a.Test", "com.b.Test", "big"}, sizes);
    CHECK(classes.names == Names{"big", "com.a.Test"});
    REQUIRE(classes.notices.size() == 1);
    CHECK_THAT(classes.notices[0], Catch::Contains("splitting by name"));
}

TEST_CASE("split by timings: an earlier run's durations, longest first to the idlest node",
          "[circleci]") {
    // Files a 10 s, d 8 s, b and c 1 s: node 0 gets a, node 1 d then b then c (9 s, 10 s).
    SplitRequest request;
    request.by = SplitBy::timings;
    request.total = 2;
    request.timings = parse_test_timings(
        "file\ttests/a.py\t10000\nfile\t./tests/d.py\t8000\nfile\ttests/b.py\t1000\n"
        "file\ttests/c.py\t1000\nclassname\ttests.a\t10000\nnot a line\nfile\tx\t-5\n");
    CHECK(request.timings.by_file.size() == 4);
    CHECK(request.timings.by_file.at("tests/d.py") == 8000);  // "./" dropped
    CHECK(request.timings.by_class.at("tests.a") == 10000);
    auto sizes = sizes_of({});
    const Names names{"tests/b.py", "tests/c.py", "./tests/a.py", "tests/d.py"};
    SplitResult first = split_names(request, names, sizes);
    CHECK(first.names == Names{"./tests/a.py"});
    CHECK(first.notices.empty());
    request.index = 1;
    CHECK(split_names(request, names, sizes).names ==
          Names{"tests/b.py", "tests/c.py", "tests/d.py"});

    // A new file has no timing: it counts as the average (5 s), and the node says so.
    request.index = 0;
    SplitResult with_new = split_names(request, {"tests/a.py", "tests/new.py"}, sizes);
    CHECK(with_new.names == Names{"tests/a.py"});
    REQUIRE(with_new.notices.size() == 1);
    CHECK_THAT(with_new.notices[0], Catch::Contains("1 of 2 names have no timing") &&
                                        Catch::Contains("average, 10000 ms"));

    // The timings come from the job's environment.
    CHECK(parse({"--split-by=timings"}, {{"FMG_TEST_TIMINGS", "file\tspec/a.rb\t42\n"}})
              .timings.by_file.at("spec/a.rb") == 42);
    CHECK(parse({"--split-by=timings"}).timings.by_file.empty());

    // By class.
    request.timings_type = "classname";
    request.timings = parse_test_timings(
        "classname\tcom.Slow\t9000\nclassname\tcom.A\t1000\nclassname\tcom.B\t1000\n");
    CHECK(split_names(request, {"com.A", "com.B", "com.Slow"}, sizes).names == Names{"com.Slow"});
}

TEST_CASE("split command: names from stdin or FILE, whitespace-separated, counts on stderr",
          "[circleci]") {
    TempWorkspace directory;
    std::ofstream(directory.path() / "list.txt") << "c.txt  a.txt\nb.txt\n\n d.txt\n";
    std::istringstream in("z y\nx\n");
    std::ostringstream out;
    std::ostringstream err;
    CommandContext context{"circleci",
                           in,
                           out,
                           err,
                           environment_of({{"CIRCLE_NODE_INDEX", "1"}, {"CIRCLE_NODE_TOTAL", "2"}}),
                           directory.path()};
    CHECK(run_command({"tests", "split"}, context) == kCommandOk);
    CHECK(out.str() == "z\n");  // x y | z
    out.str("");
    CHECK(run_command({"tests", "split", "--show-counts", "list.txt"}, context) == kCommandOk);
    CHECK(out.str() == "c.txt\nd.txt\n");
    CHECK(err.str() == "circleci tests split: node 1 of 2: 2 of 4 names\n");
    err.str("");
    CHECK(run_command({"tests", "split", "missing.txt"}, context) == kCommandFailed);
    CHECK_THAT(err.str(), Catch::Contains("cannot read missing.txt"));
    err.str("");
    CHECK(run_command({"tests", "split", "--index=5"}, context) == kCommandUsage);
    CHECK_THAT(err.str(), Catch::Contains("--index 5 is not below CIRCLE_NODE_TOTAL 2"));
}

TEST_CASE("commands: step halt appends to the halt file, and unknown commands say what exists",
          "[circleci]") {
    TempWorkspace directory;
    const auto halt = directory.path() / "halt";
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    const std::string halt_path = halt.string();
    CommandContext context{"circleci-agent",
                           in,
                           out,
                           err,
                           [&halt_path](const char* name) -> const char* {
                               return std::string(name) == "FMG_HALT_FILE" ? halt_path.c_str()
                                                                           : nullptr;
                           },
                           directory.path()};
    CHECK(run_command({"step", "halt"}, context) == kCommandOk);
    std::ifstream written(halt);
    std::string line;
    CHECK(std::getline(written, line));
    CHECK(line == "halt");

    CHECK(run_command({"config", "validate"}, context) == kCommandUsage);
    CHECK_THAT(err.str(), Catch::Contains("'config validate' is not a command fmg provides") &&
                              Catch::Contains("circleci-agent tests glob PATTERN"));

    std::ostringstream outside_err;
    CommandContext outside{
        "circleci",      in, out, outside_err, [](const char*) -> const char* { return nullptr; },
        directory.path()};
    CHECK(run_command({"step", "halt"}, outside) == kCommandFailed);
    CHECK_THAT(outside_err.str(), Catch::Contains("FMG_HALT_FILE is not set"));
}
