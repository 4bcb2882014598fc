// Hostile pages end to end: the real HTTP client, parser, scheduler and PostgreSQL sink against
// a small local HTTPS server that serves bodies from tests/fixtures/hostile. A next_page_url
// that loops back parks the window instead of paging for ever; one off the configured origin is
// never requested; an empty page with a next_page_url is followed; and every hostile body
// served as a window's second page leaves the rows of its first page exactly as they were.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/result>
#include <pqxx/transaction>
#include <set>
#include <sstream>
#include <thread>

#include "api/page_parser.hpp"
#include "core/utc_time.hpp"
#include "sim/http_server.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/sync_harness.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;
using testing::call_sid;
using testing::FakeClock;
using testing::page_json;
using testing::summary_json;
using testing::SyncHarnessOptions;

using insights::testing::kTestNoon;
const std::filesystem::path kCorpus =
    std::filesystem::path(INSIGHTS_FIXTURES_DIR) / ".." / "hostile";

// Answers every list request with what `respond` makes of its target, and every single-summary
// request (a straggler) with Twilio's "not complete yet" (404, code 17001); keeps the targets.
class ScriptedApi : public sim::RequestHandler {
 public:
  explicit ScriptedApi(std::function<std::string(const std::string& target)> respond)
      : respond_(std::move(respond)) {}
  boost::asio::awaitable<sim::HttpResponse> handle(sim::HttpRequest request) override {
    sim::HttpResponse response;
    {
      std::lock_guard lock(mutex_);
      targets_.push_back(request.target);
    }
    if (request.target.find("/Summary?") != std::string::npos) {
      response.status = 404;
      response.body = R"({"code":17001,"message":"summary not complete yet","status":404})";
      co_return response;
    }
    response.body = respond_(request.target);
    co_return response;
  }
  std::vector<std::string> targets() const {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  std::function<std::string(const std::string&)> respond_;
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
};

// A local HTTPS server on 127.0.0.1 (its own CA) running `handler` on its own thread.
class LocalHttps {
 public:
  explicit LocalHttps(sim::RequestHandler& handler, const std::string& name)
      : identity_(sim::make_tls_identity({"localhost"}, {"127.0.0.1"})),
        dir_(name),
        ca_file_(dir_.path() + "/ca.pem") {
    sim::write_ca_file(identity_, ca_file_);
    sim::ServerOptions options;
    options.tls = sim::make_server_tls_context(identity_);
    server_.emplace(io_, options, handler);
    server_->start();
    loop_ = std::thread([this] { io_.run(); });
  }
  ~LocalHttps() {
    server_->stop();
    loop_.join();
  }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }
  unsigned short port() const { return server_->port(); }
  const std::string& ca_file() const { return ca_file_; }

 private:
  boost::asio::io_context io_;
  sim::TlsIdentity identity_;
  testing::TestDir dir_;
  std::string ca_file_;
  std::optional<sim::HttpServer> server_;
  std::thread loop_;
};

bool has_token(const std::string& target, const std::string& token) {
  return target.find("PageToken=" + token) != std::string::npos;
}

class HostilePagingTest : public testing::PgTest {
 protected:
  SyncHarnessOptions harness(const LocalHttps& server, int lookback_hours) {
    SyncHarnessOptions options;
    options.database.conninfo = db->conninfo();
    options.base_url = server.base_url();
    options.ca_file = server.ca_file();
    options.user = testing::kSimAccount;
    options.secret = "token";
    options.sync = testing::test_sync_options(lookback_hours);
    options.sync.park_after_attempts = 1;  // each bad page parks at once: its state is checked
    options.clock = &clock;
    return options;
  }

  std::set<std::string> stored_sids() {
    std::set<std::string> sids;
    pqxx::read_transaction tx(*pg);
    for (const auto& row : tx.exec("SELECT call_sid FROM call_summaries"))
      sids.insert(row[0].as<std::string>());
    return sids;
  }

  FakeClock clock{kTestNoon};
};

