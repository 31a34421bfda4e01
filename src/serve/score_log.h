// The score log: every score leadscore serves for a lead with an identity (lead_id or email,
// api/lead_identity.h), appended as one JSON line to a file the warehouse loads
// (scripts/load_duckdb --score-logs; docs/monitoring.md "Realized accuracy"):
//   {"scored_at":"2026-12-04T10:11:12.345Z","lead_id":"42","email":"ada@example.com",
//    "model_version":"7","model_test_auc":0.74,"score":0.31,
//    "features":{"sessions":5,"engaged_sessions":3,"page_views":12,"channel":"Paid Search",
//                "is_first_visit":false}}
// (lead_id and email only when the request carried them; model_test_auc null when the model
// has no test AUC).
//
// It never makes /score wait: each worker appends to its own bounded single-producer ring
// (no lock, no allocation once the slots' strings have grown), and one background thread
// drains the rings every flush interval and appends what it took to the file, reopened each
// time (O_APPEND) so a rename-based rotation takes effect within one interval. A full ring
// drops the record and counts it (leadscore_score_log_dropped_total{reason="full"}); a failed
// write drops the records it held and counts them (reason="write_error").
//
// Thread safety: Shard(i).Append is called by worker i only; everything else from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/lead_identity.h"
#include "api/score_request.h"
#include "common/status.h"
#include "features/feature_spec.h"
#include "model/feature_encoder.h"

namespace leadscore::serve {

// Specs with more features than this are logged without feature values.
inline constexpr size_t kMaxLoggedFeatures = 16;

// Records one worker's ring holds between two flushes. At least the largest /score/batch, so
// one batch of identified leads is never cut short on an idle server (8192 dropped 1808 of a
// 10,000-lead batch). A slot is ~256 bytes: 4 MiB per worker.
inline constexpr size_t kScoreLogRingCapacity = 16384;
static_assert(kScoreLogRingCapacity >= api::kMaxBatchLeads,
              "a full /score/batch must fit in one worker's score log ring");

struct ScoreLogOptions {
  std::filesystem::path path;
  size_t workers = 1;
  size_t ring_capacity = kScoreLogRingCapacity;  // records per worker between two flushes
  std::chrono::milliseconds flush_interval{200};
};

class ScoreLog {
 public:
  // One score as a worker hands it over.
  struct Entry {
    std::chrono::system_clock::time_point scored_at;
    const api::LeadIdentity* identity = nullptr;  // non-empty
    const std::string* model_version = nullptr;
    double model_test_auc = 0;  // NaN: unknown
    double score = 0;
    char grade = 0;                      // 'A'..'D'; 0 when the model has no grade cut points
    const LeadValues* values = nullptr;  // the lead as FeatureEncoder takes it
  };

  class Shard {
   public:
    // Copies `entry` into the ring, or counts it dropped when the ring is full. Never blocks.
    void Append(const Entry& entry);

   private:
    friend class ScoreLog;
    struct Slot {
      int64_t scored_at_ms = 0;
      std::string lead_id, email, model_version;
      double model_test_auc = 0;
      double score = 0;
      char grade = 0;
      size_t feature_count = 0;
      std::array<double, kMaxLoggedFeatures> values{};
    };
    explicit Shard(size_t capacity) : slots_(capacity) {}
    std::vector<Slot> slots_;
    alignas(64) std::atomic<uint64_t> head_{0};  // next slot the worker fills
    alignas(64) std::atomic<uint64_t> tail_{0};  // next slot the writer reads
    std::atomic<uint64_t> dropped_full_{0};
  };

  struct Totals {
    uint64_t written = 0;              // records appended to the file
    uint64_t dropped_full = 0;         // a worker's ring was full
    uint64_t dropped_write_error = 0;  // the file could not be written
  };

  // Checks that `options.path` can be opened for appending (creating it) and starts the
  // writer; an error names the file and the system's reason.
  static Result<std::unique_ptr<ScoreLog>> Open(ScoreLogOptions options, const FeatureSpec& spec);
  // Writes what the rings hold, then stops the writer.
  ~ScoreLog();
  ScoreLog(const ScoreLog&) = delete;
  ScoreLog& operator=(const ScoreLog&) = delete;

  Shard& shard(size_t worker) { return *shards_[worker]; }
  const std::filesystem::path& path() const { return options_.path; }
  // Writes what the rings hold now (the writer does this every interval); for tests.
  void Flush();
  Totals Sum() const;
  // leadscore_score_log_records_total and leadscore_score_log_dropped_total{reason}.
  std::string RenderPrometheus() const;

 private:
  ScoreLog(ScoreLogOptions options, const FeatureSpec& spec);
  void Run();
  void Drain();  // under flush_mutex_
  void AppendLine(const Shard::Slot& slot, std::string& out) const;

  const ScoreLogOptions options_;
  const FeatureSpec& spec_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::mutex flush_mutex_;  // the writer thread and Flush(); never taken by a worker
  std::string buffer_;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_write_error_{0};
  std::mutex stop_mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace leadscore::serve
