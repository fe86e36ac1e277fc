// Dispatch by runner labels, driven in process: a job goes only to a runner that carries
// every label it needs, the jobs queued behind it go on meanwhile, and the API says why it
// waits until such a runner comes online.

#include <catch2/catch.hpp>

#include "coordinator/http/json_views.h"
#include "tests/unit/coordinator/agent_loop_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

JobId add_labelled_job(Database& db, PipelineId pipeline, const std::string& name, int64_t position,
                       std::vector<std::string> labels) {
    return pipelines::insert_job(db, pipeline,
                                 {.name = name,
                                  .position = position,
                                  .status = JobState::queued,
                                  .required_jobs = {},
                                  .spec = sample_spec(),
                                  .needed_labels = std::move(labels)},
                                 kT0);
}

/// The API's job object of `name` in the pipeline.
Poco::JSON::Object::Ptr job_view(Database& db, PipelineId pipeline, const std::string& name) {
    auto object = http::pipeline_json(db, pipeline_row(db, pipeline), true);
    auto jobs = object->getArray("jobs");
    for (size_t i = 0; i < jobs->size(); ++i) {
        auto job = jobs->getObject(static_cast<unsigned>(i));
        if (job->getValue<std::string>("name") == name) return job;
    }
    FAIL("no job " << name);
    return nullptr;
}

}  // namespace

TEST_CASE("a labelled job waits for a runner with its labels while the jobs behind it run",
          "[agent-loop]") {
    LoopFixture fixture;
    const PipelineId pipeline = add_pipeline(fixture.store.db);
    add_labelled_job(fixture.store.db, pipeline, "big", 0, {"machine", "large"});
    add_labelled_job(fixture.store.db, pipeline, "small", 1, {});
    fixture.start();

    // No runner online: both wait, and say so.
    CHECK(job_view(fixture.store.db, pipeline, "big")->getValue<std::string>("waiting_reason") ==
          "no runner is online");
    CHECK(job_view(fixture.store.db, pipeline, "big")->getArray("labels")->size() == 2);

    // A runner with only one of the two labels takes the job behind, not the first.
    Peer plain = fixture.connect("plain");
    plain.send(protocol::Hello{"plain-01", kVersion, 2, {"machine"}, {}});
    fixture.next_of<protocol::Welcome>(plain);
    auto assign = fixture.next_of<protocol::Assign>(plain);
    CHECK(assign.job_name == "small");
    plain.send(protocol::Accepted{assign.attempt_id});
    fixture.step_until([&] {
        return attempt_row(fixture.store.db, assign.attempt_id).status == AttemptState::running;
    });
    CHECK(job_named(fixture.store.db, pipeline, "big").status == JobState::queued);
    auto big = job_view(fixture.store.db, pipeline, "big");
    CHECK(big->getValue<std::string>("waiting_reason") ==
          "no online runner has labels machine, large");
    CHECK(job_view(fixture.store.db, pipeline, "small")->isNull("waiting_reason"));

    // A runner with both comes online and gets it at once.
    Peer labelled = fixture.connect("labelled");
    labelled.send(protocol::Hello{"big-01", kVersion, 1, {"large", "machine", "gpu"}, {}});
    fixture.next_of<protocol::Welcome>(labelled);
    CHECK(fixture.next_of<protocol::Assign>(labelled).job_name == "big");
    CHECK(job_named(fixture.store.db, pipeline, "big").status == JobState::running);
    CHECK(job_view(fixture.store.db, pipeline, "big")->isNull("waiting_reason"));
}

TEST_CASE("jobs no free runner fits do not hold back the queue, however many", "[agent-loop]") {
    LoopFixture fixture;
    const PipelineId pipeline = add_pipeline(fixture.store.db);
    // More waiting jobs ahead than one page of the queue (kDispatchBatch).
    for (int64_t i = 0; i < 300; ++i) {
        add_labelled_job(fixture.store.db, pipeline, "mac-" + std::to_string(i), i, {"macos"});
    }
    for (int64_t i = 0; i < 300; ++i) {
        // Needs two labels that two runners carry one each: only the loop can skip these.
        add_labelled_job(fixture.store.db, pipeline, "split-" + std::to_string(i), 300 + i,
                         {"a", "b"});
    }
    add_labelled_job(fixture.store.db, pipeline, "linux", 600, {});
    fixture.start();

    Peer a = fixture.connect("a");
    a.send(protocol::Hello{"a-01", kVersion, 1, {"a"}, {}});
    fixture.next_of<protocol::Welcome>(a);
    CHECK(fixture.next_of<protocol::Assign>(a).job_name == "linux");
    Peer b = fixture.connect("b");
    b.send(protocol::Hello{"b-01", kVersion, 1, {"b"}, {}});
    fixture.next_of<protocol::Welcome>(b);
    // Its hello made a dispatch pass, which read past all 600 and sent nothing.
    bool assigned = false;
    for (int i = 0; i < 20; ++i) {
        fixture.loop->step(Millis(5));
        while (auto message = b.try_receive()) {
            assigned = assigned || std::holds_alternative<protocol::Assign>(*message);
        }
    }
    CHECK_FALSE(assigned);
    CHECK(pipelines::queued_jobs(fixture.store.db, 1000).size() == 600);
}
