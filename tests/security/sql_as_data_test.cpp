// Every value reaches PostgreSQL as a parameter or as COPY data, never as SQL text: a hostile
// string in every text field of a summary, in the page cursor (where the API echoes filter
// values) and in a source's filter values lands as data, byte for byte, and the tables stay.
// (Source names are restricted to [A-Za-z0-9_-] by the config loader; COPY escaping of every
// control character: sink_unit_tests.)
#include <gtest/gtest.h>

#include <pqxx/nontransaction>

#include "api/page_parser.hpp"
#include "core/exit_codes.hpp"
#include "sink/pg_sink.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono_literals;

// Closes a quoted literal, ends the statement, drops the table, comments out the rest. The JSON
// form also carries COPY's own delimiters (tab, newline, backslash) and a dollar quote.
const std::string kHostile = "'; DROP TABLE call_summaries; --";
const std::string kHostileJson = kHostile + R"( \t\n\\ $$ \"x\" E'\\x41')";
const std::string kHostileText = kHostile + " \t\n\\ $$ \"x\" E'\\x41'";

class SqlAsDataTest : public PgTest {
 protected:
  bool tables_intact() {
    return scalar(
               "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN"
               " ('call_summaries', 'work_items', 'sources', 'backfills')") == "4";
  }
  // A value read back through a parameter, so the test itself builds no SQL from data.
  std::string stored(const std::string& expression, const std::string& sid) {
    pqxx::nontransaction tx(*pg);
    const auto row = tx.exec_params1(
        "SELECT (" + expression + ")::text FROM call_summaries WHERE call_sid = $1", sid);
    return row[0].is_null() ? "<null>" : row[0].as<std::string>();
  }
};

TEST_F(SqlAsDataTest, HostileSummaryFieldsAndCursorLandAsData) {
  const std::string sid = "CA0000000000000000000000000000bad1";
  const std::string hostile = "\"" + kHostileJson + "\"";
  const std::string summary =
      R"({"call_sid": ")" + sid + R"(", "account_sid": ")" + kSimAccount + R"(",)" +
      R"( "call_type": )" + hostile + R"(, "call_state": )" + hostile + R"(, "answered_by": )" +
      hostile + R"(, "processing_state": "complete",)" +
      R"( "start_time": "2026-11-01T00:10:00Z", "end_time": "2026-11-01T00:12:00Z",)" +
      R"( "duration": 120, "tags": [)" + hostile + R"(],)" + R"( "from": {"caller": )" + hostile +
      R"(, "carrier": )" + hostile + R"(}, "properties": {"direction": )" + hostile +
      R"(}, "annotation": {"comment": )" + hostile + R"(}, )" + hostile + ": " + hostile + "}";
  // The API echoes a request's filters in next_page_url; the sink stores it as the cursor.
  const std::string next = "https://insights.twilio.com/v1/Voice/Summaries?From=" + kHostile +
                           "&PageSize=1000&PageToken=PT1";
  const std::string body = R"({"meta": {"page": 0, "page_size": 1000, "key": "call_summaries",)"
                           R"( "next_page_url": ")" +
                           next + R"("}, "call_summaries": [)" + summary + "]}";

  PgSink sink(PgSinkOptions{db->conninfo(), {}});
  WorkItemRef item;
  item.id = create_work_item();
  const CommitResult result = sink.commit_page(item, parse_summaries_page(body));
  EXPECT_EQ(result.inserted, 1);

  ASSERT_TRUE(tables_intact());
  for (const char* expression :
       {"call_type", "call_state", "answered_by", "direction", "tags[1]", "from_party->>'caller'",
        "from_party->>'carrier'", "properties->>'direction'", "annotation->>'comment'"}) {
    EXPECT_EQ(stored(expression, sid), kHostileText) << expression;
  }
  // An unknown top-level key, hostile name and value, is kept too.
  pqxx::nontransaction tx(*pg);
  EXPECT_EQ(tx.exec_params1("SELECT extra->>$1 FROM call_summaries WHERE call_sid = $2",
                            kHostileText, sid)[0]
                .as<std::string>(),
            kHostileText);
  EXPECT_EQ(tx.exec_params1("SELECT page_cursor FROM work_items WHERE id = $1", item.id)[0]
                .as<std::string>(),
            next);
}

TEST_F(SqlAsDataTest, HostileFilterValuesReachTheApiAsDataAndSyncCleanly) {
  TestDir test_dir{"sql-as-data"};
  const std::string& dir = test_dir.path();
  SimProcess sim(dir + "/sim",
                 std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
                 {"--calls-per-hour", "120"});
  SyncConfig config;
  config.database_url = db->conninfo();
  config.api_url = sim.base_url();
  config.ca_file = sim.ca_file();
  config.lookback_hours = 2;
  config.sync_lines = {kFreshSchedule};  // `sync --once` reads the newest window too
  // TOML literal strings ('...') cannot hold a ', so these are basic strings.
  const std::string hostile = "\"" + kHostile + "\"";
  config.source_lines = {"filters = { from = [" + hostile + "], from_carrier = [" + hostile +
                         "], to_country_code = [" + hostile + "] }"};
  const std::string path = config.write(dir + "/sync.toml");
  const ChildResult result = run_child(INSIGHTS_SYNC_BINARY, {"--config", path, "sync", "--once"},
                                       dir + "/sync.log", {{kSyncConfigSecretEnv, kSimToken}}, 60s);
  ASSERT_TRUE(result.exit && result.exit->exited) << result.output;
  EXPECT_EQ(result.exit->exit_code, kExitOk) << result.output;
  EXPECT_TRUE(tables_intact());
  EXPECT_GT(sim.counter("pages"), 0) << "the filtered requests were answered";
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "0") << "no call has that number";
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE passes_completed = 0"), "0");
}

}  // namespace
}  // namespace insights::testing
