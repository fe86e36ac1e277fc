#include "coordinator/web/html.h"

namespace fmg::coordinator::web {

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string page(std::string_view title, const std::optional<Viewer>& viewer,
                 std::string_view body) {
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
        escape(title) +
        " · fmg</title>\n<link rel=\"stylesheet\" href=\"/static/fmg.css\">\n</head>\n<body>\n"
        "<header><a class=\"brand\" href=\"/\">fmg</a><a href=\"/\">Pipelines</a>";
    if (viewer) {
        html += "<span class=\"who\">" + escape(viewer->name) + " (" +
                escape(role_name(viewer->role)) +
                ")</span><form method=\"post\" action=\"/logout\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"" +
                escape(viewer->csrf) + "\"><button type=\"submit\">Log out</button></form>";
    }
    html += "</header>\n<main>\n";
    html += body;
    html += "\n</main>\n</body>\n</html>\n";
    return html;
}

}  // namespace fmg::coordinator::web
