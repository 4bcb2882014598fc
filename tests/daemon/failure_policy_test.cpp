// The failure policy as a table: each row is an error as its real thrower makes it (so the
// thrower's category and facts are checked too), the failures counted so far and the run mode,
// and the decision the scheduler must carry out.
#include "daemon/failure_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/api_error.hpp"
#include "api/http_transport_error.hpp"
#include "api/page_parser.hpp"
#include "daemon/window_planner.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;

using insights::testing::kTestNoon;

std::string twilio_body(int code, int status) {
  return R"({"code": )" + std::to_string(code) + R"(, "message": "m", "status": )" +
         std::to_string(status) + "}";
}

Failure api_failure(int status, int code, ApiEndpoint endpoint = ApiEndpoint::list,
                    std::optional<seconds> retry_after = std::nullopt) {
  return Failure::of(
      api_error_from_response(endpoint, status, twilio_body(code, status), "window", retry_after));
}

SyncOptions policy_options() {
  SyncOptions o;
  o.park_after_attempts = 3;
  o.once_attempts = 4;
  o.parked_retry_seconds = 600;
  o.lease_seconds = 60;
  return o;
}

// No jitter spread to reason about: full jitter at 0.5 of the ceiling.
constexpr double kJitter = 0.5;
const BackoffPolicy kBackoff{.initial = milliseconds(1000), .maximum = milliseconds(8000)};

FailureDecision decide(const Failure& failure, FailureCounts counts, RunMode mode,
                       SyncOptions o = policy_options()) {
  return decide_after_failure(failure, counts, mode, o, kBackoff, kJitter, kTestNoon);
}

FailureDecision retry_after_ms(milliseconds delay, bool lower = false, bool restart = false) {
  return {.action = FailureAction::retry,
          .delay = delay,
          .lease_until = kTestNoon + seconds(60) + duration_cast<seconds>(delay),
          .lower_concurrency = lower,
          .restart_pass = restart};
}

TEST(FailurePolicy, EachFailureAsItsThrowerMakesItGetsItsDecision) {
  const Failure bad_page = Failure::of(PageFormatError("page 1: item 3: bad start_time"));
  const Failure timeout =
      Failure::of(HttpTransportError(TransportFailure::timeout, "read timed out"));
  const Failure certificate =
      Failure::of(HttpTransportError(TransportFailure::certificate, "certificate"));
  const Failure database_down = Failure::of(DatabaseError(ErrorKind::retry, "connection lost"));
  const Failure database_refused =
      Failure::of(DatabaseError(ErrorKind::stop_process, "permission denied"));
  const FailureDecision stop{.action = FailureAction::stop_source, .due = kTestNoon};
  const FailureDecision park{.action = FailureAction::park, .due = kTestNoon + seconds(600)};
  const FailureDecision give_up{.action = FailureAction::give_up, .due = kTestNoon};

  struct Case {
    const char* name;
    Failure failure;
    FailureCounts counts;  // including this failure
    RunMode mode;
    FailureDecision expected;
  };
  const std::vector<Case> cases = {
      {"401/20003 stops the source", api_failure(401, 20003), {1, 1, 0}, RunMode::forever, stop},
      {"403/17000 stops the source", api_failure(403, 17000), {1, 1, 0}, RunMode::forever, stop},
      {"a list request refused (400)", api_failure(400, 20001), {1, 1, 0}, RunMode::once, stop},
      {"a certificate that does not verify", certificate, {1, 1, 0}, RunMode::forever, stop},
      {"the database refused", database_refused, {1, 1, 0}, RunMode::forever, stop},
      {"17002: never complete, parked",
       api_failure(404, 17002, ApiEndpoint::single_summary),
       {1, 1, 0},
       RunMode::forever,
       park},
      {"a bad page, first time: retried",
       bad_page,
       {1, 1, 1},
       RunMode::forever,
       retry_after_ms(milliseconds(500))},
      {"a bad page, park_after_attempts-th time: parked",
       bad_page,
       {3, 3, 3},
       RunMode::forever,
       park},
      {"a bad page parks before once gives up", bad_page, {4, 4, 3}, RunMode::once, park},
      {"5xx: retried, concurrency lowered",
       api_failure(503, 0),
       {3, 3, 0},
       RunMode::forever,
       retry_after_ms(milliseconds(2000), true)},
      {"5xx forever: never given up",
       api_failure(503, 0),
       {40, 40, 0},
       RunMode::forever,
       retry_after_ms(milliseconds(4000), true)},
      {"5xx once, once_attempts-th time: given up",
       api_failure(503, 0),
       {4, 4, 0},
       RunMode::once,
       give_up},
      {"429 once: not counted towards giving up",
       api_failure(429, 20429),
       {9, 0, 0},
       RunMode::once,
       retry_after_ms(milliseconds(4000), true)},
      {"429 with Retry-After: at least that long",
       api_failure(429, 20429, ApiEndpoint::list, seconds(30)),
       {1, 0, 0},
       RunMode::forever,
       retry_after_ms(milliseconds(30000), true)},
      {"21481: the pass restarts",
       api_failure(400, 21481),
       {1, 1, 0},
       RunMode::forever,
       retry_after_ms(milliseconds(500), false, true)},
      {"a timeout: retried without lowering concurrency",
       timeout,
       {2, 2, 0},
       RunMode::forever,
       retry_after_ms(milliseconds(1000))},
      {"the database away: retried",
       database_down,
       {1, 1, 0},
       RunMode::forever,
       retry_after_ms(milliseconds(500))},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const FailureDecision got = decide(c.failure, c.counts, c.mode);
    EXPECT_EQ(static_cast<int>(got.action), static_cast<int>(c.expected.action));
    EXPECT_EQ(got.due, c.expected.due);
    EXPECT_EQ(got.delay, c.expected.delay);
    EXPECT_EQ(got.lease_until, c.expected.lease_until);
    EXPECT_EQ(got.lower_concurrency, c.expected.lower_concurrency);
    EXPECT_EQ(got.restart_pass, c.expected.restart_pass);
  }
}

