#pragma once
// Shared by the log store tests: a migrated database with one running attempt, the logs
// directory, and readers of what the store wrote.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "coordinator/logs/log_notifier.h"
#include "coordinator/logs/log_store.h"
#include "coordinator/logs/log_view.h"
#include "tests/unit/coordinator/store_fixture.h"

namespace fmg::coordinator::testing {

inline std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A store with one running attempt whose log the tests write.
struct LogFixture {
    Store store;
    LogNotifier notifier;
    std::filesystem::path logs_dir = store.dir.path() / "logs";
    AttemptId attempt = 0;

    LogFixture() {
        PipelineId pipeline = add_pipeline(store.db);
        JobId job = add_job(store.db, pipeline, "build", 0);
        attempt = start_job(store.db, job, add_runner(store.db, "runner-1"), kT0);
    }
    std::filesystem::path file() const { return LogStore::file_of(logs_dir, attempt); }

    /// The attempt's log from `offset` as the REST API serves it now.
    std::string read_log(int64_t offset = 0) {
        auto view = LogView::open(logs_dir, attempt_row(store.db, attempt), store.db);
        REQUIRE(view.has_value());
        std::ostringstream out;
        CHECK(view->copy(offset, out) == view->size());
        return out.str();
    }
};

}  // namespace fmg::coordinator::testing
