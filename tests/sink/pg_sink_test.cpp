#include "sink/pg_sink.hpp"

#include <gtest/gtest.h>

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "api/page_parser.hpp"
#include "sink/changed_rows.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/test_database.hpp"

namespace insights::testing {
namespace {

class PgSinkTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    sink = std::make_unique<PgSink>(PgSinkOptions{db->conninfo(), {}});
    item.id = create_work_item();
  }

  // Commits `body` (a list page) at the work item's current position and moves `item` along,
  // as the scheduler will.
  CommitResult commit(const std::string& body) {
    const Page page = parse_summaries_page(body);
    CommitResult result = sink->commit_page(item, page);
    item.cursor = page.meta.next_page_url;
    if (result.pass_finished)
      ++item.pass;
    return result;
  }

  std::string column(const std::string& sid, const std::string& expression) {
    return scalar("SELECT " + expression + " FROM call_summaries WHERE call_sid = '" + sid + "'");
  }

  std::unique_ptr<PgSink> sink;
  WorkItemRef item;
};

TEST_F(PgSinkTest, PartialThenCompleteUpgradesTheRow) {
  const auto sid = call_sid(1);
  auto first = commit(page_json({summary_json(sid, "partial", R"("duration": 0)")}));
  EXPECT_EQ(first.inserted, 1);
  EXPECT_EQ(first.partial_rows, 1);
  EXPECT_EQ(column(sid, "processing_state"), "partial");
  EXPECT_EQ(column(sid, "completed_at IS NULL"), "t");

  auto second = commit(page_json({summary_json(sid, "complete", R"("tags": ["silence"])")}));
  EXPECT_EQ(second.updated, 1);
  EXPECT_EQ(second.inserted, 0);
  EXPECT_EQ(column(sid, "processing_state"), "complete");
  EXPECT_EQ(column(sid, "duration"), "120");
  EXPECT_EQ(column(sid, "tags"), "{silence}");
  EXPECT_EQ(column(sid, "completed_at IS NOT NULL"), "t");
  EXPECT_EQ(column(sid, "first_seen_at < last_changed_at"), "t");
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "1");
}

TEST_F(PgSinkTest, CompleteRowIsNeverDowngradedToPartial) {
  const auto sid = call_sid(2);
  commit(page_json({summary_json(sid, "complete", R"("tags": ["high_jitter"])")}));
  const std::string xmin_before = column(sid, "xmin::text");

  auto result = commit(page_json({summary_json(sid, "partial", R"("duration": 0, "tags": [])")}));
  EXPECT_EQ(result.downgrade_refused, 1);
  EXPECT_EQ(result.updated, 0);
  EXPECT_EQ(result.unchanged, 0);
  EXPECT_EQ(column(sid, "processing_state"), "complete");
  EXPECT_EQ(column(sid, "duration"), "120");
  EXPECT_EQ(column(sid, "tags"), "{high_jitter}");
  EXPECT_EQ(column(sid, "xmin::text"), xmin_before) << "a refused downgrade must not write";
  EXPECT_EQ(scalar("SELECT rows_downgrade_refused FROM work_items"), "1");
}

TEST_F(PgSinkTest, IdenticalPayloadLeavesTheRowUntouched) {
  const auto sid = call_sid(3);
  const auto body = page_json({summary_json(sid, "complete")});
  commit(body);
  const std::string xmin_before = column(sid, "xmin::text");
  const std::string changed_before = column(sid, "last_changed_at::text");
  const std::string updates_before =
      scalar("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'call_summaries'");

  auto result = commit(body);
  EXPECT_EQ(result.unchanged, 1);
  EXPECT_EQ(result.staged_rows, 0) << "an unchanged row is not sent to the server";
  EXPECT_EQ(result.updated, 0);
  EXPECT_EQ(result.inserted, 0);
  EXPECT_EQ(column(sid, "xmin::text"), xmin_before) << "no new tuple version";
  EXPECT_EQ(column(sid, "last_changed_at::text"), changed_before);
  EXPECT_EQ(scalar("SELECT rows_unchanged FROM work_items"), "1");
  EXPECT_EQ(updates_before, "0");
}

