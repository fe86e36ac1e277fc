#pragma once
// `circleci tests split`: the share of one node (of a job's parallel copies) of a list of test
// names. Every node runs the same command on the same list and computes the same partition,
// so together they cover every name exactly once:
// - by name: the names sorted bytewise, duplicates dropped, cut into `total` contiguous
//   blocks in order; each block has n / total names and the first n % total blocks one more
//   (5 names on 2 nodes: node 0 gets the first 3, node 1 the last 2);
// - by file size: biggest file first (equal sizes by name), each to the node with the fewest
//   bytes so far, then the fewest names, then the lowest index; a name that is not a regular
//   file weighs 0 bytes. A node prints its names sorted;
// - by timings: the durations the job's newest earlier run reported in its JUnit results
//   (the coordinator hands them over in FMG_TEST_TIMINGS, coordinator/domain/test_timings.h),
//   per file (--timings-type=filename, the default) or class (classname); longest first, each
//   to the node with the least time so far, as by file size. A name without a timing counts
//   as the average of those with one. With no timing for any name (a first run), it splits by
//   file size when every name is a regular file, else by name, and says so on stderr.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fmg::agent::circleci {

enum class SplitBy { name, filesize, timings };

/// What FMG_TEST_TIMINGS holds: milliseconds per file and per class.
struct TestTimings {
    std::map<std::string, std::int64_t> by_file;
    std::map<std::string, std::int64_t> by_class;
};

/// Reads FMG_TEST_TIMINGS's lines `file|classname<TAB>NAME<TAB>MS`; other lines are skipped.
/// File names lose a leading "./".
TestTimings parse_test_timings(std::string_view value);

/// What `circleci tests split ARGS...` asks for.
struct SplitRequest {
    SplitBy by = SplitBy::name;
    std::size_t index = 0;  // this node, from 0
    std::size_t total = 1;  // how many nodes
    std::string timings_type = "filename";
    bool show_counts = false;         // print this node's count to stderr
    std::optional<std::string> file;  // the names' file; stdin when absent
    TestTimings timings;              // from FMG_TEST_TIMINGS; empty when unset
};

/// Looks a variable up in the environment (nullptr: unset).
using EnvironmentLookup = std::function<const char*(const char*)>;

/// Parses the arguments after `tests split`: --split-by=name|filesize|timings, --index N,
/// --total N, --timings-type=filename|classname|testname|autodetect, --timings-file FILE
/// (accepted, unused), --show-counts, and at most one FILE; `--flag value` and
/// `--flag=value` both work. --index and --total default to CIRCLE_NODE_INDEX and
/// CIRCLE_NODE_TOTAL, else 0 and 1. Returns the request, or the reason it is refused.
std::variant<SplitRequest, std::string> parse_split_arguments(const std::vector<std::string>& args,
                                                              const EnvironmentLookup& environment);

/// The names in `input`, separated by any whitespace (one a line, or several on one).
std::vector<std::string> read_names(std::istream& input);

/// Node `index`'s block of `names` (sorted, without duplicates) when split by name.
std::vector<std::string> split_by_name(std::vector<std::string> names, std::size_t index,
                                       std::size_t total);

/// A name's size in bytes when it is a regular file, else nullopt.
using FileSizeLookup = std::function<std::optional<std::uint64_t>(const std::string&)>;

/// Node `index`'s names (sorted) when split by file size.
std::vector<std::string> split_by_filesize(std::vector<std::string> names, std::size_t index,
                                           std::size_t total, const FileSizeLookup& file_size);

/// Node `index`'s names (sorted) when each name weighs `weight` (milliseconds, bytes):
/// heaviest first, each to the node with the least weight so far, then the fewest names,
/// then the lowest index.
std::vector<std::string> split_by_weight(
    std::vector<std::string> names, std::size_t index, std::size_t total,
    const std::function<std::uint64_t(const std::string&)>& weight);

/// What a node prints: its names, and the lines for stderr (how --split-by=timings was
/// served, --show-counts).
struct SplitResult {
    std::vector<std::string> names;
    std::vector<std::string> notices;
};

/// Splits `names` as `request` says.
SplitResult split_names(const SplitRequest& request, const std::vector<std::string>& names,
                        const FileSizeLookup& file_size);

}  // namespace fmg::agent::circleci
