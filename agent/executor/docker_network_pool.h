#pragma once
// Per-job networks without their cost on the job's path: creating a bridge network takes
// Docker ~100 ms and removing one ~200 ms (iptables rules, a bridge interface), more than the
// rest of a short job's setup. The pool keeps one network created ahead, hands it to the next
// job (each network serves one job, then is removed), and removes used networks on a thread
// of its own after the job has reported.

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "agent/docker/client.h"

namespace fmg::agent {

struct JobNetwork {
    std::string id;
    std::string name;  // what a container's NetworkMode names
};

class DockerNetworkPool {
  public:
    /// Networks get bridge names starting with `bridge_prefix` and the `labels` (the runner's,
    /// the role); none is created until prepare() or take().
    DockerNetworkPool(docker::DockerClient client, std::string bridge_prefix,
                      std::map<std::string, std::string> labels);
    /// Stops the thread after the removals queued so far (each bounded by the client's
    /// timeout), and removes the network created ahead.
    ~DockerNetworkPool();
    DockerNetworkPool(const DockerNetworkPool&) = delete;
    DockerNetworkPool& operator=(const DockerNetworkPool&) = delete;

    /// Asks the thread to create a network ahead, if none is ready or being made.
    void prepare();

    /// A network no job used: the one created ahead, else a new one made now. The next one
    /// is made when this one is released (making it now would slow the job's containers,
    /// which Docker starts meanwhile). Fails with Docker's message (e.g. its address pools
    /// are used up).
    Result<JobNetwork> take();

    /// Queues a used network for removal (its containers must be gone by then), and the
    /// making of the next one ahead after it.
    void release(const JobNetwork& network);

    /// Whether the network called `name` is this pool's (ahead, in use, or being removed):
    /// orphan removal must leave it alone.
    bool owns(const std::string& name);

  private:
    Result<JobNetwork> create();
    Status remove(const JobNetwork& network) const;
    void run();

    docker::DockerClient client_;
    std::string bridge_prefix_;
    std::map<std::string, std::string> labels_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<JobNetwork> spare_;
    bool spare_wanted_ = false;
    bool making_ = false;  // the thread is creating the spare
    std::deque<JobNetwork> to_remove_;
    std::set<std::string> owned_;  // names of the networks it made and has not removed
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fmg::agent
