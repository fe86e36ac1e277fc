#include "coordinator/domain/job_spec.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <sstream>

namespace fmg::coordinator {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string when_name(pipeline::StepWhen when) {
    switch (when) {
        case pipeline::StepWhen::on_fail:
            return "on_fail";
        case pipeline::StepWhen::always:
            return "always";
        default:
            return "on_success";
    }
}

Object::Ptr env_object(const std::map<std::string, std::string>& env) {
    Object::Ptr object = new Object;
    for (const auto& [key, value] : env) object->set(key, value);
    return object;
}

std::map<std::string, std::string> env_map(const Object::Ptr& object) {
    std::map<std::string, std::string> env;
    if (!object) return env;
    for (const auto& [key, value] : *object) env[key] = value.convert<std::string>();
    return env;
}

std::string text_of(const Object::Ptr& object, const std::string& key) {
    return object->has(key) ? object->getValue<std::string>(key) : std::string();
}

Array::Ptr text_array(const std::vector<std::string>& items) {
    Array::Ptr array = new Array;
    for (const auto& item : items) array->add(item);
    return array;
}

std::vector<std::string> text_items(const Array::Ptr& array) {
    std::vector<std::string> items;
    if (!array) return items;
    for (size_t i = 0; i < array->size(); ++i) items.push_back(array->getElement<std::string>(i));
    return items;
}

// How one image's container runs, stored with the same names as on the wire
// (PROTOCOL.md 6.2 `image_options`); the reference is in `image` or `services`.
Object::Ptr image_options_object(const pipeline::ImageSpec& image) {
    Object::Ptr object = new Object;
    object->set("name", image.name);
    object->set("entrypoint", text_array(image.entrypoint));
    object->set("command", text_array(image.command));
    object->set("user", image.user);
    object->set("environment", env_object(image.environment));
    object->set("auth_username", image.auth.username);
    object->set("auth_password", image.auth.password);
    return object;
}

void read_image_options(const Object::Ptr& object, pipeline::ImageSpec& image) {
    image.name = text_of(object, "name");
    image.entrypoint = text_items(object->getArray("entrypoint"));
    image.command = text_items(object->getArray("command"));
    image.user = text_of(object, "user");
    image.environment = env_map(object->getObject("environment"));
    image.auth.username = text_of(object, "auth_username");
    image.auth.password = text_of(object, "auth_password");
}

protocol::ImageOptions wire_image_options(const pipeline::ImageSpec& image) {
    protocol::ImageOptions options;
    options.name = image.name;
    options.entrypoint = image.entrypoint;
    options.command = image.command;
    options.user = image.user;
    options.environment = image.environment;
    options.auth_username = image.auth.username;
    options.auth_password = image.auth.password;
    return options;
}

// The kind a step has in the spec and on the wire.
std::string own_step_kind(pipeline::StepKind kind) {
    switch (kind) {
        case pipeline::StepKind::checkout:
            return "checkout";
        case pipeline::StepKind::setup_remote_docker:
            return "setup_remote_docker";
        case pipeline::StepKind::store_artifacts:
            return "store_artifacts";
        case pipeline::StepKind::persist_to_workspace:
            return "persist_to_workspace";
        case pipeline::StepKind::attach_workspace:
            return "attach_workspace";
        case pipeline::StepKind::store_test_results:
            return "store_test_results";
        case pipeline::StepKind::save_cache:
            return "save_cache";
        case pipeline::StepKind::restore_cache:
            return "restore_cache";
        case pipeline::StepKind::add_ssh_keys:
            return "add_ssh_keys";
        case pipeline::StepKind::run:
            break;
    }
    return "run";
}

}  // namespace

void attach_layers(protocol::Assign& assign, const std::vector<std::string>& layers) {
    for (auto& step : assign.steps) {
        if (step.kind == protocol::StepKind::attach_workspace) step.layers = layers;
    }
}

