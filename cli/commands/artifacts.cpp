// fmg artifacts ID JOB [--get PATH] [-o FILE]: the artifacts a job stored, or one of them.
// A download is checked against the size and SHA-256 the listing gives, byte for byte; to a
// FILE it is written beside it first and renamed only once it checked out, so a cut or
// corrupt download never leaves a file that looks complete.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "shared/crypto.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

struct ArtifactView {
    std::string path;
    int64_t size = 0;
    std::string sha256;
};

std::string artifacts_target(int64_t id, const std::string& job) {
    return "/api/v1/pipelines/" + std::to_string(id) + "/jobs/" + path_segment(job) + "/artifacts";
}

/// The listing's items; an answer that does not decode is exit 1.
ApiResult<std::vector<ArtifactView>> decode_artifacts(const JsonReply& reply) {
    std::vector<ArtifactView> items;
    try {
        auto list = reply.json.extract<Poco::JSON::Object::Ptr>()->getArray("artifacts");
        if (!list) throw Poco::Exception("no \"artifacts\" array");
        for (size_t i = 0; i < list->size(); ++i) {
            auto item = list->getObject(static_cast<unsigned>(i));
            if (!item) throw Poco::Exception("an item is not an object");
            items.push_back({item->getValue<std::string>("path"), item->getValue<int64_t>("size"),
                             item->getValue<std::string>("sha256")});
        }
    } catch (const Poco::Exception& e) {
        return ApiError{exit_code::kFailed,
                        "the coordinator's artifact list does not decode: " + e.displayText()};
    }
    return items;
}

std::string path_target(const std::string& path) {
    std::string target;
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        target += "/" + path_segment(path.substr(start, slash - start));
        start = slash + 1;
    }
    return target;
}

int download(const CommandContext& context, int64_t id, const std::string& job,
             const ArtifactView& artifact) {
    const std::string file = context.options.text("output");
    const std::string partial = file + ".fmg-partial";
    std::ofstream out_file;
    if (!file.empty()) {
        out_file.open(partial, std::ios::binary | std::ios::trunc);
        if (!out_file) {
            return report(context, {exit_code::kFailed, "cannot write " + partial});
        }
    }
    std::ostream& out = file.empty() ? context.console.out : out_file;
    crypto::Sha256 digest;
    int64_t received = 0;
    auto streamed = context.api.stream(
        artifacts_target(id, job) + path_target(artifact.path),
        [&](std::string_view piece) {
            digest.update(piece);
            received += static_cast<int64_t>(piece.size());
            out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
        },
        false);
    out.flush();
    auto discard = [&] {
        if (file.empty()) return;
        out_file.close();
        std::remove(partial.c_str());
    };
    if (!streamed) {
        discard();
        return report(context, streamed.error());
    }
    const std::string sha256 = digest.finish_hex();
    if (received != artifact.size || sha256 != artifact.sha256) {
        discard();
        return report(context, {exit_code::kFailed, "the download of " + artifact.path +
                                                        " is damaged: " + std::to_string(received) +
                                                        " bytes with SHA-256 " + sha256 + ", not " +
                                                        std::to_string(artifact.size) +
                                                        " bytes with " + artifact.sha256});
    }
    if (!file.empty()) {
        out_file.close();
        std::error_code ec;
        std::filesystem::rename(partial, file, ec);
        if (!out_file || ec) {
            discard();
            return report(context, {exit_code::kFailed, "cannot write " + file});
        }
        context.console.err << "Wrote " << file << " (" << received << " bytes, sha256 " << sha256
                            << ")\n";
    }
    return exit_code::kOk;
}

int run_artifacts(const CommandContext& context) {
    const std::string& argument = context.options.positional[0];
    auto id = parse_id(argument);
    if (!id) return usage_error(context, "'" + argument + "' is not a pipeline id");
    const std::string& job = context.options.positional[1];
    const auto wanted = context.options.get("get");
    if (!wanted && context.options.get("output")) {
        return usage_error(context, "-o FILE goes with --get PATH");
    }
    auto reply = context.api.get(artifacts_target(*id, job));
    if (!reply) return report(context, reply.error());
    auto artifacts = decode_artifacts(*reply);
    if (!artifacts) return report(context, artifacts.error());
    if (wanted) {
        for (const ArtifactView& artifact : *artifacts) {
            if (artifact.path == *wanted) return download(context, *id, job, artifact);
        }
        return report(context,
                      {exit_code::kNotFound, "job " + job + " of pipeline #" + std::to_string(*id) +
                                                 " has no artifact " + *wanted});
    }
    if (context.options.flag("json")) {
        print_json(context, *reply);
        return exit_code::kOk;
    }
    if (artifacts->empty()) {
        context.console.err << "job " << job << " of pipeline #" << *id << " stored no artifacts\n";
        return exit_code::kOk;
    }
    for (const ArtifactView& artifact : *artifacts) {
        context.console.out << artifact.path << "  " << artifact.size << "  " << artifact.sha256
                            << "\n";
    }
    return exit_code::kOk;
}

}  // namespace

Command artifacts_command() {
    return {
        "artifacts",
        "ID JOB [--get PATH] [-o FILE]",
        "the artifacts a job stored (path, bytes, sha256), or one of them downloaded",
        {
            {"get", "PATH", "", "", "download this artifact (checked against its size and SHA-256)",
             options::non_empty()},
            {"output", "FILE", "", "", "write the download to FILE instead of stdout",
             options::non_empty(), 'o'},
        },
        2,
        2,
        run_artifacts};
}

}  // namespace fmg::cli
