#include "cli/decode.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace fmg::cli {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr object_of(const Var& json) {
    if (json.type() == typeid(Object::Ptr)) return json.extract<Object::Ptr>();
    return nullptr;
}

Array::Ptr array_of(const Var& json) {
    if (json.type() == typeid(Array::Ptr)) return json.extract<Array::Ptr>();
    return nullptr;
}

std::optional<int64_t> integer_in(const Object::Ptr& object, const char* key) {
    Var value = object->get(key);
    if (value.isEmpty() || !value.isInteger()) return std::nullopt;
    return value.convert<Poco::Int64>();
}

std::string text_in(const Object::Ptr& object, const char* key) {
    Var value = object->get(key);
    if (value.isEmpty() || !(value.isString() || value.isNumeric() || value.isBoolean())) {
        return "";
    }
    return value.toString();
}

std::vector<std::string> texts_in(const Object::Ptr& object, const char* key) {
    std::vector<std::string> out;
    Array::Ptr array = object->getArray(key);
    if (!array) return out;
    for (size_t i = 0; i < array->size(); ++i) {
        Var item = array->get(static_cast<unsigned>(i));
        if (item.isString()) out.push_back(item.toString());
    }
    return out;
}

/// Calls `each` with every object in the array `key`; other items are skipped.
template <typename Each>
void for_each_object(const Object::Ptr& object, const char* key, Each each) {
    Array::Ptr array = object->getArray(key);
    if (!array) return;
    for (size_t i = 0; i < array->size(); ++i) {
        if (Object::Ptr item = array->getObject(static_cast<unsigned>(i))) each(item);
    }
}

StepView decode_step(const Object::Ptr& object) {
    StepView step;
    step.name = text_in(object, "name");
    step.status = text_in(object, "status");
    step.exit_code = integer_in(object, "exit_code");
    step.started_at = text_in(object, "started_at");
    step.finished_at = text_in(object, "finished_at");
    return step;
}

AttemptView decode_attempt(const Object::Ptr& object) {
    AttemptView attempt;
    attempt.id = integer_in(object, "id").value_or(0);
    attempt.number = integer_in(object, "number").value_or(0);
    attempt.runner = text_in(object, "runner");
    attempt.status = text_in(object, "status");
    attempt.started_at = text_in(object, "started_at");
    attempt.finished_at = text_in(object, "finished_at");
    attempt.error = text_in(object, "error");
    return attempt;
}

JobView decode_job(const Object::Ptr& object) {
    JobView job;
    job.name = text_in(object, "name");
    job.status = text_in(object, "status");
    job.type = text_in(object, "type");
    job.required = texts_in(object, "requires");
    job.started_at = text_in(object, "started_at");
    job.finished_at = text_in(object, "finished_at");
    job.approved_by = text_in(object, "approved_by");
    job.approved_at = text_in(object, "approved_at");
    job.labels = texts_in(object, "labels");
    job.waiting_reason = text_in(object, "waiting_reason");
    for_each_object(object, "steps",
                    [&](const Object::Ptr& s) { job.steps.push_back(decode_step(s)); });
    for_each_object(object, "attempts",
                    [&](const Object::Ptr& a) { job.attempts.push_back(decode_attempt(a)); });
    if (auto tests = object->getObject("tests")) {
        TestsView view;
        view.total = integer_in(tests, "total").value_or(0);
        view.failed = integer_in(tests, "failed").value_or(0);
        view.skipped = integer_in(tests, "skipped").value_or(0);
        for_each_object(tests, "failures", [&](const Object::Ptr& f) {
            view.failures.push_back(
                {text_in(f, "name"), text_in(f, "classname"), text_in(f, "message")});
        });
        job.tests = std::move(view);
    }
    return job;
}

