#pragma once
// Test results (store_test_results; docs/files.md): named operations on `test_result_files`
// and `test_cases`. The JUnit files themselves are blobs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/domain/test_timings.h"
#include "coordinator/files/junit.h"
#include "coordinator/store/database.h"

namespace fmg::coordinator::test_results {

struct NewFile {
    int64_t attempt_id = 0;
    uint64_t upload_id = 0;
    std::string path;  // its name in the job, for people
    std::string sha256;
    int64_t size = 0;
};

/// Records a stored JUnit file, its blob and its test cases, in one transaction.
void record(Database& db, const NewFile& file, const std::vector<TestCase>& cases, int64_t now);

/// Whether the attempt's upload `upload_id` was recorded as test results.
bool upload_recorded(Database& db, int64_t attempt_id, uint64_t upload_id);

struct Failure {
    std::string name;
    std::string classname;
    std::string message;
};

struct Summary {
    int64_t total = 0;
    int64_t failed = 0;
    int64_t skipped = 0;
    std::vector<Failure> failures;  // at most kMaxListedFailures, by class and name
};

/// How many failures a summary lists (the counts are always whole).
inline constexpr int64_t kMaxListedFailures = 100;

/// The tests the attempt reported; nothing when it stored no test results.
std::optional<Summary> summary_of(Database& db, int64_t attempt_id);

/// The test cases of the newest pipeline of `repo` before `before_pipeline` in which the job
/// `job` (or its parallel nodes, `job[0]`...) reported test results, from its jobs' current
/// attempts; nothing when there is none.
std::vector<TimedTest> latest_timings(Database& db, const std::string& repo, const std::string& job,
                                      int64_t before_pipeline);

}  // namespace fmg::coordinator::test_results
