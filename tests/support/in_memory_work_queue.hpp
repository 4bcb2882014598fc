#pragma once
// The work queue (sink/work_queue.hpp) in memory, like leveldb's in-memory Env: scheduler tests
// run planning, retries, parking, leases and the partial → complete lifecycle in milliseconds,
// without PostgreSQL. It follows the same state machine (sink/work_item_states.hpp) and the same
// merge rules as PgWorkQueue, and passes the same contract test
// (tests/sink/work_queue_contract_test.cpp).
//
// Threading: one event loop; every operation completes without suspending. Faults: `fail_next`
// makes the next operations throw a retryable DatabaseError, as a dropped connection would.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "sink/work_queue.hpp"

namespace insights::testing {

class InMemoryWorkQueue final : public WorkQueue {
 public:
  // A work item with the columns `status` shows, for assertions.
  struct StoredItem {
    std::string source;
    WorkItem item;
    UtcSeconds next_due{};
    bool annotation_pass_done = false;
    int requested_passes = 0;
    std::optional<std::string> lease_owner;
    UtcSeconds lease_expires{};
    int attempts = 0;
    std::optional<std::string> last_error;
  };
  // A stored call summary, as far as the merge rules need it.
  struct StoredRow {
    std::string source;
    std::string processing_state;
    std::string content_hash;
    std::optional<UtcSeconds> start_time, end_time;
    bool retention_expired = false;
    int writes = 0;  // inserts and updates
  };

  boost::asio::awaitable<void> register_source(std::string name, std::string account_sid) override;
  boost::asio::awaitable<std::optional<UtcSeconds>> latest_window_end(std::string source,
                                                                      WorkKind kind) override;
  boost::asio::awaitable<int> add_windows(std::string source, WorkKind kind,
                                          std::vector<PlannedWindow> windows) override;
  boost::asio::awaitable<std::vector<WorkItem>> claim_due(ClaimRequest request) override;
  boost::asio::awaitable<std::optional<WorkItem>> reload(long long id, std::string owner) override;
  boost::asio::awaitable<bool> renew_lease(long long id, std::string owner,
                                           UtcSeconds until) override;
  boost::asio::awaitable<bool> release(long long id, std::string owner) override;
  boost::asio::awaitable<CommitResult> commit_page(WorkItemRef item, Page page,
                                                   std::optional<UtcSeconds> lease_until) override;
  boost::asio::awaitable<CommitResult> merge_rows(std::string source, Page page) override;
  boost::asio::awaitable<bool> finish_pass(long long id, std::string owner,
                                           FinishedPass pass) override;
  boost::asio::awaitable<bool> record_failure(long long id, std::string owner,
                                              FailedAttempt attempt) override;
  boost::asio::awaitable<bool> split_window(long long id, std::string owner,
                                            std::vector<TimeWindow> pieces,
                                            UtcSeconds now) override;
  boost::asio::awaitable<std::vector<PartialCall>> partial_calls_in(std::string source,
                                                                    TimeWindow window,
                                                                    int limit) override;
  boost::asio::awaitable<int> mark_retention_expired(std::string source, TimeWindow window,
                                                     UtcSeconds now) override;

  // As enqueue_backfill does for existing windows: each window of `source` overlapping `range`
  // owes one more pass, due by `now`.
  void request_passes(const std::string& source, const TimeWindow& range, UtcSeconds now);

  // The next `count` operations named `operation` (any when empty: "commit page", "claim due
  // work", ...) throw DatabaseError (retry), before changing anything.
  void fail_next(int count, std::string operation = "") {
    failures_left_ = count;
    failing_operation_ = std::move(operation);
  }

  std::vector<StoredItem> items() const;  // by id
  const std::map<std::string, StoredRow>& rows() const { return rows_; }

 private:
  void maybe_fail(const char* operation);
  StoredItem* leased(long long id, const std::string& owner);
  static WorkItem as_claimed(const StoredItem& stored);
  CommitResult merge(const std::string& source, const Page& page);
  bool add(const std::string& source, WorkKind kind, const TimeWindow& window, UtcSeconds due,
           int requested_passes);
  std::vector<std::string> partial_rows_in(const std::string& source, const TimeWindow& window);

  std::map<std::string, std::string> sources_;  // name → account, as registered
  std::map<long long, StoredItem> items_;
  std::map<std::tuple<std::string, WorkKind, UtcSeconds, UtcSeconds>, long long> keys_;
  std::map<std::string, StoredRow> rows_;
  long long next_id_ = 1;
  int failures_left_ = 0;
  std::string failing_operation_;
};

}  // namespace insights::testing
