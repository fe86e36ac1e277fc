#include "coordinator/app.h"

#include <signal.h>

#include <thread>

#include "coordinator/access/admin_token.h"
#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/constants.h"
#include "coordinator/github/status_sender.h"
#include "coordinator/http/server.h"
#include "coordinator/preparer/constants.h"
#include "coordinator/preparer/fetch_helper.h"
#include "coordinator/preparer/preparer.h"
#include "coordinator/schedules/scheduler.h"
#include "coordinator/setup/test_clock.h"
#include "coordinator/store/migrations.h"
#include "shared/exit_codes.h"
#include "shared/git/mirror.h"
#include "shared/log.h"
#include "shared/time_format.h"
#include "shared/version.h"

namespace fmg::coordinator {

int run_coordinator(const Settings& settings) {
    // Signals are taken by one thread with sigwait; every other thread inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    auto clock_choice = coordinator_clock(options::process_environment());
    if (!clock_choice) {
        FMG_LOG(error) << clock_choice.error().message;
        return exit_code::kUsage;
    }
    const Clock& clock = **clock_choice;
    if (dynamic_cast<const SystemClock*>(&clock) == nullptr) {
        FMG_LOG(warn) << kTestWallClockEnv << " is set: the wall clock reads "
                      << format_rfc3339_ms(clock.wall_ms()) << " (for tests only)";
    }
    Identity identity = load_or_create_identity(settings.data_dir);
    auto database_file = settings.data_dir / "fmg.db";
    Database db(database_file);
    migrate(db);
    ensure_admin_token(db, settings.data_dir, clock.wall_ms());
    Keyring keyring(settings.data_dir);
    git::init_library();

    LogNotifier log_notifier;
    LogStore logs(settings.data_dir / "logs", db, log_notifier, settings.log_cap_bytes);
    zmq::context_t zmq_context;
    StatusSender status_sender(database_file, settings.github_api_url, settings.github_token,
                               clock);
    AgentLoop agent_loop(settings, identity, keyring, zmq_context, db, logs, log_notifier, clock,
                         [&status_sender] { status_sender.wake(); });
    auto fetch_program = find_fetch_program();
    if (!fetch_program) {
        FMG_LOG(error) << fetch_program.error().message;
        return 1;
    }
    const std::filesystem::path mirrors_dir = settings.data_dir / "mirrors";
    Preparer* preparer_ptr = nullptr;    // the fetch watches the preparer's stop flag
    Scheduler* scheduler_ptr = nullptr;  // told when a prepared config may change schedules
    Preparer preparer(
        database_file, mirrors_dir, settings.orb_dir, lifecycle::StatusContext{settings.public_url},
        clock,
        [&](const std::string& url) {
            FetchRequest request;
            request.program = *fetch_program;
            request.mirrors_dir = mirrors_dir;
            request.url = url;
            request.token_hosts = settings.git_token_hosts;
            request.timeout = std::chrono::milliseconds(settings.fetch_timeout_ms);
            request.max_duration = kMaxFetchDuration;
            return fetch_with_deadlines(request, preparer_ptr->stopping());
        },
        [&agent_loop, &scheduler_ptr](PipelineId id) {
            agent_loop.mailbox().post(PipelineReady{id});
            scheduler_ptr->wake();
        });
    preparer_ptr = &preparer;
    Scheduler scheduler(database_file, clock, [&preparer](PipelineId id) { preparer.enqueue(id); });
    scheduler_ptr = &scheduler;
    HttpContext http_context{settings,
                             identity,
                             keyring,
                             database_file,
                             settings.data_dir / "logs",
                             agent_loop.mailbox(),
                             [&preparer](PipelineId id) { preparer.enqueue(id); },
                             log_notifier,
                             clock,
                             {},
                             http::BodyBudget(kUnauthenticatedBodyBudget),
                             {}};
    http::Server http_server(http_context, settings.http_host, settings.http_port);

    status_sender.start();
    preparer.start();
    scheduler.start();
    http_server.start();
    if (!settings.webhook_secret) {
        FMG_LOG(warn) << "no webhook secret (WEBHOOK_SECRET or --webhook-secret-file): every "
                         "webhook will be refused with 401";
    }
    FMG_LOG(info) << "fmg-coordinator " << kVersion << " ready: http " << settings.http_host << ":"
                  << http_server.port() << ", data " << settings.data_dir.string();

    std::thread signal_waiter([&signals, &agent_loop] {
        int received = 0;
        sigwait(&signals, &received);
        FMG_LOG(info) << "signal " << received << ": shutting down";
        agent_loop.mailbox().post(StopLoop{});
    });
    agent_loop.run();

    // Handlers use the notifier, the context and what it refers to: no new connections, then
    // the followers are told to end, then every HTTP thread is joined, and only then is
    // anything they use destroyed (in reverse order of construction, as this function returns).
    http_server.stop_accepting();
    log_notifier.shut_down();
    http_server.stop();
    scheduler.stop();  // it hands pipelines to the preparer
    preparer.stop();
    status_sender.stop();
    // The signal thread may still wait; wake it so it can be joined.
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
    signal_waiter.join();
    FMG_LOG(info) << "stopped";
    return 0;
}

}  // namespace fmg::coordinator
