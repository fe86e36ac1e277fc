#include "agent/docker/registry_auth.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "agent/docker/json.h"

namespace fmg::agent::docker {

std::string registry_host(const std::string& image) {
    const size_t slash = image.find('/');
    if (slash == std::string::npos) return "docker.io";
    std::string first = image.substr(0, slash);
    const bool is_host = first.find('.') != std::string::npos ||
                         first.find(':') != std::string::npos || first == "localhost";
    return is_host ? first : "docker.io";
}

std::string registry_auth_header(const RegistryCredentials& credentials, const std::string& image) {
    Poco::JSON::Object object;
    object.set("username", credentials.username);
    object.set("password", credentials.password);
    object.set("serveraddress", registry_host(image));
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING);
    encoder.rdbuf()->setLineLength(0);
    encoder << to_json(object);
    encoder.close();
    return out.str();
}

}  // namespace fmg::agent::docker
