#include "tests/support/docker.h"

#include <catch2/catch.hpp>

#include "tests/support/process.h"

namespace fmg::testing {

void require_docker() {
    ProcessOptions info;
    info.argv = {"docker", "info", "--format", "{{.ServerVersion}}"};
    CommandResult result;
    try {
        result = run_command(info, std::chrono::seconds(30));
    } catch (const std::exception& error) {
        FAIL("this test needs Docker, but the docker CLI cannot run ("
             << error.what()
             << "): run "
                "scripts/ensure-docker.sh");
    }
    if (!result.ok()) {
        FAIL("this test needs Docker, but `docker info` failed: run scripts/ensure-docker.sh\n"
             << result.describe(info.argv));
    }
    for (const std::string& name : {kTestImage, kSshTestImage}) {
        ProcessOptions image;
        image.argv = {"docker", "image", "inspect", "--format", "{{.Id}}", name};
        const CommandResult inspected = run_command(image, std::chrono::seconds(30));
        if (!inspected.ok()) {
            FAIL("this test needs the image " << name << ": run scripts/build-test-image.sh\n"
                                              << inspected.describe(image.argv));
        }
    }
}

}  // namespace fmg::testing
