#include "coordinator/http/metrics.h"

#include <sstream>

#include "coordinator/http/responses.h"

namespace fmg::coordinator::http {
namespace {

void gauge_by_state(std::ostringstream& out, Database& db, const std::string& metric,
                    const std::string& help, const std::string& table, const std::string& column) {
    out << "# HELP " << metric << " " << help << "\n# TYPE " << metric << " gauge\n";
    auto q = db.prepare("SELECT " + column + ", COUNT(*) FROM " + table + " GROUP BY " + column);
    while (q.step()) out << metric << "{state=\"" << q.text(0) << "\"} " << q.integer(1) << "\n";
}

}  // namespace

std::string render_metrics(HttpContext& context) {
    Database& db = thread_database(context.database_file);
    std::ostringstream out;
    gauge_by_state(out, db, "fmg_pipelines", "Pipelines by state.", "pipelines", "status");
    gauge_by_state(out, db, "fmg_jobs", "Jobs by state.", "jobs", "status");
    gauge_by_state(out, db, "fmg_attempts", "Job attempts by state.", "attempts", "status");
    gauge_by_state(out, db, "fmg_runners", "Registered runners by state.", "runners", "state");
    auto queued = db.prepare("SELECT COUNT(*) FROM jobs WHERE status = 'queued'");
    queued.step();
    out << "# HELP fmg_queue_depth Jobs ready and waiting for a runner.\n"
           "# TYPE fmg_queue_depth gauge\nfmg_queue_depth "
        << queued.integer(0) << "\n";
    out << "# HELP fmg_webhooks_total Webhook deliveries by result.\n"
           "# TYPE fmg_webhooks_total counter\n";
    for (const auto& [result, count] : context.webhook_counters.snapshot()) {
        out << "fmg_webhooks_total{result=\"" << result << "\"} " << count << "\n";
    }
    return out.str();
}

}  // namespace fmg::coordinator::http
