#pragma once
// PgSink writes pages into PostgreSQL, one transaction per page:
//
//   lock the work item row and check it is where the caller left it (else StaleWorkItemError)
//   → COPY the page into the session's staging table → merge into call_summaries
//   (docs/architecture.md, "A page from HTTP to COPY") → advance the work item's cursor and
//   counters → COMMIT.
//
// So a page's rows and the cursor saying "this page is done" become visible together or not at
// all; a crash at any instant loses nothing and applies nothing twice.
//
// Threading: blocking (libpqxx). One PgSink owns one connection and must be used by one thread
// at a time; the daemon runs it on AsyncPgSink's worker thread, never on the Asio loop.
// Errors: every failure is a SyncError whose kind() says retry / park / fatal
// (sink/pg_error_kind.hpp). A lost connection is reopened on the next call.

#include <functional>
#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <string>

#include "api/page.hpp"
#include "core/error.hpp"
#include "core/utc_time.hpp"
#include "sink/work_item.hpp"

namespace insights {

// The steps of commit_page, in order; a test hook can fail any of them.
enum class CommitStep { begin, lock_work_item, copy_rows, merge_rows, advance_cursor, commit };

struct PgSinkOptions {
  std::string conninfo;  // libpq connection string or URI; empty = libpq environment
  // Called before each step. Tests throw from it to prove that a failure at any step leaves
  // neither rows nor cursor changed. Unset in production.
  std::function<void(CommitStep)> before_step;
};

struct CommitResult {
  int distinct_rows = 0;  // rows after collapsing duplicate call_sids within the page
  int partial_rows = 0;   // of those, how many were still partial
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;           // identical content hash: no write at all
  int downgrade_refused = 0;   // stored complete row kept, incoming partial ignored
  bool pass_finished = false;  // this was the window's last page
};

// The work item moved on since the caller read it (the page was already committed, or
// another instance holds it now). The page is dropped; the caller re-reads the work item.
class StaleWorkItemError : public SyncError {
 public:
  explicit StaleWorkItemError(const std::string& message) : SyncError(ErrorKind::retry, message) {}
};

class PgSink {
 public:
  explicit PgSink(PgSinkOptions options);
  ~PgSink();
  PgSink(const PgSink&) = delete;
  PgSink& operator=(const PgSink&) = delete;

  // `lease_until`: the holder's lease is extended in the same transaction (one round trip per
  // page instead of two).
  CommitResult commit_page(const WorkItemRef& item, const Page& page,
                           std::optional<UtcSeconds> lease_until = std::nullopt);

  // Merges rows that belong to no page cursor (single summaries fetched one by one) under the
  // same rules, in one transaction. `source` names the source in call_summaries.source.
  CommitResult merge_rows(const std::string& source, const Page& page);

 private:
  struct Session;  // the connection with its staging table and prepared statements
  Session& session();
  CommitResult commit_in_transaction(Session& session, const WorkItemRef& item, const Page& page,
                                     std::optional<UtcSeconds> lease_until);
  CommitResult merge_in_transaction(pqxx::work& transaction, const std::string& source,
                                    const Page& page);
  void step(CommitStep which) const;

  PgSinkOptions options_;
  std::unique_ptr<Session> session_;
};

}  // namespace insights
