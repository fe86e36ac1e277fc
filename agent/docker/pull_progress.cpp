#include "agent/docker/pull_progress.h"

#include "agent/docker/json.h"

namespace fmg::agent::docker {

Result<PullEvent> parse_pull_event(std::string_view line) {
    auto object = parse_json_object(line);
    if (!object) return Error{"unexpected pull output: " + std::string(line.substr(0, 200))};
    PullEvent event;
    event.status = string_member(*object, "status");
    event.id = string_member(*object, "id");
    event.error = string_member(*object, "error");
    if (event.error.empty() && (*object)->has("errorDetail")) {
        auto detail = (*object)->getObject("errorDetail");
        event.error = string_member(detail, "message");
    }
    if ((*object)->has("progressDetail")) {
        auto detail = (*object)->getObject("progressDetail");
        event.progress_update = detail && detail->has("current");
    }
    return event;
}

std::string describe_pull_event(const PullEvent& event) {
    if (!event.error.empty()) return "error: " + event.error;
    if (event.progress_update || event.status.empty()) return {};
    return event.id.empty() ? event.status : event.id + ": " + event.status;
}

std::vector<std::string> LineSplitter::feed(std::string_view bytes) {
    std::vector<std::string> lines;
    partial_.append(bytes);
    size_t start = 0;
    size_t end;
    while ((end = partial_.find('\n', start)) != std::string::npos) {
        size_t stop = end;
        if (stop > start && partial_[stop - 1] == '\r') --stop;
        if (stop > start) lines.emplace_back(partial_, start, stop - start);
        start = end + 1;
    }
    partial_.erase(0, start);
    return lines;
}

std::string LineSplitter::take_rest() {
    std::string rest = std::move(partial_);
    partial_.clear();
    while (!rest.empty() && rest.back() == '\r') rest.pop_back();
    return rest;
}

}  // namespace fmg::agent::docker