JobSpec job_spec_from_config(const pipeline::Job& job, std::optional<JobNode> node,
                             bool repository_secrets) {
    JobSpec spec;
    spec.workflow = job.workflow;
    spec.node = std::move(node);
    spec.circle_job = job.name_in_workflow;
    if (!job.contexts.empty() || repository_secrets) {
        // What it prints is decided at dispatch (secrets/job_secrets.h), through variables:
        // no name or message ever becomes the command's text.
        JobStepSpec secrets;
        secrets.kind = "run";
        secrets.name = kSecretsStepName;
        secrets.command =
            "printf '%s\\n' \"$FMG_SECRETS_NOTE\"; "
            "if [ -n \"$FMG_SECRETS_ERROR\" ]; then printf '%s\\n' \"$FMG_SECRETS_ERROR\" >&2; "
            "exit 1; fi";
        secrets.when = "on_success";
        spec.steps.push_back(std::move(secrets));
        spec.contexts = job.contexts;
        spec.repository_secrets = repository_secrets;
    }
    spec.image = job.image;
    spec.services = job.services;
    spec.environment = job.environment;
    spec.working_directory = job.working_directory;
    for (const auto& step : job.steps) {
        JobStepSpec s;
        s.kind = own_step_kind(step.kind);
        s.name = step.name;
        s.command = step.command;
        s.fingerprints = step.fingerprints;
        if (step.kind == pipeline::StepKind::save_cache ||
            step.kind == pipeline::StepKind::restore_cache) {
            s.keys = step.files.keys;
        }
        if (step.kind == pipeline::StepKind::store_artifacts ||
            step.kind == pipeline::StepKind::store_test_results ||
            step.kind == pipeline::StepKind::persist_to_workspace ||
            step.kind == pipeline::StepKind::save_cache) {
            s.paths = step.files.paths;
            s.destination = step.files.destination;
            s.root = step.files.root;
        }
        if (step.kind == pipeline::StepKind::attach_workspace) s.at = step.files.at;
        s.environment = step.environment;
        s.working_directory = step.working_directory;
        s.no_output_timeout_ms = step.no_output_timeout_ms.value_or(0);
        s.when = when_name(step.when);
        s.shell = step.shell;
        s.background = step.background;
        s.max_auto_reruns = step.max_auto_reruns;
        s.auto_rerun_delay_ms = step.auto_rerun_delay_ms;
        spec.steps.push_back(std::move(s));
    }
    return spec;
}

std::string to_json(const JobSpec& spec) {
    Object root;
    root.set("workflow", spec.workflow);
    root.set("circle_job", spec.circle_job);
    root.set("image", spec.image.image);
    Array::Ptr services = new Array;
    Array::Ptr image_options = new Array;
    image_options->add(image_options_object(spec.image));
    for (const auto& service : spec.services) {
        services->add(service.image);
        image_options->add(image_options_object(service));
    }
    root.set("services", services);
    root.set("image_options", image_options);
    root.set("environment", env_object(spec.environment));
    root.set("working_directory", spec.working_directory);
    Array::Ptr steps = new Array;
    for (const auto& step : spec.steps) {
        Object::Ptr s = new Object;
        s->set("kind", step.kind);
        s->set("name", step.name);
        s->set("command", step.command);
        s->set("environment", env_object(step.environment));
        s->set("working_directory", step.working_directory);
        s->set("no_output_timeout_ms", step.no_output_timeout_ms);
        s->set("when", step.when);
        // Written only when set: a plain step's JSON stays as it was before these keys.
        if (!step.shell.empty()) s->set("shell", step.shell);
        if (step.background) s->set("background", true);
        if (step.max_auto_reruns > 0) s->set("max_auto_reruns", step.max_auto_reruns);
        if (step.auto_rerun_delay_ms > 0) s->set("auto_rerun_delay_ms", step.auto_rerun_delay_ms);
        if (!step.paths.empty()) s->set("paths", text_array(step.paths));
        if (!step.destination.empty()) s->set("destination", step.destination);
        if (!step.root.empty()) s->set("root", step.root);
        if (!step.at.empty()) s->set("at", step.at);
        if (!step.keys.empty()) s->set("keys", text_array(step.keys));
        if (!step.fingerprints.empty()) s->set("fingerprints", text_array(step.fingerprints));
        steps->add(s);
    }
    root.set("steps", steps);
    if (spec.node) {
        Object::Ptr node = new Object;
        node->set("index", spec.node->index);
        node->set("total", spec.node->total);
        root.set("node", node);
    }
    if (!spec.contexts.empty()) root.set("contexts", text_array(spec.contexts));
    if (spec.repository_secrets) root.set("repository_secrets", true);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(root, out);
    return out.str();
}

