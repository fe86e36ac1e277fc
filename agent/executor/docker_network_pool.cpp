#include "agent/executor/docker_network_pool.h"

#include <signal.h>

#include <algorithm>
#include <functional>
#include <random>

#include "agent/executor/docker_constants.h"
#include "shared/log.h"

namespace fmg::agent {
namespace {

// How often, and first how long apart, a network is removed again while Docker still holds
// an endpoint of a just-removed container: 50 ms doubling to 1 s, ~6 s in all.
constexpr int kNetworkRemovalAttempts = 9;
constexpr Millis kNetworkRemovalPause{50};

// A bridge interface name: `prefix` and random letters and digits, 15 characters in all
// (Linux's limit), unique among the engine's networks in practice (36^11 names).
std::string bridge_name(const std::string& prefix) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 random{std::random_device{}()};
    std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
    std::string name = prefix;
    while (name.size() < static_cast<size_t>(kBridgeNameLength)) name += kAlphabet[pick(random)];
    return name;
}

// Starts `body` on a thread with every signal blocked: the agent reads SIGTERM and SIGINT
// through a signalfd, which works only while no thread leaves them unblocked (a thread that
// does would take them and die of the default action, skipping the graceful drain).
std::thread start_without_signals(std::function<void()> body) {
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    std::thread thread(std::move(body));
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return thread;
}

}  // namespace

DockerNetworkPool::DockerNetworkPool(docker::DockerClient client, std::string bridge_prefix,
                                     std::map<std::string, std::string> labels)
    : client_(std::move(client)),
      bridge_prefix_(std::move(bridge_prefix)),
      labels_(std::move(labels)),
      thread_(start_without_signals([this] { run(); })) {}

DockerNetworkPool::~DockerNetworkPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (spare_) (void)client_.remove_network(spare_->id);  // no lock: the thread has ended
}

Result<JobNetwork> DockerNetworkPool::create() {
    docker::NetworkSpec spec;
    std::string bridge = bridge_name(bridge_prefix_);
    spec.name = "fmg-" + bridge;
    spec.labels = labels_;
    spec.options = {{"com.docker.network.bridge.name", bridge}};
    {
        std::lock_guard lock(mutex_);
        owned_.insert(spec.name);  // before it exists: orphan removal may list it any time
    }
    auto id = client_.create_network(spec);
    if (!id) {
        std::lock_guard lock(mutex_);
        owned_.erase(spec.name);
        return id.error();
    }
    return JobNetwork{*id, spec.name};
}

bool DockerNetworkPool::owns(const std::string& name) {
    std::lock_guard lock(mutex_);
    return owned_.count(name) > 0;
}

void DockerNetworkPool::prepare() {
    {
        std::lock_guard lock(mutex_);
        spare_wanted_ = true;
    }
    wake_.notify_all();
}

Result<JobNetwork> DockerNetworkPool::take() {
    std::optional<JobNetwork> ready;
    {
        std::unique_lock lock(mutex_);
        // One being made now is nearer than a new one.
        wake_.wait(lock, [this] { return !making_; });
        ready.swap(spare_);
    }
    if (ready) {
        // Another agent's orphan sweep on the same engine (one that shares this runner's
        // name) may have removed it while it waited.
        auto exists = client_.network_exists(ready->id);
        if (exists && *exists) return *ready;
        std::lock_guard lock(mutex_);
        owned_.erase(ready->name);
    }
    return create();
}

void DockerNetworkPool::release(const JobNetwork& network) {
    {
        std::lock_guard lock(mutex_);
        to_remove_.push_back(network);
        spare_wanted_ = true;  // made after the removal: not while a job's containers start
    }
    wake_.notify_all();
}

Status DockerNetworkPool::remove(const JobNetwork& network) const {
    // Docker answers a container's forced removal before it has released the container's
    // endpoint on the network ("has active endpoints"): try again a few times.
    Millis pause = kNetworkRemovalPause;
    for (int attempt = 1;; ++attempt) {
        Status removed = client_.remove_network(network.id);
        if (removed || attempt == kNetworkRemovalAttempts) return removed;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, Millis(1000));
    }
}

void DockerNetworkPool::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] {
            return stopping_ || !to_remove_.empty() || (spare_wanted_ && !spare_);
        });
        if (!to_remove_.empty()) {
            JobNetwork network = to_remove_.front();
            to_remove_.pop_front();
            lock.unlock();
            Status removed = remove(network);
            if (!removed) {
                FMG_LOG(warn) << "cannot remove job network " << network.name << ": "
                              << removed.error().message;
            }
            lock.lock();
            if (removed) owned_.erase(network.name);
            continue;
        }
        if (stopping_) return;
        making_ = true;
        spare_wanted_ = false;
        lock.unlock();
        auto made = create();  // locks for owned_ itself
        lock.lock();
        making_ = false;
        if (made) {
            spare_ = *made;
        } else {
            FMG_LOG(warn) << "cannot create a job network ahead: " << made.error().message;
        }
        wake_.notify_all();
    }
}

}  // namespace fmg::agent