TEST_F(PgSinkTest, AReReadSendsOnlyTheRowsThatAreNewOrChanged) {
  const auto same = call_sid(20), edited = call_sid(21), upgraded = call_sid(22),
             added = call_sid(23), kept_complete = call_sid(24);
  commit(page_json({summary_json(same, "complete"),
                    summary_json(edited, "complete", R"("annotation": {"spam": false})"),
                    summary_json(upgraded, "partial", R"("duration": 0)"),
                    summary_json(kept_complete, "complete")}));
  const std::string same_xmin = column(same, "xmin::text");

  auto result = commit(page_json({
      summary_json(same, "complete"),
      summary_json(edited, "complete", R"("annotation": {"spam": true})"),
      summary_json(upgraded, "complete"),
      summary_json(added, "partial", R"("duration": 0)"),
      summary_json(kept_complete, "partial", R"("duration": 0)"),
  }));
  EXPECT_EQ(result.distinct_rows, 5);
  EXPECT_EQ(result.partial_rows, 2);
  EXPECT_EQ(result.staged_rows, 4) << "all but the unchanged row";
  EXPECT_EQ(result.inserted, 1);
  EXPECT_EQ(result.updated, 2);
  EXPECT_EQ(result.downgrade_refused, 1);
  EXPECT_EQ(result.unchanged, 1);
  EXPECT_EQ(column(same, "xmin::text"), same_xmin);
  EXPECT_EQ(column(edited, "annotation->>'spam'"), "true");
  EXPECT_EQ(column(upgraded, "processing_state"), "complete");
  EXPECT_EQ(column(added, "processing_state"), "partial");
  EXPECT_EQ(column(kept_complete, "processing_state"), "complete");
}

TEST_F(PgSinkTest, ADuplicateWhoseKeptRowIsStoredAsIsSendsNothing) {
  const auto sid = call_sid(25);
  const auto complete = summary_json(sid, "complete");
  commit(page_json({complete}));
  // The merge keeps the complete occurrence; it is stored already, so the partial one beside
  // it must not be sent either (it would count as a refused downgrade).
  auto result = commit(page_json({summary_json(sid, "partial", R"("duration": 0)"), complete}));
  EXPECT_EQ(result.distinct_rows, 1);
  EXPECT_EQ(result.staged_rows, 0);
  EXPECT_EQ(result.unchanged, 1);
  EXPECT_EQ(result.downgrade_refused, 0);
}

TEST_F(PgSinkTest, TheCallSidArrayLiteralKeepsEveryCharacter) {
  // Twilio's call_sids are CA + 32 hex digits (the parser refuses others); the literal must
  // still not let a quote, a comma or a brace change the array.
  std::vector<CallSummaryRow> rows(5);
  rows[0].call_sid = R"(CA"quoted")";
  rows[1].call_sid = R"(back\slash)";
  rows[2].call_sid = "comma,{brace}";
  rows[3].call_sid = "with space";
  rows[4].call_sid = "NULL";
  std::vector<const CallSummaryRow*> pointers;
  for (const auto& row : rows)
    pointers.push_back(&row);
  pqxx::nontransaction query(*pg);
  const pqxx::result elements = query.exec_params(
      "SELECT unnest($1::text[]) IS NULL, unnest($1::text[])", text_array_literal(pointers));
  ASSERT_EQ(elements.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_FALSE(elements[static_cast<int>(i)][0].as<bool>());
    EXPECT_EQ(elements[static_cast<int>(i)][1].as<std::string>(), rows[i].call_sid);
  }
}

TEST_F(PgSinkTest, NewerCompletePayloadReplacesTheOlderOne) {
  const auto sid = call_sid(4);
  commit(page_json({summary_json(sid, "complete", R"("annotation": {"spam": false})")}));
  const std::string completed_at = column(sid, "completed_at::text");
  auto result = commit(page_json(
      {summary_json(sid, "complete", R"("annotation": {"spam": true, "call_score": 2})")}));
  EXPECT_EQ(result.updated, 1);
  EXPECT_EQ(column(sid, "annotation->>'spam'"), "true");
  EXPECT_EQ(column(sid, "annotation->>'call_score'"), "2");
  EXPECT_EQ(column(sid, "completed_at::text"), completed_at) << "completion time is the first";
}

TEST_F(PgSinkTest, DuplicateCallSidInOnePageKeepsTheMostCompleteLatest) {
  const auto a = call_sid(5);
  const auto b = call_sid(6);
  auto result = commit(page_json({
      summary_json(a, "partial", R"("duration": 1)"),
      summary_json(a, "complete", R"("duration": 2)"),
      summary_json(a, "partial", R"("duration": 3)"),
      summary_json(b, "partial", R"("duration": 4)"),
      summary_json(b, "partial", R"("duration": 5)"),
  }));
  EXPECT_EQ(result.distinct_rows, 2);
  EXPECT_EQ(result.inserted, 2);
  EXPECT_EQ(column(a, "processing_state || ' ' || duration"), "complete 2");
  EXPECT_EQ(column(b, "processing_state || ' ' || duration"), "partial 5");
}

