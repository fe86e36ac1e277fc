#include "coordinator/logs/log_view.h"

#include <algorithm>
#include <stdexcept>

#include "coordinator/domain/states.h"
#include "coordinator/logs/log_cap.h"
#include "coordinator/logs/log_store.h"
#include "coordinator/store/log_chunk_store.h"

namespace fmg::coordinator {
namespace {

constexpr size_t kReadPiece = 64 * 1024;

}  // namespace

std::optional<LogView> LogView::open(const std::filesystem::path& logs_dir,
                                     const AttemptRow& attempt, Database& db) {
    LogView view;
    view.head_bytes_ = attempt.log_bytes;
    view.cap_ = attempt.log_cap;
    if (attempt.log_in_db) {
        if (attempt.log_bytes == 0) return view;
        view.head_in_db_ = log_chunks::read(db, attempt.id);
        // Fewer bytes than the row committed: the log moved to its file since.
        if (static_cast<int64_t>(view.head_in_db_.size()) < attempt.log_bytes) return std::nullopt;
        view.head_in_db_.resize(static_cast<size_t>(attempt.log_bytes));  // later chunks wait
        return view;
    }
    auto head_path = LogStore::file_of(logs_dir, attempt.id);
    view.head_ = open_if_exists(head_path);
    if (!view.head_.is_open()) {
        if (view.head_bytes_ > 0)
            throw std::runtime_error("log file " + head_path.string() + " is missing");
        return view;
    }
    if (attempt.log_cap == 0) return view;

    if (view.head_bytes_ > 0) {
        view.head_ends_with_newline_ =
            read_at(view.head_, view.head_bytes_ - 1, 1, "read " + head_path.string()) == "\n";
    }
    if (!is_terminal(attempt.status)) {
        view.holding_back_ = true;  // the tail is shown once it is final
        return view;
    }
    auto tail_path = LogStore::tail_file_of(logs_dir, attempt.id, attempt.log_tail_gen);
    view.tail_ = open_if_exists(tail_path);
    if (!view.tail_.is_open()) return std::nullopt;

    // The kept tail: its last log_tail_keep bytes, from the start of a line when one starts
    // near the cut. The same rule gives the same bytes before and after a compaction.
    int64_t keep = log_tail_keep(attempt.log_cap);
    int64_t raw_start = std::max<int64_t>(0, attempt.log_tail_bytes - keep);
    view.tail_start_ = raw_start;
    view.tail_end_ = attempt.log_tail_bytes;
    if (attempt.log_dropped + raw_start > 0) {
        int64_t slack = log_line_slack(attempt.log_cap);
        std::string window = read_at(view.tail_, raw_start, static_cast<size_t>(slack),
                                     "read " + tail_path.string());
        view.tail_start_ = raw_start + static_cast<int64_t>(tail_line_start(window, slack));
        view.marker_ = omission_marker(attempt.log_dropped + view.tail_start_, attempt.log_cap,
                                       view.head_ends_with_newline_);
    }
    return view;
}

int64_t LogView::size() const {
    return head_bytes_ + static_cast<int64_t>(marker_.size()) + (tail_end_ - tail_start_);
}

std::string LogView::held_back_notice() const {
    return coordinator::held_back_notice(cap_, head_ends_with_newline_);
}

int64_t LogView::copy(int64_t offset, std::ostream& out) const {
    int64_t position = offset;
    if (position < head_bytes_ && !head_in_db_.empty()) {
        out.write(head_in_db_.data() + position, head_bytes_ - position);
        if (!out) return position;
        position = head_bytes_;
    }
    if (position < head_bytes_) {
        position = copy_file(head_, position, head_bytes_, out);
        if (position < head_bytes_) return position;
    }
    int64_t marker_end = head_bytes_ + static_cast<int64_t>(marker_.size());
    if (position < marker_end) {
        out.write(marker_.data() + (position - head_bytes_), marker_end - position);
        if (!out) return position;
        position = marker_end;
    }
    if (position < size()) {
        int64_t from = tail_start_ + (position - marker_end);
        position = marker_end - tail_start_ + copy_file(tail_, from, tail_end_, out);
    }
    return position;
}

int64_t LogView::copy_file(const FileHandle& file, int64_t from, int64_t to, std::ostream& out) {
    while (from < to && out) {
        size_t want = static_cast<size_t>(std::min<int64_t>(kReadPiece, to - from));
        std::string piece = read_at(file, from, want, "read a log file");
        if (piece.empty()) break;  // shorter than committed: a broken disk; send what is there
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
        if (!out) break;
        from += static_cast<int64_t>(piece.size());
    }
    return from;
}

}  // namespace fmg::coordinator
