// The idle benchmark's baseline for the agent: a process that loads the agent's libraries
// (it links the same fmg_agent library) and initialises them as fmg-agent does at start
// (libgit2, a ZeroMQ context whose I/O thread runs, a DEALER socket connecting), then does
// nothing. Its resident memory is what any agent built on these libraries costs before it
// holds a byte of its own. Prints "ready" and waits until killed.

#include <unistd.h>

#include <cstdio>
#include <zmq.hpp>

#include "shared/git/mirror.h"

int main() {
    fmg::git::init_library();
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.connect("tcp://127.0.0.1:9");  // discard: nothing answers, the I/O thread retries
    std::puts("ready");
    std::fflush(stdout);
    for (;;) ::pause();
}