TEST_F(PgSinkTest, NullAndMissingKeysOfTheRealSingleSummaryAreStoredAsNull) {
  const Page page = parse_single_summary(read_fixture("call_summary_single_real_2020.json"));
  sink->commit_page(item, page);
  const std::string sid = "CA04917eab5c194f4c86207384933c0c41";
  for (const char* absent : {"created_time", "answered_by", "trust", "annotation", "tags",
                             "sip_edge", "client_edge", "extra"}) {
    EXPECT_EQ(column(sid, std::string(absent) + " IS NULL"), "t") << absent;
  }
  EXPECT_EQ(column(sid, "from_party->>'carrier'"), "Twilio");
  EXPECT_EQ(column(sid, "sdk_edge #>> '{metrics,inbound,mos,avg}'"), "4.43");
  EXPECT_EQ(column(sid, "carrier_edge IS NOT NULL"), "t");
  EXPECT_EQ(column(sid, "processing_state"), "complete");
}

TEST_F(PgSinkTest, UnknownTopLevelKeysArePreserved) {
  const auto sid = call_sid(7);
  auto page = parse_summaries_page(page_json({summary_json(
      sid, "complete", R"("brand_new_field": {"x": [1, 2]}, "another_one": "value")")}));
  EXPECT_EQ(page.unknown_keys, (std::vector<std::string>{"another_one", "brand_new_field"}));
  sink->commit_page(item, page);
  EXPECT_EQ(column(sid, "extra->'brand_new_field'->'x'->>1"), "2");
  EXPECT_EQ(column(sid, "extra->>'another_one'"), "value");
}

