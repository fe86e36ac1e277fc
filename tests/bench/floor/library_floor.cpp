// The idle benchmark's baseline for the agent: a process that loads the libraries fmg-agent
// loads at exec (the same set; `ldd` of both agree) and initialises them as fmg-agent does at
// start (a ZeroMQ context whose I/O thread runs, a DEALER socket connecting), then does
// nothing. (libgit2 is not among them: checkouts run in fmg-checkout.) Its resident memory is what
// any agent built on these libraries costs before it holds a byte of its own. Prints "ready" and
// waits until killed.

#include <Poco/JSON/Object.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <zmq.hpp>

#include "shared/crypto.h"

int main(int argc, char**) {
    // One empty object each from Poco JSON (the agent's Docker client) and yaml-cpp (its
    // --config file), so the linker keeps them as it does for fmg-agent.
    Poco::JSON::Object json;
    YAML::Node yaml = YAML::Load("");
    // A call into shared/crypto (OpenSSL's libcrypto), which the agent's CURVE key handling
    // links, so the library is loaded as it is for fmg-agent; like an idle agent, the floor
    // never calls it (OpenSSL's first use initialises it: ~1 MiB more).
    std::string nonce = argc > 1 ? fmg::crypto::random_hex(4) : "";
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.connect("tcp://127.0.0.1:9");  // discard: nothing answers, the I/O thread retries
    std::printf("ready %s\n", nonce.c_str());
    std::fflush(stdout);
    for (;;) ::pause();
}
