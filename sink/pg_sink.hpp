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
// at a time; PgWorkQueue runs it on a commit lane's thread, never on the Asio loop.
// Errors: every failure is a SyncError whose kind() says retry / park / fatal
// (sink/pg_error_kind.hpp). A lost connection is reopened on the next call.

#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <string>

#include "api/page.hpp"
#include "core/error.hpp"
#include "core/utc_time.hpp"
#include "sink/commit_result.hpp"
#include "sink/pg_sink_options.hpp"
#include "sink/work_item.hpp"

namespace insights {

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
