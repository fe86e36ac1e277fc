#pragma once
// What a fetch reports while it runs, so that a caller can tell a slow server from a silent
// one and stop the silent one (the coordinator's fmg-fetch helper prints these for its
// parent, which enforces --fetch-timeout: coordinator/preparer/fetch_helper.h).

namespace fmg::git {

class FetchObserver {
  public:
    virtual ~FetchObserver() = default;
    /// The server answered: the connection is up and its refs were read.
    virtual void connected() = 0;
    /// The server sent something during the transfer (progress text or pack data).
    virtual void progressed() = 0;
};

}  // namespace fmg::git
