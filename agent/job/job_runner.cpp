#include "agent/job/job_runner.h"

#include <algorithm>

#include "agent/executor/step_output.h"
#include "agent/job/cache_steps.h"
#include "agent/job/job_environment.h"
#include "agent/job/ssh_keys.h"
#include "agent/job/store_artifacts.h"
#include "agent/job/workspace_steps.h"
#include "agent/job/workspaces.h"
#include "protocol/job_timeout.h"
#include "shared/log.h"

namespace fmg::agent {

namespace {

// The wire's image options as the executor takes them.
ContainerOptions container_options(const protocol::ImageOptions& options) {
    return ContainerOptions{options.name,         options.entrypoint,  options.command,
                            options.user,         options.environment, options.auth_username,
                            options.auth_password};
}

}  // namespace

JobRunner::JobRunner(protocol::Assign assign, Executor& executor, std::filesystem::path work_dir,
                     Mailbox<RunnerEvent>& events, const Clock& clock)
    : assign_(std::move(assign)),
      executor_(executor),
      work_dir_(std::move(work_dir)),
      workspace_(work_dir_ / "workspaces" / ("attempt-" + std::to_string(assign_.attempt_id))),
      events_(events),
      clock_(clock) {}

JobRunner::~JobRunner() {
    cancel();
    if (thread_.joinable()) thread_.join();
}

void JobRunner::start() {
    if (assign_.job_timeout_ms > 0) {
        deadline_ = clock_.steady_now() + Millis(assign_.job_timeout_ms);
    }
    thread_ = std::thread([this] { run(); });
}

bool JobRunner::enforce_deadline(SteadyTime now) {
    if (!deadline_ || now < *deadline_) return false;
    deadline_.reset();
    timed_out_ = true;
    cancel();
    return true;
}

void JobRunner::cancel() {
    cancelled_ = true;
    gate_.open_for_good();  // a runner waiting to post output must see the cancel
    checkout_.cancel();
    {
        std::lock_guard lock(execution_mutex_);
        if (execution_) execution_->cancel();
    }
    // After the execution's cancel: a background step woken now sees it was cancelled.
    background_.stop_all();
    { std::lock_guard lock(rerun_mutex_); }
    rerun_wake_.notify_all();
}

void JobRunner::emit_output(std::string_view bytes) {
    if (bytes.empty()) return;
    std::lock_guard lock(output_mutex_);
    at_line_start_ = bytes.back() == '\n';
    gate_.pass(bytes.size());
    events_.post(Output{assign_.attempt_id, std::string(bytes)});
}

std::pair<protocol::JobOutcome, std::string> JobRunner::stopped_result(const OutputSink& output) {
    if (!timed_out_) return {protocol::JobOutcome::cancelled, ""};
    std::string message = protocol::job_timeout_message(Millis(assign_.job_timeout_ms));
    if (!timeout_noted_) {
        timeout_noted_ = true;
        output(std::string(at_line_start_ ? "" : "\n") + "fmg: " + message + " (--job-timeout)\n");
    }
    return {protocol::JobOutcome::error, message};
}

void JobRunner::run() {
    auto [outcome, error] = run_steps();
    // The job's last step has ended: its background steps stop now, and report before the job.
    background_.stop_and_join();
    {
        std::lock_guard lock(execution_mutex_);
        if (execution_) execution_->close();
    }
    if (Status removed = remove_workspace(workspace_); !removed) {
        FMG_LOG(warn) << "attempt=" << assign_.attempt_id << " " << removed.error().message;
    }
    events_.post(JobEnded{assign_.attempt_id, outcome, error, clock_.wall_ms()});
}

bool JobRunner::checkout(const std::string& path, const OutputSink& output, std::string& error) {
    const std::filesystem::path relative(path);
    for (const auto& part : relative) {
        if (relative.is_absolute() || part == "..") {
            error = "checkout path '" + path + "' is not relative to the working directory";
            return false;
        }
    }
    // Looked up again for each checkout (a few access() calls): a helper removed since the
    // agent started, as by an upgrade in progress, is then this job's clear error.
    auto program = find_checkout_program();
    if (!program) {
        error = program.error().message;
        return false;
    }
    CheckoutRequest request;
    request.program = *program;
    request.mirrors_dir = work_dir_ / "mirrors";
    request.url = assign_.repo_url;
    request.sha = assign_.sha;
    request.destination = path.empty() ? workspace_ : workspace_ / relative;
    if (auto done = checkout_.run(request); !done) {
        error = done.error().message;
        return false;
    }
    output("Checked out " + assign_.sha.substr(0, 12) + " (" + assign_.ref + ")\n");
    return true;
}

Result<std::string> JobRunner::give_docker_engine(const OutputSink& output) {
    const auto host = executor_.job_docker_host();
    if (!host) {
        const std::string message =
            "setup_remote_docker: this runner gives jobs no Docker engine (its fmg-agent runs "
            "without --allow-job-docker; see docs/executors.md)";
        output(std::string(at_line_start_ ? "" : "\n") + "fmg: " + message + "\n");
        return Error{message};
    }
    output(std::string(at_line_start_ ? "" : "\n") + "fmg: the runner's Docker engine is at " +
           "DOCKER_HOST=" + *host + " for the steps after this one\n");
    return *host;
}

Result<std::string> JobRunner::add_ssh_keys(const protocol::StepSpec& step,
                                            const OutputSink& output) {
    const auto fail = [&](const std::string& why) -> Result<std::string> {
        output(std::string(at_line_start_ ? "" : "\n") + "fmg: add_ssh_keys: " + why + "\n");
        return Error{"add_ssh_keys: " + why};
    };
    const KeyChoice choice = choose_keys(assign_.secrets, step.fingerprints, public_key_of);
    if (!choice.problem.empty()) return fail(choice.problem);
    auto socket = execution_->start_ssh_agent(output);
    if (!socket) return fail(socket.error().message);
    RunStep run;
    run.name = step.name;
    run.command = add_keys_script();
    run.environment = step.environment;
    std::string names;
    for (const std::string& name : choice.secrets) names += (names.empty() ? "" : " ") + name;
    run.environment[kSshKeyNamesVariable] = names;
    run.environment["SSH_AUTH_SOCK"] = *socket;
    for (const std::string& note : choice.notes) output("fmg: adding " + note + "\n");
    const StepExit exit = execution_->run(run, output);
    if (exit.kind != StepExit::Kind::exited || exit.exit_code != 0) {
        return Error{"add_ssh_keys: " +
                     (exit.message.empty() ? "the keys were not loaded" : exit.message)};
    }
    output(std::string(at_line_start_ ? "" : "\n") +
           "fmg: the SSH agent is at SSH_AUTH_SOCK=" + *socket + " for the steps after this one\n");
    return *socket;
}

std::pair<protocol::JobOutcome, std::string> JobRunner::stopped_in_step(uint32_t index,
                                                                        const OutputSink& output) {
    auto stopped = stopped_result(output);
    events_.post(
        StepEnded{assign_.attempt_id, index,
                  timed_out_ ? protocol::StepOutcome::failed : protocol::StepOutcome::cancelled, -1,
                  clock_.wall_ms()});
    return stopped;
}

std::pair<protocol::JobOutcome, std::string> JobRunner::run_steps() {
    using protocol::JobOutcome;
    using protocol::StepOutcome;
    OutputSink output = [this](std::string_view bytes) { emit_output(bytes); };

    std::error_code ec;
    std::filesystem::remove_all(workspace_, ec);
    std::filesystem::create_directories(workspace_, ec);
    if (ec)
        return {JobOutcome::error,
                "cannot create workspace " + workspace_.string() + ": " + ec.message()};

    JobSetup job;
    job.attempt_id = assign_.attempt_id;
    job.image = assign_.image;
    job.services = assign_.services;
    if (!assign_.image_options.empty()) {  // the decoder checked: one per image
        job.primary_options = container_options(assign_.image_options.front());
        for (size_t i = 1; i < assign_.image_options.size(); ++i) {
            job.service_options.push_back(container_options(assign_.image_options[i]));
        }
    }
    job.environment = job_environment(assign_);
    job.working_directory = assign_.working_directory;
    job.workspace = workspace_;
    job.docker_engine =
        std::any_of(assign_.steps.begin(), assign_.steps.end(), [](const protocol::StepSpec& s) {
            return s.kind == protocol::StepKind::setup_remote_docker;
        });
    auto started = executor_.start(job, output);
    if (!started) {
        output("fmg: " + started.error().message + "\n");
        return {JobOutcome::error, started.error().message};
    }
    {
        std::lock_guard lock(execution_mutex_);
        execution_ = std::move(started.value());
        if (cancelled_) execution_->cancel();
    }

    bool failed = false;
    std::string silent_step;    // why the first step stopped for lack of output ended
    std::string docker_host;    // DOCKER_HOST of the steps after `setup_remote_docker`
    std::string ssh_auth_sock;  // SSH_AUTH_SOCK of the steps after `add_ssh_keys`
    for (uint32_t index = 0; index < assign_.steps.size(); ++index) {
        if (cancelled_) return stopped_result(output);
        const protocol::StepSpec& step = assign_.steps[index];
        // CircleCI `when`: on_success steps run while all before succeeded, on_fail steps only
        // after a failure, always steps regardless.
        bool runs = step.when == protocol::StepWhen::always ||
                    (step.when == protocol::StepWhen::on_fail) == failed;
        if (!runs) continue;
        events_.post(StepBegan{assign_.attempt_id, index, clock_.wall_ms()});
        if (step.kind == protocol::StepKind::checkout) {
            std::string error;
            bool ok = checkout(step.working_directory, output, error);
            // The checkout was stopped, as a running step is.
            if (!ok && cancelled_) return stopped_in_step(index, output);
            if (!ok) output("fmg: checkout failed: " + error + "\n");
            events_.post(StepEnded{assign_.attempt_id, index,
                                   ok ? StepOutcome::success : StepOutcome::error, ok ? 0 : -1,
                                   clock_.wall_ms()});
            if (!ok) return {JobOutcome::error, "checkout failed: " + error};
            continue;
        }
        if (step.kind == protocol::StepKind::setup_remote_docker) {
            auto engine = give_docker_engine(output);
            events_.post(StepEnded{assign_.attempt_id, index,
                                   engine ? StepOutcome::success : StepOutcome::error,
                                   engine ? 0 : -1, clock_.wall_ms()});
            if (!engine) return {JobOutcome::error, engine.error().message};
            docker_host = *engine;
            continue;
        }
        if (step.kind == protocol::StepKind::add_ssh_keys) {
            auto socket = add_ssh_keys(step, output);
            if (cancelled_) return stopped_in_step(index, output);
            events_.post(StepEnded{assign_.attempt_id, index,
                                   socket ? StepOutcome::success : StepOutcome::failed,
                                   socket ? 0 : 1, clock_.wall_ms()});
            if (socket) {
                ssh_auth_sock = *socket;
            } else {
                failed = true;
            }
            continue;
        }
        if (step.kind == protocol::StepKind::store_artifacts ||
            step.kind == protocol::StepKind::store_test_results ||
            step.kind == protocol::StepKind::persist_to_workspace ||
            step.kind == protocol::StepKind::attach_workspace ||
            step.kind == protocol::StepKind::save_cache ||
            step.kind == protocol::StepKind::restore_cache) {
            const protocol::StepOutcome outcome = file_step(step, output);
            if (cancelled_) return stopped_in_step(index, output);
            events_.post(StepEnded{assign_.attempt_id, index, outcome,
                                   outcome == StepOutcome::success ? 0 : 1, clock_.wall_ms()});
            if (outcome != StepOutcome::success) failed = true;
            continue;
        }
        RunStep run;
        run.name = step.name;
        run.command = step.command;
        run.shell = step.shell;
        run.environment = step.environment;
        // A step's own DOCKER_HOST wins over the engine's.
        if (!docker_host.empty()) run.environment.emplace("DOCKER_HOST", docker_host);
        if (!ssh_auth_sock.empty()) run.environment.emplace("SSH_AUTH_SOCK", ssh_auth_sock);
        run.working_directory = step.working_directory;
        if (step.no_output_timeout_ms > 0) {
            run.no_output_timeout = Millis(step.no_output_timeout_ms);
        } else if (step.background) {
            run.no_output_timeout = Millis(0);  // a server may be silent for as long as it likes
        }
        if (step.background) {
            // CircleCI: the job goes on at once; the step's end does not change the job's result.
            std::lock_guard lock(execution_mutex_);
            if (cancelled_) return stopped_result(output);
            output(std::string(at_line_start_ ? "" : "\n") +
                   "fmg: running in the background: " + step.name + "\n");
            background_.start(
                index, run, *execution_, output,
                [this, name = step.name, output](uint32_t ended_index, const StepExit& exit) {
                    background_ended(ended_index, name, exit, output);
                });
            continue;
        }
        StepExit exit = run_with_reruns(step, run, output);
        StepOutcome outcome = step_outcome(exit);
        if (exit.kind == StepExit::Kind::no_output_timeout && silent_step.empty()) {
            // The step failed (PROTOCOL.md); the job is an error, as timed-out jobs are.
            silent_step = step.name + ": " + exit.message;
        }
        std::optional<std::pair<JobOutcome, std::string>> stopped;
        if (exit.kind == StepExit::Kind::cancelled) stopped = stopped_result(output);
        events_.post(
            StepEnded{assign_.attempt_id, index, outcome, exit.exit_code, clock_.wall_ms()});
        if (stopped) return *stopped;
        if (outcome == StepOutcome::error) return {JobOutcome::error, exit.message};
        if (outcome == StepOutcome::failed) failed = true;
        if (exit.halted) {
            // `circleci-agent step halt`: CircleCI ends the job here, `when: always` steps
            // included, successfully unless a step failed (docs/executors.md).
            output(std::string(at_line_start_ ? "" : "\n") +
                   "fmg: the step ran 'circleci-agent step halt': no further step runs\n");
            break;
        }
    }
    if (cancelled_) return stopped_result(output);
    if (!silent_step.empty()) return {JobOutcome::error, silent_step};
    return {failed ? JobOutcome::failed : JobOutcome::success, ""};
}

Result<uint64_t> JobRunner::upload_file(const std::filesystem::path& file,
                                        protocol::UploadKind kind, const std::string& path,
                                        uint64_t size, const std::string& sha256) {
    auto done = std::make_shared<std::promise<Status>>();
    std::future<Status> outcome = done->get_future();
    const uint64_t upload_id = ++uploads_started_;
    events_.post(
        UploadRequest{assign_.attempt_id, upload_id, file, kind, path, size, sha256, done});
    // The link fulfils the promise; a cancel is noticed within one wait.
    while (outcome.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (cancelled_) return Error{"the job was cancelled"};
    }
    Status stored = outcome.get();
    if (!stored) return stored.error();
    return upload_id;
}

Status JobRunner::store_file(const std::filesystem::path& file, protocol::UploadKind kind,
                             const std::string& path, uint64_t size, const std::string& sha256) {
    auto stored = upload_file(file, kind, path, size, sha256);
    if (!stored) return stored.error();
    return {};
}

Result<protocol::CacheAnswer> JobRunner::cache_request(
    std::variant<protocol::CacheFind, protocol::CacheSave> message) {
    auto done = std::make_shared<std::promise<Result<protocol::CacheAnswer>>>();
    auto outcome = done->get_future();
    events_.post(CacheRequest{assign_.attempt_id, std::move(message), done});
    while (outcome.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (cancelled_) return Error{"the job was cancelled"};
    }
    return outcome.get();
}

CacheKeyContext JobRunner::cache_key_context(const protocol::StepSpec& step,
                                             const std::filesystem::path& spool) {
    CacheKeyContext context;
    context.environment = job_environment(assign_);
    for (const auto& [name, value] : step.environment) context.environment[name] = value;
    context.checksum = [this, spool](const std::string& path) {
        std::error_code ec;
        std::filesystem::create_directories(spool, ec);
        return checksum_in_job(*execution_, path, spool / "checksum.tar");
    };
    context.epoch_seconds = clock_.wall_ms() / 1000;
    context.arch = cache_arch();
    return context;
}

Status JobRunner::fetch_blob(const std::string& sha256, const std::filesystem::path& file) {
    auto done = std::make_shared<std::promise<Result<uint64_t>>>();
    std::future<Result<uint64_t>> outcome = done->get_future();
    events_.post(FetchRequest{assign_.attempt_id, ++fetches_started_, sha256, file, done});
    while (outcome.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (cancelled_) return Error{"the job was cancelled"};
    }
    auto fetched = outcome.get();
    if (!fetched) return fetched.error();
    auto digest = file_digest(file);
    if (!digest) return digest.error();
    if (digest->first != sha256 || digest->second != *fetched) {
        return Error{"the bytes received have SHA-256 " + digest->first + ", not " + sha256};
    }
    return {};
}

protocol::StepOutcome JobRunner::file_step(const protocol::StepSpec& step,
                                           const OutputSink& output) {
    const std::filesystem::path spool =
        work_dir_ / "files" / ("attempt-" + std::to_string(assign_.attempt_id));
    Status done;
    const char* what = "store_artifacts";
    if (step.kind == protocol::StepKind::store_artifacts) {
        auto upload = [this](const std::filesystem::path& file, const std::string& path,
                             uint64_t size, const std::string& sha256) {
            return store_file(file, protocol::UploadKind::artifact, path, size, sha256);
        };
        done = store_artifacts(*execution_, step, spool, upload, output);
    } else if (step.kind == protocol::StepKind::store_test_results) {
        what = "store_test_results";
        auto upload = [this](const std::filesystem::path& file, const std::string& path,
                             uint64_t size, const std::string& sha256) {
            return store_file(file, protocol::UploadKind::test_results, path, size, sha256);
        };
        done = store_test_results(*execution_, step, spool, upload, output);
    } else if (step.kind == protocol::StepKind::persist_to_workspace) {
        what = "persist_to_workspace";
        auto upload = [this, &step](const std::filesystem::path& file, uint64_t size,
                                    const std::string& sha256) {
            return store_file(file, protocol::UploadKind::workspace_layer,
                              step.root.empty() ? "." : step.root, size, sha256);
        };
        done = persist_to_workspace(*execution_, step, spool, upload, output);
    } else if (step.kind == protocol::StepKind::save_cache ||
               step.kind == protocol::StepKind::restore_cache) {
        auto find = [this](const std::vector<std::string>& keys, bool exact) {
            return cache_request(
                protocol::CacheFind{assign_.attempt_id, ++cache_requests_started_, keys, exact});
        };
        const CacheKeyContext context = cache_key_context(step, spool);
        if (step.kind == protocol::StepKind::save_cache) {
            what = "save_cache";
            auto upload = [this](const std::filesystem::path& file, const std::string& place,
                                 uint64_t size, const std::string& sha256) {
                return upload_file(file, protocol::UploadKind::cache_part, place, size, sha256);
            };
            auto save = [this](const std::string& key, const std::vector<uint64_t>& uploads) {
                return cache_request(protocol::CacheSave{assign_.attempt_id,
                                                         ++cache_requests_started_, key, uploads});
            };
            done = save_cache(*execution_, step, context, spool, find, upload, save, output);
        } else {
            what = "restore_cache";
            auto fetch = [this](const std::string& sha256, const std::filesystem::path& file) {
                return fetch_blob(sha256, file);
            };
            done = restore_cache(*execution_, step, context, spool, find, fetch, output);
        }
    } else {
        what = "attach_workspace";
        auto fetch = [this](const std::string& sha256, const std::filesystem::path& file) {
            return fetch_blob(sha256, file);
        };
        done = attach_workspace(*execution_, step, spool, fetch, output);
    }
    std::error_code ec;
    std::filesystem::remove_all(spool, ec);
    if (done) return protocol::StepOutcome::success;
    if (!cancelled_) {
        output(std::string(at_line_start_ ? "" : "\n") + "fmg: " + what +
               " failed: " + done.error().message + "\n");
    }
    return protocol::StepOutcome::failed;
}

protocol::StepOutcome JobRunner::step_outcome(const StepExit& exit) const {
    using protocol::StepOutcome;
    switch (exit.kind) {
        case StepExit::Kind::exited:
            return exit.exit_code == 0 ? StepOutcome::success : StepOutcome::failed;
        case StepExit::Kind::no_output_timeout:
            return StepOutcome::failed;
        case StepExit::Kind::cancelled:
            // A step stopped because the job's time ran out failed, as a step that ran
            // past its no-output timeout does; one stopped by a user was cancelled.
            return timed_out_ ? StepOutcome::failed : StepOutcome::cancelled;
        case StepExit::Kind::stopped:
            // A background step still running when the job's last step ended: it did what it
            // was there for.
            return StepOutcome::success;
        case StepExit::Kind::error:
            return StepOutcome::error;
    }
    return StepOutcome::error;
}

StepExit JobRunner::run_with_reruns(const protocol::StepSpec& spec, const RunStep& run,
                                    const OutputSink& output) {
    const uint32_t tries = 1 + spec.max_auto_reruns;
    for (uint32_t number = 1;; ++number) {
        if (number > 1) {
            output("fmg: try " + std::to_string(number) + " of " + std::to_string(tries) + ": " +
                   spec.name + "\n");
        }
        StepExit exit = execution_->run(run, output);
        const bool failed = step_outcome(exit) == protocol::StepOutcome::failed &&
                            exit.kind != StepExit::Kind::cancelled;
        if (!failed || tries == 1 || exit.halted || cancelled_) return exit;
        const std::string why = exit.kind == StepExit::Kind::exited
                                    ? "exit code " + std::to_string(exit.exit_code)
                                    : exit.message;
        const std::string lead = std::string(at_line_start_ ? "" : "\n") + "fmg: try " +
                                 std::to_string(number) + " of " + std::to_string(tries) +
                                 " failed (" + why + ")";
        if (number == tries) {
            output(lead + "; max_auto_reruns spent, the step failed\n");
            return exit;
        }
        const Millis delay(spec.auto_rerun_delay_ms);
        output(lead + "; running it again" +
               (delay.count() > 0 ? " in " + format_duration(delay) : std::string()) + "\n");
        if (!wait_before_rerun(delay)) return exit;
    }
}

bool JobRunner::wait_before_rerun(Millis delay) {
    std::unique_lock lock(rerun_mutex_);
    return !rerun_wake_.wait_for(lock, delay, [this] { return cancelled_.load(); });
}

void JobRunner::background_ended(uint32_t index, const std::string& name, const StepExit& exit,
                                 const OutputSink& output) {
    const protocol::StepOutcome outcome = step_outcome(exit);
    switch (exit.kind) {
        case StepExit::Kind::stopped:
            output("fmg: background step stopped at the job's end: " + name + "\n");
            break;
        case StepExit::Kind::exited:
            output("fmg: background step exited with code " + std::to_string(exit.exit_code) +
                   (exit.exit_code == 0 ? "" : " (the job goes on)") + ": " + name + "\n");
            break;
        default:
            break;  // the executor wrote why
    }
    events_.post(StepEnded{assign_.attempt_id, index, outcome, exit.exit_code, clock_.wall_ms()});
}

}  // namespace fmg::agent
