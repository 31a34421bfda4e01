#include "serve/score_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "api/feature_value_json.h"
#include "api/json_writer.h"
#include "common/civil_time.h"

namespace leadscore::serve {
namespace {

// Appends `text` to `path` (created 0644 when missing) with O_APPEND, so several writers and
// a rename-based rotation stay line-consistent. False with errno set on failure.
bool AppendToFile(const std::filesystem::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = true;
  while (!text.empty()) {
    const ssize_t wrote = ::write(fd, text.data(), text.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    text.remove_prefix(static_cast<size_t>(wrote));
  }
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

}  // namespace

void ScoreLog::Shard::Append(const Entry& entry) {
  const uint64_t head = head_.load(std::memory_order_relaxed);
  if (head - tail_.load(std::memory_order_acquire) >= slots_.size()) {
    dropped_full_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Slot& slot = slots_[head % slots_.size()];
  slot.scored_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(entry.scored_at.time_since_epoch())
          .count();
  slot.lead_id.assign(entry.identity->lead_id);
  slot.email.assign(entry.identity->email);
  slot.model_version.assign(*entry.model_version);
  slot.model_test_auc = entry.model_test_auc;
  slot.score = entry.score;
  slot.grade = entry.grade;
  const LeadValues& values = *entry.values;
  slot.feature_count = values.size() <= kMaxLoggedFeatures ? values.size() : 0;
  std::copy_n(values.begin(), slot.feature_count, slot.values.begin());
  head_.store(head + 1, std::memory_order_release);
}

ScoreLog::ScoreLog(ScoreLogOptions options, const FeatureSpec& spec)
    : options_(std::move(options)), spec_(spec) {
  for (size_t i = 0; i < std::max<size_t>(options_.workers, 1); ++i) {
    shards_.push_back(
        std::unique_ptr<Shard>(new Shard(std::max<size_t>(options_.ring_capacity, 1))));
  }
}

Result<std::unique_ptr<ScoreLog>> ScoreLog::Open(ScoreLogOptions options, const FeatureSpec& spec) {
  if (!AppendToFile(options.path, "")) {
    return Status::Error("cannot append to the score log " + options.path.string() + ": " +
                         std::strerror(errno) +
                         "; create its folder or make it writable, or pass another --score-log");
  }
  std::unique_ptr<ScoreLog> log(new ScoreLog(std::move(options), spec));
  log->writer_ = std::thread([raw = log.get()] { raw->Run(); });
  return log;
}

ScoreLog::~ScoreLog() {
  {
    const std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (writer_.joinable()) writer_.join();
  Flush();
}

void ScoreLog::Run() {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stopping_) {
    stop_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
    lock.unlock();
    Flush();
    lock.lock();
  }
}

void ScoreLog::Flush() {
  const std::lock_guard<std::mutex> lock(flush_mutex_);
  Drain();
}

void ScoreLog::Drain() {
  buffer_.clear();
  uint64_t records = 0;
  for (const auto& shard : shards_) {
    const uint64_t tail = shard->tail_.load(std::memory_order_relaxed);
    const uint64_t head = shard->head_.load(std::memory_order_acquire);
    for (uint64_t i = tail; i < head; ++i) {
      AppendLine(shard->slots_[i % shard->slots_.size()], buffer_);
    }
    records += head - tail;
    // The slots are formatted: the worker may reuse them.
    shard->tail_.store(head, std::memory_order_release);
  }
  if (records == 0) return;
  if (AppendToFile(options_.path, buffer_)) {
    written_.fetch_add(records, std::memory_order_relaxed);
  } else {
    dropped_write_error_.fetch_add(records, std::memory_order_relaxed);
  }
}

void ScoreLog::AppendLine(const Shard::Slot& slot, std::string& out) const {
  api::JsonWriter json(out);
  json.BeginObject();
  json.Key("scored_at");
  std::string stamp;
  AppendIsoMillis(slot.scored_at_ms, stamp);
  json.String(stamp);
  if (!slot.lead_id.empty()) {
    json.Key("lead_id");
    json.String(slot.lead_id);
  }
  if (!slot.email.empty()) {
    json.Key("email");
    json.String(slot.email);
  }
  json.Key("model_version");
  json.String(slot.model_version);
  json.Key("model_test_auc");
  if (std::isfinite(slot.model_test_auc)) {
    json.Double(slot.model_test_auc);
  } else {
    json.Null();
  }
  json.Key("score");
  json.Double(slot.score);
  json.Key("grade");
  if (slot.grade != 0) {
    json.String(std::string_view(&slot.grade, 1));
  } else {
    json.Null();
  }
  json.Key("features");
  json.BeginObject();
  for (size_t i = 0; i < slot.feature_count && i < spec_.features.size(); ++i) {
    const Feature& feature = spec_.features[i];
    json.Key(feature.name);
    api::WriteFeatureValue(json, feature, slot.values[i]);
  }
  json.EndObject();
  json.EndObject();
  out.push_back('\n');
}

ScoreLog::Totals ScoreLog::Sum() const {
  Totals totals;
  totals.written = written_.load(std::memory_order_relaxed);
  totals.dropped_write_error = dropped_write_error_.load(std::memory_order_relaxed);
  for (const auto& shard : shards_) {
    totals.dropped_full += shard->dropped_full_.load(std::memory_order_relaxed);
  }
  return totals;
}

std::string ScoreLog::RenderPrometheus() const {
  const Totals totals = Sum();
  std::string out;
  out +=
      "# HELP leadscore_score_log_records_total Scores with a lead identity appended to the "
      "score log.\n# TYPE leadscore_score_log_records_total counter\n";
  out += "leadscore_score_log_records_total " + std::to_string(totals.written) + "\n";
  out +=
      "# HELP leadscore_score_log_dropped_total Scores the score log could not keep: a "
      "worker's ring was full, or the file could not be written.\n"
      "# TYPE leadscore_score_log_dropped_total counter\n";
  out += "leadscore_score_log_dropped_total{reason=\"full\"} " +
         std::to_string(totals.dropped_full) + "\n";
  out += "leadscore_score_log_dropped_total{reason=\"write_error\"} " +
         std::to_string(totals.dropped_write_error) + "\n";
  return out;
}

}  // namespace leadscore::serve