TEST_F(PgSinkTest, NonAsciiTextRoundTripsByteExact) {
  const auto sid = call_sid(8);
  const std::string carrier = "Telefônica Brasil — 東京 \\ \"quoted\"\ttab";
  commit(page_json({summary_json(
      sid, "complete",
      R"("annotation": {"comment": "Telefônica Brasil — 東京 \\ \"quoted\"\ttab"})")}));
  EXPECT_EQ(column(sid, "annotation->>'comment'"), carrier);
}

TEST_F(PgSinkTest, PiiThatTwilioLaterNullsIsKept) {
  const auto sid = call_sid(9);
  commit(page_json({summary_json(sid, "complete")}));
  std::string later = summary_json(sid, "complete", R"("annotation": {"spam": true})");
  later.replace(later.find(R"({"caller": "+15555550100"})"), 26, "null");
  commit(page_json({later}));
  EXPECT_EQ(column(sid, "annotation->>'spam'"), "true");
  EXPECT_EQ(column(sid, "from_party->>'caller'"), "+15555550100");
}

// Each fixture page is loaded; every stored column must equal what PostgreSQL itself reads
// from the fixture JSON (for a call_sid appearing several times: the last complete one).
TEST_F(PgSinkTest, EveryFixturePageLoadsWithTheExpectedColumnValues) {
  const std::vector<std::pair<const char*, const char*>> expectations = {
      {"account_sid", "e->>'account_sid'"},
      {"call_type", "e->>'call_type'"},
      {"call_state", "e->>'call_state'"},
      {"direction", "e->'properties'->>'direction'"},
      {"answered_by", "e->>'answered_by'"},
      {"processing_state", "e->>'processing_state'"},
      {"created_time", "(e->>'created_time')::timestamptz"},
      {"start_time", "(e->>'start_time')::timestamptz"},
      {"end_time", "(e->>'end_time')::timestamptz"},
      {"duration", "(e->>'duration')::integer"},
      {"connect_duration", "(e->>'connect_duration')::integer"},
      {"tags",
       "CASE WHEN jsonb_typeof(e->'tags') = 'array' THEN"
       " ARRAY(SELECT jsonb_array_elements_text(e->'tags')) END"},
      {"from_party", "nullif(e->'from', 'null')"},
      {"to_party", "nullif(e->'to', 'null')"},
      {"carrier_edge", "nullif(e->'carrier_edge', 'null')"},
      {"client_edge", "nullif(e->'client_edge', 'null')"},
      {"sdk_edge", "nullif(e->'sdk_edge', 'null')"},
      {"sip_edge", "nullif(e->'sip_edge', 'null')"},
      {"properties", "nullif(e->'properties', 'null')"},
      {"attributes", "nullif(e->'attributes', 'null')"},
      {"trust", "nullif(e->'trust', 'null')"},
      {"annotation", "nullif(e->'annotation', 'null')"},
      {"extra",
       "nullif(e - ARRAY['call_sid','account_sid','call_type','call_state',"
       "'answered_by','processing_state','created_time','start_time','end_time',"
       "'duration','connect_duration','tags','from','to','carrier_edge','client_edge',"
       "'sdk_edge','sip_edge','properties','attributes','trust','annotation',"
       "'agent_session_summaries','url'], '{}')"},
  };
  const auto names = page_fixture_names();
  ASSERT_EQ(names.size(), 7u);
  int fixture_index = 0;
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const std::string body = read_fixture(name);
    {
      pqxx::work transaction(*pg);
      transaction.exec0("TRUNCATE call_summaries");
      transaction.commit();
    }
    const std::string day = std::to_string(10 + fixture_index++);
    const WorkItemRef fixture_item{create_work_item("fixtures", "2021-01-" + day + "T00:00:00Z",
                                                    "2021-01-" + day + "T01:00:00Z"),
                                   0, std::nullopt, std::nullopt};
    const CommitResult result = sink->commit_page(fixture_item, parse_summaries_page(body));

    pqxx::nontransaction query(*pg);
    const std::string latest =
        "WITH items AS (SELECT e, ord FROM jsonb_array_elements($1::jsonb->'call_summaries')"
        " WITH ORDINALITY AS t(e, ord)), latest AS (SELECT DISTINCT ON (e->>'call_sid') e FROM"
        " items ORDER BY e->>'call_sid', (e->>'processing_state' = 'complete') DESC, ord DESC) ";
    const int expected_rows =
        query.exec_params1(latest + "SELECT count(*) FROM latest", body)[0].as<int>();
    EXPECT_EQ(result.distinct_rows, expected_rows);
    EXPECT_EQ(query.exec1("SELECT count(*) FROM call_summaries")[0].as<int>(), expected_rows);
    for (const auto& [column_name, expected] : expectations) {
      const int mismatches =
          query
              .exec_params1(latest +
                                "SELECT count(*) FROM latest LEFT JOIN call_summaries cs"
                                " ON cs.call_sid = e->>'call_sid' WHERE cs." +
                                std::string(column_name) + " IS DISTINCT FROM " + expected,
                            body)[0]
              .as<int>();
      EXPECT_EQ(mismatches, 0) << "column " << column_name;
    }
    if (name == "call_summaries_page_carrier.json") {  // spot checks, values read by eye
      EXPECT_EQ(query
                    .exec1("SELECT to_party->>'carrier' || ' ' || duration || ' ' || answered_by"
                           " FROM call_summaries")[0]
                    .as<std::string>(),
                "AT&T Wireless 18 machine_start");
    }
  }
}

TEST_F(PgSinkTest, CursorAdvancesPageByPageAndThePassEnds) {
  const std::string next =
      "https://insights.twilio.com/v1/Voice/Summaries?PageSize=1&Page=1"
      "&PageToken=PT1";
  auto first = commit(page_json({summary_json(call_sid(10), "partial")}, next));
  EXPECT_FALSE(first.pass_finished);
  EXPECT_EQ(scalar("SELECT page_cursor FROM work_items"), next);
  EXPECT_EQ(scalar("SELECT state || ' ' || passes_completed || ' ' || pass_pages FROM work_items"),
            "pending 0 1");

  auto second = commit(page_json({summary_json(call_sid(11), "complete")}));
  EXPECT_TRUE(second.pass_finished);
  EXPECT_EQ(scalar("SELECT page_cursor IS NULL FROM work_items"), "t");
  EXPECT_EQ(scalar("SELECT state || ' ' || passes_completed || ' ' || pass_pages || ' ' ||"
                   " pass_rows || ' ' || pass_partial_rows || ' ' || pages_read FROM work_items"),
            "open 1 2 2 1 2");

  // The next pass starts its counters afresh.
  commit(page_json({summary_json(call_sid(10), "complete")}));
  EXPECT_EQ(scalar("SELECT passes_completed || ' ' || pass_pages || ' ' || pass_rows || ' ' ||"
                   " pass_partial_rows FROM work_items"),
            "2 1 1 0");
}

TEST_F(PgSinkTest, ReplayedOrForeignPageIsRejectedAndChangesNothing) {
  const std::string next = "https://insights.twilio.com/v1/Voice/Summaries?PageToken=PT1";
  const WorkItemRef at_start = item;
  commit(page_json({summary_json(call_sid(12), "partial")}, next));

  // The same first page again (its commit's outcome was lost, say): refused.
  const Page replay = parse_summaries_page(page_json({summary_json(call_sid(13), "partial")}));
  EXPECT_THROW(sink->commit_page(at_start, replay), StaleWorkItemError);
  // A caller that thinks it holds a lease it does not hold: refused.
  WorkItemRef foreign = item;
  foreign.lease_owner = "another-instance";
  EXPECT_THROW(sink->commit_page(foreign, replay), StaleWorkItemError);
  // A work item that does not exist: refused.
  WorkItemRef missing = item;
  missing.id = 987654;
  EXPECT_THROW(sink->commit_page(missing, replay), StaleWorkItemError);

  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "1");
  EXPECT_EQ(scalar("SELECT page_cursor FROM work_items"), next);
  // The sink is still usable afterwards.
  EXPECT_NO_THROW(commit(page_json({summary_json(call_sid(14), "complete")})));
}

