#include "sink/pg_sink.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "sink/changed_rows.hpp"
#include "sink/database_call.hpp"
#include "sink/merge_statement.hpp"
#include "sink/pg_connection.hpp"
#include "sink/staging_writer.hpp"
#include "sink/work_item_writes.hpp"

namespace insights {
namespace {

constexpr const char* kMergePage = "insights_merge_page";

std::string describe(const std::optional<std::string>& value) {
  return value ? "\"" + *value + "\"" : "(none)";
}

}  // namespace

struct PgSink::Session {
  std::unique_ptr<pqxx::connection> connection;
};

PgSink::PgSink(PgSinkOptions options) : options_(std::move(options)) {}
PgSink::~PgSink() = default;

PgSink::Session& PgSink::session() {
  if (session_ && session_->connection->is_open())
    return *session_;
  session_.reset();
  auto fresh = std::make_unique<Session>();
  fresh->connection = open_connection(options_.conninfo);
  pqxx::connection& connection = *fresh->connection;
  // libpqxx 6 would silently reconnect after a break, losing the temporary staging table; we
  // rebuild the whole session instead. (Deprecated because libpqxx 7 never reconnects.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  connection.inhibit_reactivation(true);
#pragma GCC diagnostic pop
  {
    pqxx::nontransaction setup(connection);
    setup.exec0(staging_table_ddl());
  }
  prepare_page_statements(connection);
  prepare_changed_rows_lookup(connection);
  connection.prepare(kMergePage, merge_statement_sql());
  session_ = std::move(fresh);
  return *session_;
}

void PgSink::step(CommitStep which) const {
  if (options_.before_step)
    options_.before_step(which);
}

CommitResult PgSink::commit_page(const WorkItemRef& item, const Page& page,
                                 std::optional<UtcSeconds> lease_until) {
  return call_database(
      "committing a page of work item " + std::to_string(item.id), [this] { session_.reset(); },
      [&] { return commit_in_transaction(session(), item, page, lease_until); });
}

CommitResult PgSink::commit_in_transaction(Session& session, const WorkItemRef& item,
                                           const Page& page,
                                           std::optional<UtcSeconds> lease_until) {
  step(CommitStep::begin);
  pqxx::work transaction(*session.connection, "commit_page");

  step(CommitStep::lock_work_item);
  const std::optional<LockedWorkItem> locked = lock_for_page(transaction, item.id);
  if (!locked)
    throw StaleWorkItemError("work item " + std::to_string(item.id) + " no longer exists");
  const auto& [source, cursor, pass, owner] = *locked;
  if (pass != item.pass || cursor != item.cursor || owner != item.lease_owner) {
    throw StaleWorkItemError("work item " + std::to_string(item.id) + " moved on: expected pass " +
                             std::to_string(item.pass) + " at cursor " + describe(item.cursor) +
                             " leased by " + describe(item.lease_owner) + ", found pass " +
                             std::to_string(pass) + " at cursor " + describe(cursor) +
                             " leased by " + describe(owner) + "; page dropped");
  }

  CommitResult result = merge_in_transaction(transaction, source, page);
  result.pass_finished = page.is_last();

  step(CommitStep::advance_cursor);
  advance_cursor(transaction, item, page.meta.next_page_url, result, lease_until);

  step(CommitStep::commit);
  transaction.commit();
  return result;
}

CommitResult PgSink::merge_in_transaction(pqxx::work& transaction, const std::string& source,
                                          const Page& page) {
  CommitResult result;
  const std::vector<const CallSummaryRow*> distinct = distinct_page_rows(page.rows);
  result.distinct_rows = static_cast<int>(distinct.size());
  for (const CallSummaryRow* row : distinct) {
    if (row->processing_state == "partial")
      ++result.partial_rows;
  }
  step(CommitStep::copy_rows);
  const std::vector<const CallSummaryRow*> changed = rows_not_stored_as_is(transaction, distinct);
  write_staging_rows(transaction, changed);
  result.staged_rows = static_cast<int>(changed.size());

  step(CommitStep::merge_rows);
  if (!changed.empty()) {
    const pqxx::row counts = transaction.exec_prepared1(kMergePage, source);
    result.inserted = counts[0].as<int>();
    result.updated = counts[1].as<int>();
    result.downgrade_refused = counts[2].as<int>();
  }
  result.unchanged =
      result.distinct_rows - result.inserted - result.updated - result.downgrade_refused;
  return result;
}

CommitResult PgSink::merge_rows(const std::string& source, const Page& page) {
  return call_database(
      "merging single summaries of source " + source, [this] { session_.reset(); },
      [&] {
        Session& current = session();
        step(CommitStep::begin);
        pqxx::work transaction(*current.connection, "merge_rows");
        CommitResult result = merge_in_transaction(transaction, source, page);
        step(CommitStep::commit);
        transaction.commit();
        return result;
      });
}

}  // namespace insights
