// [retention] through the real insights-sync binary: `run` without it deletes nothing; with
// delete_after_days = 30 it deletes the older summaries at start, logs one line and counts them
// in /metrics; check-config warns about a value below Twilio's 30 days and refuses bad ones
// (exit 78). The source points at a port nobody listens on: retention needs no API.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <string>

#include "core/exit_codes.hpp"
#include "core/utc_time.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class RetentionRunTest : public PgTest {
 protected:
  // A config for `run` with `extra` appended (e.g. a [retention] table).
  std::string write_config(const std::string& name, const std::string& extra) {
    SyncConfig config;
    config.database_url = db->conninfo();
    config.api_url = "http://127.0.0.1:1";
    config.source_name = "main";
    config.instance_name = "retention-test";
    config.source_lines = {"allow_insecure_http = true"};
    config.tail = extra;
    return config.write(dir + "/" + name);
  }

  void insert_started_days_ago(const std::string& sid, int days_ago) {
    pqxx::work transaction(*pg);
    transaction.exec_params0(
        "INSERT INTO call_summaries (call_sid, source, content_hash, start_time)"
        " VALUES ($1, 'main', '\\x00', $2::timestamptz)",
        sid, format_utc(floor<seconds>(system_clock::now()) - days(days_ago)));
    transaction.commit();
  }

  // Starts `run`, waits until `ready` is in its log, scrapes /metrics, then SIGTERM: its log.
  std::string run_until(const std::string& config, const std::string& log, const std::string& ready,
                        std::string* metrics = nullptr) {
    ChildProcess daemon(INSIGHTS_SYNC_BINARY, {"--config", config, "run"}, dir + "/" + log,
                        {{kSyncConfigSecretEnv, "not-used"}});
    EXPECT_TRUE(eventually([&] { return contains(daemon.output(), ready); }, 20s))
        << daemon.output();
    if (metrics != nullptr) {
      const std::string marker = "metrics on http://127.0.0.1:";
      const std::string output = daemon.output();
      const std::size_t at = output.find(marker);
      if (at != std::string::npos) {
        HttpClientOptions options;
        options.port = static_cast<unsigned short>(std::stoi(output.substr(at + marker.size())));
        *metrics = HttpTestClient(options).get("/metrics").body;
      }
    }
    daemon.send(SIGTERM);
    const auto end = daemon.wait_for(20s);
    EXPECT_TRUE(end && end->exited && end->exit_code == kExitOk)
        << (end ? end->describe() : "still running") << "\n"
        << daemon.output();
    return daemon.output();
  }

  TestDir test_dir{"retention-run"};
  const std::string& dir = test_dir.path();
};

TEST_F(RetentionRunTest, RunDeletesOldSummariesOnlyWhenRetentionIsOn) {
  insert_started_days_ago("CAold40", 40);
  insert_started_days_ago("CAold31", 31);
  insert_started_days_ago("CAyoung29", 29);
  insert_started_days_ago("CAyoung0", 0);

  // Off by default: the daemon starts, runs and stops without a retention line or a deletion.
  const std::string off =
      run_until(write_config("off.toml", ""), "off.log", "metrics on http://127.0.0.1:");
  EXPECT_FALSE(contains(off, "retention:")) << off;
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "4");

  std::string metrics;
  const std::string on = run_until(write_config("on.toml", "[retention]\ndelete_after_days = 30\n"),
                                   "on.log", "retention: deleted", &metrics);
  EXPECT_TRUE(contains(on, "retention: deleted 2 summaries of calls before")) << on;
  EXPECT_EQ(scalar("SELECT string_agg(call_sid, ',' ORDER BY call_sid) FROM call_summaries"),
            "CAyoung0,CAyoung29");
  EXPECT_TRUE(contains(metrics, "\ninsights_retention_rows_deleted_total 2")) << metrics;
}

TEST_F(RetentionRunTest, CheckConfigWarnsBelowTwilioRetentionAndRefusesBadValues) {
  const auto check = [&](const std::string& name, const std::string& retention) {
    return run_child(INSIGHTS_SYNC_BINARY,
                     {"check-config", "--config", write_config(name + ".toml", retention)},
                     dir + "/" + name + ".log", {{kSyncConfigSecretEnv, "not-used"}}, 20s);
  };
  const ChildResult week = check("week", "[retention]\ndelete_after_days = 7\n");
  ASSERT_TRUE(week.exit && week.exit->exited) << week.output;
  EXPECT_EQ(week.exit->exit_code, kExitOk) << week.output;
  EXPECT_TRUE(contains(week.output, "deletes summaries Twilio still serves")) << week.output;

  const ChildResult one_year = check("year", "[retention]\ndelete_after_days = 365\n");
  ASSERT_TRUE(one_year.exit && one_year.exit->exited) << one_year.output;
  EXPECT_EQ(one_year.exit->exit_code, kExitOk) << one_year.output;
  EXPECT_FALSE(contains(one_year.output, "Twilio still serves")) << one_year.output;

  for (const char* bad : {"-1", "\"30\"", "1.5", "36501"}) {
    const ChildResult result =
        check("bad", std::string("[retention]\ndelete_after_days = ") + bad + "\n");
    ASSERT_TRUE(result.exit && result.exit->exited) << result.output;
    EXPECT_EQ(result.exit->exit_code, kExitConfig) << bad << "\n" << result.output;
    EXPECT_TRUE(contains(result.output, "retention.delete_after_days must be")) << bad << "\n"
                                                                                << result.output;
  }
}

}  // namespace
}  // namespace insights::testing