TEST_F(HostilePagingTest, ANextPageUrlLoopingBackParksTheWindowInsteadOfPagingForever) {
  std::string base;
  ScriptedApi api([&](const std::string& target) {
    const std::string list = base + "/v1/Voice/Summaries?PageSize=1000&PageToken=";
    if (has_token(target, "B"))  // page 2 → page 3
      return page_json({summary_json(call_sid(3), "complete")}, list + "C");
    if (has_token(target, "C"))  // page 3 → back to page 2
      return page_json({summary_json(call_sid(4), "complete")}, list + "B");
    return page_json({summary_json(call_sid(1), "complete"), summary_json(call_sid(2), "complete")},
                     list + "B");
  });
  LocalHttps server(api, "loop");
  base = server.base_url();
  const SourceSyncReport report = testing::sync_once(harness(server, 1));

  const int windows = std::stoi(scalar("SELECT count(*) FROM work_items"));
  ASSERT_GE(windows, 1);
  EXPECT_EQ(report.windows_parked, windows);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'parked' AND last_error LIKE "
                   "'%repeats a page URL this pass already followed%'"),
            std::to_string(windows))
      << scalar("SELECT min(last_error) FROM work_items");
  // Pages 1, 2 and 3 once each per window, then the repeat was seen: no fourth request.
  EXPECT_EQ(api.targets().size(), 3u * static_cast<std::size_t>(windows));
  // Pages 1 and 2 were committed; page 3, which pointed back, was not.
  EXPECT_EQ(stored_sids(), (std::set<std::string>{call_sid(1), call_sid(2), call_sid(3)}));
  EXPECT_EQ(scalar("SELECT min(page_cursor) FROM work_items"),
            base + "/v1/Voice/Summaries?PageSize=1000&PageToken=C");
}

