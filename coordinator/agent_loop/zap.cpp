// ZAP (ZeroMQ RFC 27) handler: admits a CURVE client only when its public key belongs to a
// registered, non-revoked runner, and names the runner as the connection's User-Id.

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/store/runner_store.h"
#include "shared/crypto.h"
#include "shared/log.h"

namespace fmg::coordinator {

void AgentLoop::answer_zap_request() {
    std::vector<zmq::message_t> request;
    while (true) {
        zmq::message_t part;
        if (!zap_->recv(part, zmq::recv_flags::dontwait)) break;
        bool more = part.more();
        request.push_back(std::move(part));
        if (!more) break;
    }
    if (request.empty()) return;
    // A REP socket must answer every request, even a malformed one (then with 400).
    auto part = [&](size_t i) {
        return i < request.size() ? request[i].to_string() : std::string();
    };
    std::string version = part(0);
    std::string request_id = part(1);
    std::string mechanism = part(5);

    std::string status = "400";
    std::string status_text = "unknown key";
    std::string user_id;
    if (version == "1.0" && mechanism == "CURVE" && request.size() >= 7 &&
        request[6].size() == 32) {
        std::string key_hex = crypto::to_hex(request[6].to_string_view());
        auto runner = runners::find_by_key(db_, key_hex);
        if (runner && !runner->revoked_at) {
            status = "200";
            status_text = "OK";
            user_id = std::to_string(runner->id);
        } else {
            status_text = runner ? "runner revoked" : "key not registered";
            FMG_LOG(warn) << "agent authentication refused from " << part(3) << ": " << status_text;
        }
    }
    zap_->send(zmq::buffer(std::string("1.0")), zmq::send_flags::sndmore);
    zap_->send(zmq::buffer(request_id), zmq::send_flags::sndmore);
    zap_->send(zmq::buffer(status), zmq::send_flags::sndmore);
    zap_->send(zmq::buffer(status_text), zmq::send_flags::sndmore);
    zap_->send(zmq::buffer(user_id), zmq::send_flags::sndmore);
    zap_->send(zmq::buffer(std::string()), zmq::send_flags::none);
}

}  // namespace fmg::coordinator
