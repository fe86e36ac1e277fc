// fmg-agent: parse settings, load credentials, check the executor, run the link to the coordinator.

#include <signal.h>
#include <sys/signalfd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "agent/executor/executor_factory.h"
#include "agent/executor/step_tools.h"
#include "agent/job/checkout.h"
#include "agent/job/workspaces.h"
#include "agent/link/coordinator_link.h"
#include "agent/setup/credentials.h"
#include "agent/setup/settings.h"
#include "shared/exit_codes.h"
#include "shared/log.h"
#include "shared/version.h"

namespace {

int run(fmg::agent::AgentSettings settings) {
    using namespace fmg;
    std::optional<agent::Credentials> credentials;
    std::string endpoint = settings.coordinator;
    if (!settings.insecure) {
        auto loaded = agent::load_credentials(settings.credentials);
        if (!loaded) {
            FMG_LOG(error) << loaded.error().message;
            return exit_code::kUsage;
        }
        credentials = *loaded;
        if (endpoint.empty()) endpoint = credentials->coordinator;
        // What the operator registered applies unless this host's flags say otherwise.
        if (!settings.capacity_given && credentials->capacity > 0) {
            settings.capacity = credentials->capacity;
        }
        if (!settings.labels_given && !credentials->labels.empty()) {
            settings.labels = credentials->labels;
        }
    }
    // Checked once the credentials' labels apply: a docker agent would fail every such job.
    if (auto problem = agent::executor_labels_problem(settings.executor, settings.labels)) {
        FMG_LOG(error) << *problem;
        return exit_code::kUsage;
    }
    if (endpoint.empty()) {
        FMG_LOG(error) << "no coordinator endpoint: pass --coordinator or a credentials file";
        return exit_code::kUsage;
    }
    std::error_code ec;
    std::filesystem::create_directories(settings.work_dir, ec);
    if (ec) {
        FMG_LOG(error) << "cannot create work dir " << settings.work_dir.string() << ": "
                       << ec.message();
        return exit_code::kFailed;
    }
    // Every checkout step runs the helper: without it, refuse to start rather than fail jobs.
    if (auto helper = agent::find_checkout_program(); !helper) {
        FMG_LOG(error) << helper.error().message;
        return exit_code::kFailed;
    }
    // Every step gets the CircleCI commands (agent/circleci/step_commands.h): the same.
    auto circleci_program = agent::find_circleci_program();
    if (!circleci_program) {
        FMG_LOG(error) << circleci_program.error().message;
        return exit_code::kFailed;
    }
    agent::ExecutorOptions executor_options{settings.docker_socket, settings.work_dir,
                                            settings.name};
    executor_options.circleci_program = *circleci_program;
    executor_options.docker_policy = {settings.job_memory_bytes, settings.job_nano_cpus,
                                      settings.job_pids, settings.job_network_host_access};
    executor_options.pass_env = settings.pass_env;
    executor_options.allow_job_docker = settings.allow_job_docker;
    executor_options.credentials_file = settings.credentials;
    // systemd's LoadCredential= directory, if the unit uses one: steps must not read it.
    if (const char* directory = std::getenv("CREDENTIALS_DIRECTORY"); directory && *directory) {
        executor_options.hidden_directories.emplace_back(directory);
    }
    auto executor = agent::make_executor(settings.executor, executor_options);
    if (auto ready = executor->check(); !ready) {
        FMG_LOG(error) << ready.error().message;
        return exit_code::kFailed;
    }
    // A new agent process runs nothing yet: what an earlier one left (containers, or shell
    // step process groups; it was killed or crashed mid-job) is orphaned; the coordinator has
    // requeued or will requeue their jobs.
    if (size_t removed = executor->remove_orphans({}); removed > 0) {
        FMG_LOG(info) << "removed " << removed << " orphan(s) of an earlier run ("
                      << (executor->name() == "docker" ? "containers" : "step process groups")
                      << ")";
    }
    // Log chunks an earlier agent process spooled are useless: that process's attempts were
    // lost with it (the coordinator retries them), and no attempt of this one wrote any yet.
    if (size_t removed = agent::remove_leftover_spools(agent::spool_directory(settings.work_dir));
        removed > 0) {
        FMG_LOG(info) << "removed " << removed << " log spool file(s) left by an earlier run";
    }
    // So are the workspaces of those attempts (a retry gets a fresh one anyway).
    if (size_t removed = agent::remove_leftover_workspaces(settings.work_dir); removed > 0) {
        FMG_LOG(info) << "removed " << removed << " workspace(s) left by an earlier run";
    }

    // SIGTERM and SIGINT are read by the event loop through a signalfd (graceful drain).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
    signal(SIGPIPE, SIG_IGN);

    FMG_LOG(info) << "fmg-agent " << kVersion << " " << settings.name << ": executor "
                  << executor->name() << ", capacity " << settings.capacity << ", work dir "
                  << settings.work_dir.string();
    SystemClock clock;
    agent::CoordinatorLink link(settings, credentials ? &*credentials : nullptr, endpoint,
                                *executor, clock, signal_fd);
    return link.run();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace fmg;
    log::set_component("agent");
    auto parsed =
        agent::parse_agent_settings(options::arguments(argc, argv), options::process_environment());
    if (auto* outcome = std::get_if<options::Outcome>(&parsed)) {
        bool ok = outcome->kind == options::Outcome::Kind::exit_ok;
        (ok ? std::cout : std::cerr) << outcome->message << "\n";
        return ok ? exit_code::kOk : exit_code::kUsage;
    }
    try {
        return run(std::get<agent::AgentSettings>(parsed));
    } catch (const std::exception& e) {
        FMG_LOG(error) << "cannot run: " << e.what();
        return exit_code::kFailed;
    }
}