TEST_F(PgSinkTest, FailureAtAnyStepLeavesNeitherRowsNorCursorChanged) {
  const std::vector<CommitStep> steps = {CommitStep::begin,          CommitStep::lock_work_item,
                                         CommitStep::copy_rows,      CommitStep::merge_rows,
                                         CommitStep::advance_cursor, CommitStep::commit};
  const std::string next = "https://insights.twilio.com/v1/Voice/Summaries?PageToken=PT9";
  const Page page = parse_summaries_page(page_json(
      {summary_json(call_sid(20), "complete"), summary_json(call_sid(21), "partial")}, next));
  for (const CommitStep failing : steps) {
    SCOPED_TRACE(static_cast<int>(failing));
    PgSink faulty(PgSinkOptions{db->conninfo(), [failing](CommitStep step) {
                                  if (step == failing)
                                    throw std::runtime_error("injected");
                                }});
    EXPECT_THROW(faulty.commit_page(item, page), SyncError);
    EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "0");
    EXPECT_EQ(scalar("SELECT coalesce(page_cursor, '<null>') || ' ' || pages_read || ' ' ||"
                     " rows_inserted FROM work_items"),
              "<null> 0 0");
    // The failed transaction left no lock behind: another session can take the row at once.
    EXPECT_NO_THROW(scalar("SELECT id FROM work_items FOR UPDATE NOWAIT"));
  }
  // Without a fault the same page lands whole, rows and cursor together.
  const CommitResult result = sink->commit_page(item, page);
  EXPECT_EQ(result.inserted, 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "2");
  EXPECT_EQ(scalar("SELECT page_cursor || ' ' || pages_read FROM work_items"), next + " 1");
}

TEST_F(PgSinkTest, ReconnectsAfterItsConnectionIsKilled) {
  commit(page_json({summary_json(call_sid(30), "partial")}, "https://x/?PageToken=PT1"));
  scalar(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
      " WHERE application_name = 'insights-sync' AND datname = current_database()");
  const Page page = parse_summaries_page(page_json({summary_json(call_sid(31), "complete")}));
  try {
    sink->commit_page(item, page);
    ADD_FAILURE() << "the first commit after the backend was killed should fail";
  } catch (const SyncError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::retry) << error.what();
  }
  const CommitResult result = sink->commit_page(item, page);
  EXPECT_EQ(result.inserted, 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "2");
}

TEST_F(PgSinkTest, BadValueInAPageParksWithAClearMessage) {
  // 2^31 does not fit PostgreSQL's integer: the page is refused by the server, data exception.
  const Page page = parse_summaries_page(
      page_json({summary_json(call_sid(40), "complete", R"("connect_duration": 2147483648)")}));
  try {
    sink->commit_page(item, page);
    ADD_FAILURE() << "expected the page to be refused";
  } catch (const SyncError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::park);
    EXPECT_NE(std::string(error.what()).find("work item"), std::string::npos) << error.what();
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "0");
  EXPECT_EQ(scalar("SELECT pages_read FROM work_items"), "0");
}

}  // namespace
}  // namespace insights::testing
