// deploy/grafana/insights-sync-dashboard.json against a warehouse seeded by a real sync from
// insights-sim: every panel's SQL, with Grafana's macros and the dashboard's variables
// substituted the way Grafana's PostgreSQL data source does, runs and returns rows with the
// columns the panel shows, and the figures are plausible (volumes add up to the rows stored,
// percentages within 0..100, MOS within 1..5, times inside the range asked for). The Freshness
// row: the newest call of each source as call_summaries has it, and its Prometheus panels query
// only metrics insights-sync exports, through the dashboard's Prometheus data source variable.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/sync_metrics.hpp"
#include "tests/bi/seeded_warehouse.hpp"

namespace insights {
namespace {

using namespace std::chrono;

struct Panel {
  std::string title;
  std::string format;  // time_series or table
  std::string sql;
};

rapidjson::Document dashboard_json() {
  std::ifstream file(INSIGHTS_SOURCE_DIR "/deploy/grafana/insights-sync-dashboard.json");
  std::stringstream text;
  text << file.rdbuf();
  rapidjson::Document document;
  document.Parse(text.str().c_str());
  return document;
}

std::vector<Panel> dashboard_panels(const rapidjson::Document& dashboard) {
  std::vector<Panel> panels;
  for (const auto& panel : dashboard["panels"].GetArray()) {
    if (!panel.HasMember("targets"))
      continue;  // a row
    for (const auto& target : panel["targets"].GetArray()) {
      if (!target.HasMember("rawSql"))
        continue;  // a Prometheus query (PromQueriesNameOnlyExportedMetrics)
      panels.push_back(
          {panel["title"].GetString(), target["format"].GetString(), target["rawSql"].GetString()});
    }
  }
  return panels;
}

std::string template_query(const rapidjson::Document& dashboard, const std::string& name) {
  for (const auto& variable : dashboard["templating"]["list"].GetArray()) {
    if (variable["name"].GetString() == name)
      return variable["query"].GetString();
  }
  return {};
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// Replaces `macro(argument, ...)` by what `expand` makes of its first argument.
template <typename Expand>
void expand_macro(std::string& sql, const std::string& macro, Expand expand) {
  for (auto at = sql.find(macro + "("); at != std::string::npos; at = sql.find(macro + "(")) {
    const auto open = at + macro.size() + 1;
    const auto close = sql.find(')', open);
    const std::string arguments = sql.substr(open, close - open);
    sql.replace(at, close + 1 - at, expand(arguments.substr(0, arguments.find(','))));
  }
}

class GrafanaDashboardTest : public testing::SeededWarehouseTest {
 protected:
  // What Grafana sends for a range, the "All" accounts and a one-hour bucket.
  std::string substitute(std::string sql, UtcSeconds from, UtcSeconds to,
                         const std::vector<std::string>& accounts) {
    const std::string from_literal = pg->quote(format_utc(from)) + "::timestamptz";
    const std::string to_literal = pg->quote(format_utc(to)) + "::timestamptz";
    expand_macro(sql, "$__timeFilter", [&](const std::string& column) {
      return column + " BETWEEN " + from_literal + " AND " + to_literal;
    });
    expand_macro(sql, "$__timeGroupAlias", [](const std::string& column) {
      return "floor(extract(epoch from " + column + ")/3600)*3600 AS \"time\"";
    });
    replace_all(sql, "$__timeFrom()", from_literal);
    replace_all(sql, "$__timeTo()", to_literal);
    std::string list;
    for (const auto& account : accounts)
      list += (list.empty() ? "" : ",") + pg->quote(account);
    replace_all(sql, "$account", list);
    replace_all(sql, "$bucket", "1h");
    return sql;
  }

  pqxx::result query(const std::string& sql) {
    pqxx::nontransaction transaction(*pg);
    return transaction.exec(sql);
  }

  const rapidjson::Document dashboard = dashboard_json();
};

std::vector<std::string> column_names(const pqxx::result& result) {
  std::vector<std::string> names;
  for (pqxx::row::size_type column = 0; column < result.columns(); ++column)
    names.emplace_back(result.column_name(column));
  return names;
}

TEST_F(GrafanaDashboardTest, TheDashboardHasItsVariablesAndPanelsForEveryTopic) {
  ASSERT_FALSE(dashboard.HasParseError());
  for (const char* variable : {"datasource", "account", "bucket"})
    EXPECT_FALSE(template_query(dashboard, variable).empty()) << variable;
  std::string titles;
  for (const auto& panel : dashboard_panels(dashboard))
    titles += panel.title + "\n";
  for (const char* topic :
       {"Calls by state", "Jitter", "Packet loss", "MOS", "Abnormal sessions", "Tags", "country",
        "carrier", "Answered by", "Annotations", "Sync health", "Newest call landed"}) {
    EXPECT_NE(titles.find(topic), std::string::npos) << topic << " in\n" << titles;
  }
}

TEST_F(GrafanaDashboardTest, EveryPanelRunsAndReturnsRowsWithItsColumns) {
  // The account variable's own query lists the accounts; "All" selects each of them.
  std::vector<std::string> accounts;
  for (const auto& row : query(template_query(dashboard, "account")))
    accounts.push_back(row[0].as<std::string>());
  EXPECT_EQ(accounts, (std::vector<std::string>{testing::kSimAccount, testing::kSecondAccount}));

  const UtcSeconds from = now - hours(24);
  const UtcSeconds to = now + minutes(1);
  const auto panels = dashboard_panels(dashboard);
  ASSERT_GE(panels.size(), 18u);
  for (const auto& panel : panels) {
    SCOPED_TRACE(panel.title);
    const std::string sql = substitute(panel.sql, from, to, accounts);
    ASSERT_EQ(sql.find('$'), std::string::npos) << "a macro or variable left in\n" << sql;
    pqxx::result rows;
    ASSERT_NO_THROW(rows = query(sql)) << sql;
    EXPECT_GT(rows.size(), 0u) << sql;
    const auto names = column_names(rows);
    if (panel.format == "time_series") {
      // Grafana's time series format: a "time" column, then the values (and a metric name).
      ASSERT_FALSE(names.empty());
      EXPECT_EQ(names.front(), "time");
      for (const auto& row : rows) {
        const auto at = UtcSeconds(seconds(row["time"].as<long long>()));
        EXPECT_GE(at, floor<hours>(from));
        EXPECT_LE(at, to);
      }
    }
    // Percentages, and the per-edge series of the packet loss panel, stay within 0..100.
    const bool packet_loss = panel.title.find("Packet loss") != std::string::npos;
    for (const auto& name : names) {
      if (name.find("percent") == std::string::npos && !(packet_loss && name != "time"))
        continue;
      for (const auto& row : rows) {
        if (row[name].is_null())
          continue;
        EXPECT_GE(row[name].as<double>(), 0.0) << name;
        EXPECT_LE(row[name].as<double>(), 100.0) << name;
      }
    }
    if (panel.title.find("MOS") != std::string::npos) {
      for (const auto& row : rows) {
        EXPECT_GE(row["mos"].as<double>(), 1.0);
        EXPECT_LE(row["mos"].as<double>(), 5.0);
      }
    }
  }
}

TEST_F(GrafanaDashboardTest, VolumePanelsAddUpToTheCallsStored) {
  std::vector<std::string> accounts{testing::kSimAccount, testing::kSecondAccount};
  const UtcSeconds from = now - hours(24);
  const UtcSeconds to = now + minutes(1);
  const long long stored = std::stoll(scalar("SELECT count(*) FROM call_summaries"));
  ASSERT_GT(stored, 1000);
  for (const auto& panel : dashboard_panels(dashboard)) {
    if (panel.title != "Calls by state" && panel.title != "Calls by direction" &&
        panel.title != "Calls by type" && panel.title != "Calls by account" &&
        panel.title != "Answered by")
      continue;
    SCOPED_TRACE(panel.title);
    long long total = 0;
    for (const auto& row : query(substitute(panel.sql, from, to, accounts)))
      total += row["calls"].as<long long>();
    EXPECT_EQ(total, stored);
  }
  // One account selected: only its calls.
  const long long first =
      std::stoll(scalar("SELECT count(*) FROM call_summaries WHERE account_sid = " +
                        pg->quote(testing::kSimAccount)));
  for (const auto& panel : dashboard_panels(dashboard)) {
    if (panel.title != "Calls by state")
      continue;
    long long total = 0;
    for (const auto& row : query(substitute(panel.sql, from, to, {testing::kSimAccount})))
      total += row["calls"].as<long long>();
    EXPECT_EQ(total, first);
    EXPECT_LT(total, stored);
  }
}

// The Freshness row's table: per source the start and age of its newest call, as
// call_summaries has them; a source without rows is listed with neither.
TEST_F(GrafanaDashboardTest, TheNewestCallPanelShowsEachSourcesNewestCall) {
  query(
      "INSERT INTO sources (name, account_sid) VALUES ('idle', "
      "'AC00000000000000000000000000000009')");
  struct Newest {
    std::string start;    // as PostgreSQL prints a timestamptz in this session
    long long epoch = 0;  // whole seconds
  };
  std::map<std::string, Newest> newest;
  for (const auto& row : query("SELECT source, max(start_time)::text,"
                               " floor(extract(epoch FROM max(start_time)))::bigint"
                               " FROM call_summaries GROUP BY source"))
    newest[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<long long>()};
  ASSERT_EQ(newest.size(), 2u);  // the two seeded sources, with different newest calls
  ASSERT_NE(newest.begin()->second.start, newest.rbegin()->second.start);

  bool found = false;
  for (const auto& panel : dashboard_panels(dashboard)) {
    if (panel.title != "Newest call landed per source")
      continue;
    found = true;
    const pqxx::result rows =
        query(substitute(panel.sql, now - hours(24), now + minutes(1), {testing::kSimAccount}));
    ASSERT_EQ(rows.size(), 3u);
    for (const auto& row : rows) {
      const std::string source = row["source"].as<std::string>();
      SCOPED_TRACE(source);
      if (source == "idle") {
        EXPECT_TRUE(row["newest_call_start"].is_null());
        EXPECT_TRUE(row["newest_call_age_seconds"].is_null());
        continue;
      }
      ASSERT_TRUE(newest.contains(source));
      EXPECT_EQ(row["newest_call_start"].as<std::string>(), newest[source].start);
      // The age is now() minus that start, give or take the seconds this test has run.
      const long long age = row["newest_call_age_seconds"].as<long long>();
      const long long since_start =
          duration_cast<seconds>(system_clock::now().time_since_epoch()).count() -
          newest[source].epoch;
      EXPECT_GE(age, 0);
      EXPECT_LE(age, since_start + 1);
      EXPECT_GE(age, since_start - 120);
    }
  }
  EXPECT_TRUE(found);
}

// The metric names in a PromQL expression: insights_ followed by [a-z_].
std::vector<std::string> metric_names_in(const std::string& expr) {
  std::vector<std::string> names;
  for (auto at = expr.find("insights_"); at != std::string::npos; at = expr.find("insights_", at)) {
    auto end = at;
    while (end < expr.size() &&
           (std::islower(static_cast<unsigned char>(expr[end])) != 0 || expr[end] == '_'))
      ++end;
    names.push_back(expr.substr(at, end - at));
    at = end;
  }
  return names;
}

// What an exporter serves when every warehouse gauge has a value.
std::string exporter_metrics_text() {
  SyncMetrics metrics("1.0", "abc");
  const UtcSeconds now{seconds(1'800'000'000)};
  WarehouseCensus census;
  census.work_items = {{"main", "live", "open", 1}};
  census.partial_rows = {{"main", 2}};
  census.overdue_partial_rows = {{"main", 1}};
  census.oldest_unsettled = {{"main", now - hours(1)}};
  census.read_through = {{"main", now - minutes(50)}};
  census.newest_call_start = {{"main", now - minutes(52)}};
  metrics.source_started("main", 4);
  metrics.warehouse(census, now, seconds(6300));
  return metrics.serialize();
}

// Panels on Prometheus use the dashboard's Prometheus data source variable, say what they show,
// and query only series insights-sync exports.
TEST(GrafanaDashboardPrometheus, PromQueriesNameOnlyExportedMetrics) {
  const rapidjson::Document dashboard = dashboard_json();
  ASSERT_FALSE(dashboard.HasParseError());
  bool variable = false;
  for (const auto& entry : dashboard["templating"]["list"].GetArray()) {
    if (std::string(entry["name"].GetString()) == "prometheus") {
      variable = true;
      EXPECT_STREQ(entry["type"].GetString(), "datasource");
      EXPECT_STREQ(entry["query"].GetString(), "prometheus");
    }
  }
  EXPECT_TRUE(variable);

  const std::string exported = exporter_metrics_text();
  std::vector<std::string> queried;
  for (const auto& panel : dashboard["panels"].GetArray()) {
    if (!panel.HasMember("targets"))
      continue;
    const std::string title = panel["title"].GetString();
    for (const auto& target : panel["targets"].GetArray()) {
      if (!target.HasMember("expr"))
        continue;
      SCOPED_TRACE(title);
      EXPECT_STREQ(target["datasource"]["type"].GetString(), "prometheus");
      EXPECT_STREQ(target["datasource"]["uid"].GetString(), "${prometheus}");
      EXPECT_TRUE(panel.HasMember("description"));
      const auto names = metric_names_in(target["expr"].GetString());
      EXPECT_FALSE(names.empty()) << target["expr"].GetString();
      for (const auto& name : names) {
        EXPECT_NE(exported.find("\n" + name + "{"), std::string::npos) << name << "\n" << exported;
        queried.push_back(name);
      }
    }
  }
  for (const char* name :
       {"insights_source_newest_call_age_seconds", "insights_source_lag_seconds",
        "insights_source_lag_promised_seconds", "insights_overdue_partial_rows"}) {
    EXPECT_NE(std::find(queried.begin(), queried.end(), name), queried.end()) << name;
  }
}

}  // namespace
}  // namespace insights
