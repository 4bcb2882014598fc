#include "sink/pg_sink.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "sink/database_call.hpp"
#include "sink/merge_statement.hpp"
#include "sink/pg_connection.hpp"
#include "sink/staging_writer.hpp"

namespace insights {
namespace {

constexpr const char* kLockWorkItem = "insights_lock_work_item";
constexpr const char* kMergePage = "insights_merge_page";
constexpr const char* kAdvanceCursor = "insights_advance_cursor";

constexpr const char* kLockWorkItemSql =
    "SELECT source, page_cursor, passes_completed, lease_owner FROM work_items"
    " WHERE id = $1 FOR UPDATE";

// $2: the next page's URL; $3: the pass ends with this page (no next page); $4: this page
// starts a pass. (libpqxx 6 cannot bind a NULL parameter from a variable, hence $3 for NULL.)
constexpr const char* kAdvanceCursorSql =
    "UPDATE work_items SET page_cursor = CASE WHEN $3::boolean THEN NULL ELSE $2 END,"
    " passes_completed = passes_completed + CASE WHEN $3::boolean THEN 1 ELSE 0 END,"
    " pass_pages = CASE WHEN $4::boolean THEN 1 ELSE pass_pages + 1 END,"
    " pass_rows = CASE WHEN $4::boolean THEN 0 ELSE pass_rows END + $5::integer,"
    " pass_partial_rows = CASE WHEN $4::boolean THEN 0 ELSE pass_partial_rows END + $6::integer,"
    " pass_undecided = $3::boolean,"
    " pages_read = pages_read + 1,"
    " rows_inserted = rows_inserted + $7::integer,"
    " rows_updated = rows_updated + $8::integer,"
    " rows_unchanged = rows_unchanged + $9::integer,"
    " rows_downgrade_refused = rows_downgrade_refused + $10::integer,"
    " state = CASE WHEN $3::boolean AND state = 'pending' THEN 'open' ELSE state END,"
    " last_pass_finished_at = CASE WHEN $3::boolean THEN now() ELSE last_pass_finished_at END,"
    " lease_expires_at = CASE WHEN $11::text = '' THEN lease_expires_at"
    "                         ELSE nullif($11::text, '')::timestamptz END,"
    " attempts = 0, last_error = NULL, last_error_at = NULL, updated_at = now()"
    " WHERE id = $1";

// (libpqxx 6.4's field::get<std::string, std::optional>() throws on NULL instead.)
std::optional<std::string> optional_text(const pqxx::field& field) {
  if (field.is_null())
    return std::nullopt;
  return field.as<std::string>();
}

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
  connection.prepare(kLockWorkItem, kLockWorkItemSql);
  connection.prepare(kMergePage, merge_statement_sql());
  connection.prepare(kAdvanceCursor, kAdvanceCursorSql);
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
  const pqxx::result locked = transaction.exec_prepared(kLockWorkItem, item.id);
  if (locked.empty()) {
    throw StaleWorkItemError("work item " + std::to_string(item.id) + " no longer exists");
  }
  const pqxx::row current = locked[0];
  const std::string source = current[0].as<std::string>();
  const auto cursor = optional_text(current[1]);
  const int pass = current[2].as<int>();
  const auto owner = optional_text(current[3]);
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
  transaction.exec_prepared0(kAdvanceCursor, item.id, page.meta.next_page_url.value_or(""),
                             result.pass_finished, !item.cursor.has_value(), result.distinct_rows,
                             result.partial_rows, result.inserted, result.updated, result.unchanged,
                             result.downgrade_refused,
                             lease_until ? format_utc(*lease_until) : std::string());

  step(CommitStep::commit);
  transaction.commit();
  return result;
}

CommitResult PgSink::merge_in_transaction(pqxx::work& transaction, const std::string& source,
                                          const Page& page) {
  CommitResult result;
  step(CommitStep::copy_rows);
  write_staging_rows(transaction, page.rows);

  step(CommitStep::merge_rows);
  if (!page.rows.empty()) {
    const pqxx::row counts = transaction.exec_prepared1(kMergePage, source);
    result.distinct_rows = counts[0].as<int>();
    result.partial_rows = counts[1].as<int>();
    result.inserted = counts[2].as<int>();
    result.updated = counts[3].as<int>();
    result.downgrade_refused = counts[4].as<int>();
    result.unchanged =
        result.distinct_rows - result.inserted - result.updated - result.downgrade_refused;
  }
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
