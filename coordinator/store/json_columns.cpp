#include "coordinator/store/json_columns.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace fmg::coordinator {

std::string to_json_array(const std::vector<std::string>& items) {
    Poco::JSON::Array array;
    for (const auto& item : items) array.add(item);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(array, out);
    return out.str();
}

std::vector<std::string> from_json_array(const std::string& json) {
    std::vector<std::string> items;
    try {
        auto parsed = Poco::JSON::Parser().parse(json);
        auto array = parsed.extract<Poco::JSON::Array::Ptr>();
        for (size_t i = 0; i < array->size(); ++i)
            items.push_back(array->getElement<std::string>(i));
    } catch (const Poco::Exception&) {
        items.clear();
    }
    return items;
}

std::string to_json_object(const std::map<std::string, std::string>& entries) {
    Poco::JSON::Object object;
    for (const auto& [key, value] : entries) object.set(key, value);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(object, out);
    return out.str();
}

std::map<std::string, std::string> from_json_object(const std::string& json) {
    std::map<std::string, std::string> entries;
    try {
        auto object = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        for (const auto& [key, value] : *object) {
            if (!value.isString()) return {};
            entries[key] = value.extract<std::string>();
        }
    } catch (const Poco::Exception&) {
        entries.clear();
    }
    return entries;
}

}  // namespace fmg::coordinator