Result<RunnerView> decode_runner(const Object::Ptr& object) {
    auto id = integer_in(object, "id");
    if (!id) return Error{"a runner without an integer \"id\""};
    RunnerView runner;
    runner.id = *id;
    runner.host = text_in(object, "host");
    runner.labels = texts_in(object, "labels");
    runner.capacity = integer_in(object, "capacity").value_or(0);
    runner.state = text_in(object, "state");
    runner.last_heartbeat_at = text_in(object, "last_heartbeat_at");
    runner.version = text_in(object, "version");
    if (Array::Ptr running = object->getArray("running")) {
        for (size_t i = 0; i < running->size(); ++i) {
            Var item = running->get(static_cast<unsigned>(i));
            if (item.isInteger()) runner.running.push_back(item.convert<Poco::Int64>());
        }
    }
    for_each_object(object, "running_jobs", [&](const Object::Ptr& r) {
        RunningJobView job;
        job.attempt_id = integer_in(r, "attempt_id").value_or(0);
        job.pipeline_id = integer_in(r, "pipeline_id");
        job.job = text_in(r, "job");
        runner.running_jobs.push_back(job);
    });
    return runner;
}

}  // namespace

Result<PipelineView> decode_pipeline(const Var& json) {
    Object::Ptr object = object_of(json);
    if (!object) return Error{"a pipeline that is not a JSON object"};
    auto id = integer_in(object, "id");
    if (!id) return Error{"a pipeline without an integer \"id\""};
    PipelineView pipeline;
    pipeline.id = *id;
    pipeline.repo = text_in(object, "repo");
    pipeline.repo_url = text_in(object, "repo_url");
    pipeline.ref = text_in(object, "ref");
    pipeline.sha = text_in(object, "sha");
    pipeline.trigger = text_in(object, "trigger");
    pipeline.status = text_in(object, "status");
    pipeline.failed_jobs = texts_in(object, "failed_jobs");
    pipeline.created_at = text_in(object, "created_at");
    pipeline.started_at = text_in(object, "started_at");
    pipeline.finished_at = text_in(object, "finished_at");
    pipeline.error = text_in(object, "error");
    pipeline.from_fork = object->has("fork") && object->get("fork").isString();
    pipeline.fork = text_in(object, "fork");
    pipeline.approved_by = text_in(object, "approved_by");
    pipeline.approved_at = text_in(object, "approved_at");
    pipeline.held_jobs = texts_in(object, "held_jobs");
    for_each_object(object, "jobs",
                    [&](const Object::Ptr& j) { pipeline.jobs.push_back(decode_job(j)); });
    return pipeline;
}

Result<std::vector<PipelineView>> decode_pipeline_list(const Var& json) {
    Object::Ptr object = object_of(json);
    Array::Ptr data = object ? object->getArray("data") : nullptr;
    if (!data) return Error{"a pipeline list without a \"data\" array"};
    std::vector<PipelineView> pipelines;
    for (size_t i = 0; i < data->size(); ++i) {
        auto pipeline = decode_pipeline(data->get(static_cast<unsigned>(i)));
        if (!pipeline) return pipeline.error();
        pipelines.push_back(std::move(pipeline).value());
    }
    return pipelines;
}

Result<std::vector<RunnerView>> decode_runner_list(const Var& json) {
    Array::Ptr data = array_of(json);
    if (Object::Ptr object = object_of(json)) data = object->getArray("data");
    if (!data) return Error{"a runner list that is neither an array nor {\"data\": [...]}"};
    std::vector<RunnerView> runners;
    for (size_t i = 0; i < data->size(); ++i) {
        Object::Ptr item = data->getObject(static_cast<unsigned>(i));
        if (!item) return Error{"a runner that is not a JSON object"};
        auto runner = decode_runner(item);
        if (!runner) return runner.error();
        runners.push_back(std::move(runner).value());
    }
    return runners;
}

Result<int64_t> decode_integer_field(const Var& json, const char* key) {
    Object::Ptr object = object_of(json);
    if (!object) return Error{"an answer that is not a JSON object"};
    auto value = integer_in(object, key);
    if (!value) return Error{std::string("an answer without an integer \"") + key + "\""};
    return *value;
}

}  // namespace fmg::cli