TEST(FailurePolicy, AParkedWindowWithoutRetryTimeWaitsForABackfill) {
  SyncOptions never = policy_options();
  never.parked_retry_seconds = 0;
  const FailureDecision got = decide(api_failure(404, 17007, ApiEndpoint::single_summary),
                                     {1, 1, 0}, RunMode::forever, never);
  EXPECT_EQ(got.action, FailureAction::park);
  EXPECT_EQ(got.due, kNeverDue);
}

TEST(FailurePolicy, CountsLeave429sOutOfGivingUpAndCountOnlyBadInputTowardsParking) {
  FailureCounts counts;
  counts = counted(counts, api_failure(429, 20429));
  counts = counted(counts, api_failure(503, 0));
  counts = counted(counts, Failure::of(PageFormatError("truncated")));
  counts = counted(counts, Failure::of(HttpTransportError(TransportFailure::reset, "reset")));
  EXPECT_EQ(counts.in_a_row, 4);
  EXPECT_EQ(counts.give_up, 3);
  EXPECT_EQ(counts.bad_input, 1);
}

TEST(FailurePolicy, TheThrowersFactsReachThePolicy) {
  const Failure refused_token = api_failure(400, 21481);
  EXPECT_EQ(refused_token.kind, ErrorKind::retry);
  EXPECT_EQ(refused_token.facts.http_status, 400);
  EXPECT_EQ(refused_token.facts.twilio_code, 21481);
  EXPECT_TRUE(refused_token.facts.restarts_pass);
  const Failure no_answer =
      Failure::of(HttpTransportError(TransportFailure::connect, "connection refused"));
  EXPECT_EQ(no_answer.facts.http_status, 0);
  EXPECT_FALSE(no_answer.facts.pushback);
  EXPECT_TRUE(Failure::of(DatabaseError(ErrorKind::retry, "gone")).facts.database);
  EXPECT_EQ(DatabaseError(ErrorKind::retry, "gone").exit_code(), kExitDatabase);
  EXPECT_EQ(api_failure(401, 20003).kind, ErrorKind::stop_source);
  EXPECT_EQ(api_error_from_response(ApiEndpoint::list, 401, "", "w").exit_code(),
            kExitSourceRefused);
}

}  // namespace
}  // namespace insights