TEST_F(HostilePagingTest, AnEmptyPageWithANextPageUrlIsFollowed) {
  std::string base;
  ScriptedApi api([&](const std::string& target) {
    if (has_token(target, "B"))
      return page_json({summary_json(call_sid(5), "complete")});
    return page_json({}, base + "/v1/Voice/Summaries?PageToken=B");
  });
  LocalHttps server(api, "empty");
  base = server.base_url();
  const SourceSyncReport report = testing::sync_once(harness(server, 1));
  const int windows = std::stoi(scalar("SELECT count(*) FROM work_items"));
  EXPECT_EQ(report.windows_parked, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'parked'"), "0");
  EXPECT_EQ(api.targets().size(), 2u * static_cast<std::size_t>(windows));
  EXPECT_EQ(stored_sids(), (std::set<std::string>{call_sid(5)}));
}

TEST_F(HostilePagingTest, NextPageUrlsOffTheConfiguredOriginAreNeverRequested) {
  ScriptedApi decoy([](const std::string&) { return page_json({}); });
  LocalHttps other(decoy, "decoy");  // a host the daemon must never reach
  std::string next;
  ScriptedApi api(
      [&](const std::string&) { return page_json({summary_json(call_sid(6), "complete")}, next); });
  LocalHttps server(api, "origin");
  const std::string decoy_list = other.base_url() + "/v1/Voice/Summaries?PageToken=B";
  const std::string own = "127.0.0.1:" + std::to_string(server.port());
  const std::vector<std::string> foreign{
      decoy_list,  // another port
      "https://" + own + "@127.0.0.1:" + std::to_string(other.port()) + "/v1/Voice/Summaries",
      "http://" + own + "/v1/Voice/Summaries?PageToken=B",  // plain HTTP
      "/v1/Voice/Summaries?PageToken=B",                    // relative
      decoy_list + "&pad=" + std::string(1 << 20, 'x'),     // a 1 MiB URL
  };
  for (const std::string& url : foreign) {
    SCOPED_TRACE(url.substr(0, 80));
    next = url;
    testing::TestDatabase database;
    database.migrate();
    SyncHarnessOptions options = harness(server, 1);
    options.database.conninfo = database.conninfo();
    const std::size_t before = api.targets().size();
    const SourceSyncReport report = testing::sync_once(options);
    auto connection = database.connect();
    pqxx::read_transaction tx(*connection);
    const int windows = tx.exec1("SELECT count(*) FROM work_items")[0].as<int>();
    EXPECT_EQ(report.windows_parked, windows);
    EXPECT_EQ(api.targets().size() - before, static_cast<std::size_t>(windows));  // first pages
    const std::string error =
        tx.exec1("SELECT min(last_error) FROM work_items")[0].as<std::string>();
    EXPECT_NE(error.find("is not on the configured API origin"), std::string::npos) << error;
    EXPECT_LT(error.size(), 1000u) << "a hostile URL is quoted, not copied whole";
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM call_summaries")[0].as<int>(), 1);
  }
  EXPECT_TRUE(decoy.targets().empty()) << decoy.targets().front();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The README's documented parser outcome of each corpus file ("error: ..." / "rows: ...").
std::map<std::string, std::string> documented_files() {
  std::map<std::string, std::string> files;
  std::istringstream readme(read_file(kCorpus / "README.md"));
  for (std::string line; std::getline(readme, line);) {
    if (!line.starts_with("| `") || line.starts_with("| `generated:") ||
        line.starts_with("| `single_"))
      continue;
    const std::size_t name_end = line.find('`', 3);
    const std::size_t outcome_begin = line.find("| `", name_end) + 3;
    files[line.substr(3, name_end - 3)] =
        line.substr(outcome_begin, line.find("` |", outcome_begin) - outcome_begin);
  }
  return files;
}

// Bodies the parser accepts but PostgreSQL refuses (a value out of an `integer` column's range):
// the window is parked with the database's words.
const std::set<std::string> kRefusedByTheDatabase{"duration_int64_min.json",
                                                  "duration_above_int32.json"};

TEST_F(HostilePagingTest, EveryHostileSecondPageLeavesTheFirstPageAsItWas) {
  // One window per case (the paging cases with a next page have their own tests above).
  std::vector<std::pair<std::string, std::string>> cases;
  for (const auto& [name, outcome] : documented_files()) {
    if (!outcome.ends_with("next page"))
      cases.emplace_back(name, outcome);
  }
  ASSERT_GT(cases.size(), 60u);
  const int count = static_cast<int>(cases.size());
  // Window i (starting i + 1 hours before kTestNoon) gets case i: its first page holds one good
  // row, call_sid(1000 + i), and points at the case's body.
  auto window_index = [&](const std::string& target) {
    const std::size_t at = target.find("StartTime=");
    const std::string encoded = target.substr(at + 10, target.find('&', at) - at - 10);
    // Decoded by appending, not start.replace(...) in place: in its unity batch GCC 12 reported
    // a false -Wstringop-overflow inside that replace at -O3 (docs/development.md, GCC 12 rules).
    std::string start;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      if (encoded.compare(i, 3, "%3A") == 0) {
        start += ':';
        i += 2;
      } else {
        start += encoded[i];
      }
    }
    const auto parsed = parse_utc(start);
    return parsed ? static_cast<int>(duration_cast<hours>(kTestNoon - *parsed).count()) - 1 : -1;
  };
  std::string base;
  auto first_page = [&](int i) {
    return page_json({summary_json(call_sid(1000 + i), "complete")},
                     base + "/v1/Voice/Summaries?PageToken=case" + std::to_string(i));
  };
  ScriptedApi api([&](const std::string& target) -> std::string {
    const std::size_t token = target.find("PageToken=case");
    if (token != std::string::npos)
      return read_file(kCorpus / cases.at(std::stoul(target.substr(token + 14))).first);
    const int i = window_index(target);
    return i >= 0 && i < count ? first_page(i) : page_json({});
  });
  LocalHttps server(api, "corpus");
  base = server.base_url();
  SyncHarnessOptions options = harness(server, count + 1);
  options.concurrency = 8;
  testing::sync_once(options);

  pqxx::read_transaction tx(*pg);
  int parked = 0, read = 0;
  for (int i = 0; i < count; ++i) {
    const auto& [name, outcome] = cases[static_cast<std::size_t>(i)];
    SCOPED_TRACE(name);
    const UtcSeconds start = kTestNoon - hours(i + 1);
    const auto window =
        tx.exec1("SELECT state, coalesce(last_error, '') FROM work_items WHERE window_start = " +
                 tx.quote(format_utc(start)));
    const std::string state = window[0].as<std::string>();
    const std::string error = window[1].as<std::string>();
    if (outcome.starts_with("error: ")) {
      EXPECT_EQ(state, "parked");
      EXPECT_NE(error.find(outcome.substr(7)), std::string::npos) << error;
      ++parked;
    } else if (kRefusedByTheDatabase.contains(name)) {
      EXPECT_EQ(state, "parked");
      EXPECT_NE(error.find("out of range for type integer"), std::string::npos) << error;
      ++parked;
    } else {
      EXPECT_NE(state, "parked") << error;
      ++read;
    }
    // The first page's row is stored exactly as the first page said.
    const Page sent = parse_summaries_page(first_page(i));
    const auto stored =
        tx.exec("SELECT encode(content_hash, 'hex') FROM call_summaries WHERE call_sid = " +
                tx.quote(call_sid(1000 + i)));
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0][0].as<std::string>(), sent.rows.at(0).content_hash);
  }
  std::cout << "hostile second pages: " << parked << " windows parked, " << read
            << " read as documented\n";
  // Two list pages per window (no retries: park_after_attempts = 1), nothing else but
  // straggler lookups on this same server.
  std::size_t list_requests = 0;
  for (const std::string& target : api.targets())
    list_requests += target.starts_with("/v1/Voice/Summaries?") ? 1 : 0;
  EXPECT_LE(list_requests, 2u * static_cast<std::size_t>(count) + 2u);
}

}  // namespace
}  // namespace insights
