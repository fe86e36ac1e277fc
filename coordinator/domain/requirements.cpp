#include "coordinator/domain/requirements.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace fmg::coordinator {
namespace {

Poco::JSON::Array::Ptr string_array(const std::vector<std::string>& items) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& item : items) array->add(item);
    return array;
}

std::vector<std::string> strings_of(const Poco::JSON::Array::Ptr& array) {
    std::vector<std::string> out;
    if (!array) return out;
    for (std::size_t i = 0; i < array->size(); ++i) {
        out.push_back(array->getElement<std::string>(static_cast<unsigned>(i)));
    }
    return out;
}

}  // namespace

std::string_view required_status(const std::vector<JobState>& ends) {
    const auto any = [&](JobState state) {
        return std::find(ends.begin(), ends.end(), state) != ends.end();
    };
    if (std::all_of(ends.begin(), ends.end(), [](JobState s) { return s == JobState::success; }))
        return "success";
    if (any(JobState::failed) || any(JobState::error)) return "failed";
    if (any(JobState::cancelled)) return "canceled";
    return "not_run";
}

Readiness readiness(const std::vector<std::string>& required_jobs,
                    const std::vector<StatusRequirement>& qualified,
                    const std::function<std::optional<JobState>(const std::string&)>& state_of) {
    const auto state = [&](const std::string& name) {
        return state_of(name).value_or(JobState::success);
    };
    std::set<std::string> covered;
    bool waiting = false;
    for (const StatusRequirement& requirement : qualified) {
        std::vector<JobState> ends;
        for (const std::string& name : requirement.jobs) {
            covered.insert(name);
            ends.push_back(state(name));
        }
        if (!std::all_of(ends.begin(), ends.end(), [](JobState s) { return is_terminal(s); })) {
            waiting = true;
            continue;
        }
        const std::string_view status = required_status(ends);
        if (std::find(requirement.statuses.begin(), requirement.statuses.end(), status) ==
            requirement.statuses.end()) {
            return Readiness::never;
        }
    }
    for (const std::string& name : required_jobs) {
        if (covered.count(name) > 0) continue;
        const JobState s = state(name);
        if (!is_terminal(s)) {
            waiting = true;
        } else if (s != JobState::success) {
            return Readiness::never;
        }
    }
    return waiting ? Readiness::waiting : Readiness::ready;
}

std::string to_json(const std::vector<StatusRequirement>& requirements) {
    Poco::JSON::Array array;
    for (const auto& requirement : requirements) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("jobs", string_array(requirement.jobs));
        item->set("statuses", string_array(requirement.statuses));
        array.add(item);
    }
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(array, out);
    return out.str();
}

std::vector<StatusRequirement> status_requirements_from_json(const std::string& json) {
    std::vector<StatusRequirement> out;
    try {
        const auto array = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
        for (std::size_t i = 0; array && i < array->size(); ++i) {
            const auto item = array->getObject(static_cast<unsigned>(i));
            if (!item) continue;
            out.push_back(
                {strings_of(item->getArray("jobs")), strings_of(item->getArray("statuses"))});
        }
    } catch (const Poco::Exception&) {
        return {};
    }
    return out;
}

}  // namespace fmg::coordinator