Result<JobSpec> job_spec_from_json(const std::string& json) {
    try {
        auto root = Poco::JSON::Parser().parse(json).extract<Object::Ptr>();
        JobSpec spec;
        spec.workflow = text_of(root, "workflow");
        spec.circle_job = text_of(root, "circle_job");
        spec.image.image = text_of(root, "image");
        for (auto& reference : text_items(root->getArray("services"))) {
            pipeline::ImageSpec service;
            service.image = std::move(reference);
            spec.services.push_back(std::move(service));
        }
        // Absent in specs stored before it was kept: every image as the image says.
        if (auto image_options = root->getArray("image_options")) {
            if (image_options->size() != spec.services.size() + 1) {
                return Error{"damaged job spec: image_options has " +
                             std::to_string(image_options->size()) + " items for " +
                             std::to_string(spec.services.size() + 1) + " images"};
            }
            for (size_t i = 0; i <= spec.services.size(); ++i) {
                auto options = image_options->getObject(static_cast<unsigned>(i));
                if (!options) return Error{"damaged job spec: an image_options item is no object"};
                read_image_options(options, i == 0 ? spec.image : spec.services[i - 1]);
            }
        }
        spec.environment = env_map(root->getObject("environment"));
        spec.working_directory = text_of(root, "working_directory");
        if (auto steps = root->getArray("steps")) {
            for (size_t i = 0; i < steps->size(); ++i) {
                auto s = steps->getObject(static_cast<unsigned>(i));
                JobStepSpec step;
                step.kind = text_of(s, "kind");
                step.name = text_of(s, "name");
                step.command = text_of(s, "command");
                step.environment = env_map(s->getObject("environment"));
                step.working_directory = text_of(s, "working_directory");
                step.no_output_timeout_ms = s->optValue<int64_t>("no_output_timeout_ms", 0);
                step.when = s->optValue<std::string>("when", "on_success");
                step.shell = s->optValue<std::string>("shell", "");
                step.background = s->optValue<bool>("background", false);
                step.max_auto_reruns = s->optValue<int64_t>("max_auto_reruns", 0);
                step.auto_rerun_delay_ms = s->optValue<int64_t>("auto_rerun_delay_ms", 0);
                step.paths = text_items(s->getArray("paths"));
                step.destination = s->optValue<std::string>("destination", "");
                step.root = s->optValue<std::string>("root", "");
                step.at = s->optValue<std::string>("at", "");
                step.keys = text_items(s->getArray("keys"));
                step.fingerprints = text_items(s->getArray("fingerprints"));
                spec.steps.push_back(std::move(step));
            }
        }
        spec.contexts = text_items(root->getArray("contexts"));
        spec.repository_secrets = root->optValue<bool>("repository_secrets", false);
        if (auto node = root->getObject("node")) {
            spec.node = JobNode{.index = node->getValue<uint32_t>("index"),
                                .total = node->getValue<uint32_t>("total")};
        }
        return spec;
    } catch (const Poco::Exception& e) {
        return Error{"damaged job spec: " + e.displayText()};
    }
}

protocol::Assign make_assign(const JobSpec& spec, const RunContext& run, int64_t job_timeout_ms) {
    protocol::Assign assign;
    assign.attempt_id = run.attempt_id;
    assign.pipeline_id = run.pipeline_id;
    assign.job_name = run.job_name;
    assign.repo_url = run.repo_url;
    assign.ref = run.ref;
    assign.sha = run.sha;
    assign.image = spec.image.image;
    assign.image_options.push_back(wire_image_options(spec.image));
    for (const auto& service : spec.services) {
        assign.services.push_back(service.image);
        assign.image_options.push_back(wire_image_options(service));
    }
    RunContext node_run = run;
    if (!spec.circle_job.empty()) node_run.job_name = spec.circle_job;
    if (spec.node) {
        node_run.node_index = spec.node->index;
        node_run.node_total = spec.node->total;
    }
    assign.environment = builtin_environment(node_run, spec.workflow, spec.working_directory);
    for (const auto& [name, value] : spec.environment) assign.environment[name] = value;
    assign.working_directory = spec.working_directory;
    assign.job_timeout_ms = static_cast<uint32_t>(job_timeout_ms);
    for (const auto& step : spec.steps) {
        protocol::StepSpec s;
        s.kind = step.kind == "checkout"               ? protocol::StepKind::checkout
                 : step.kind == "setup_remote_docker"  ? protocol::StepKind::setup_remote_docker
                 : step.kind == "store_artifacts"      ? protocol::StepKind::store_artifacts
                 : step.kind == "persist_to_workspace" ? protocol::StepKind::persist_to_workspace
                 : step.kind == "attach_workspace"     ? protocol::StepKind::attach_workspace
                 : step.kind == "store_test_results"   ? protocol::StepKind::store_test_results
                 : step.kind == "save_cache"           ? protocol::StepKind::save_cache
                 : step.kind == "restore_cache"        ? protocol::StepKind::restore_cache
                 : step.kind == "add_ssh_keys"         ? protocol::StepKind::add_ssh_keys
                                                       : protocol::StepKind::run;
        s.name = step.name;
        s.command = step.command;
        s.environment = step.environment;
        s.working_directory = step.working_directory;
        s.no_output_timeout_ms = static_cast<uint32_t>(step.no_output_timeout_ms);
        s.when = step.when == "always"    ? protocol::StepWhen::always
                 : step.when == "on_fail" ? protocol::StepWhen::on_fail
                                          : protocol::StepWhen::on_success;
        s.shell = step.shell;
        s.background = step.background;
        // Clamped to the protocol's limits: a damaged stored spec must not make a frame the
        // agent refuses.
        s.max_auto_reruns = static_cast<uint32_t>(
            std::clamp<int64_t>(step.max_auto_reruns, 0, protocol::kMaxAutoReruns));
        s.auto_rerun_delay_ms = static_cast<uint32_t>(
            std::clamp<int64_t>(step.auto_rerun_delay_ms, 0, protocol::kMaxAutoRerunDelayMs));
        s.paths = step.paths;
        s.destination = step.destination;
        s.root = step.root;
        s.at = step.at;
        s.keys = step.keys;
        s.fingerprints = step.fingerprints;
        assign.steps.push_back(std::move(s));
    }
    return assign;
}

}  // namespace fmg::coordinator
