#include "api/page_parser.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/content_hash.hpp"
#include "tests/support/fixtures.hpp"

namespace insights {
namespace {

using insights::testing::page_fixture_names;
using insights::testing::read_fixture;

const std::string kSidA = "CA" + std::string(32, 'a');

// A list page around `items` (the JSON text of the array elements).
std::string page_body(std::string_view items) {
  return R"({"meta":{"page":0,"page_size":50,"next_page_url":null,"key":"call_summaries",)"
         R"("url":"https://insights.twilio.com/v1/Voice/Summaries?PageSize=50&Page=0"},)"
         R"("call_summaries":[)" +
         std::string(items) + "]}";
}

// One item with kSidA and the given extra members (JSON text, may be empty).
std::string item(std::string_view members = {}) {
  std::string text = R"({"call_sid":")" + kSidA + '"';
  if (!members.empty()) {
    text += ',';
    text += members;
  }
  return text + '}';
}

CallSummaryRow parse_one(std::string_view members) {
  Page page = parse_summaries_page(page_body(item(members)));
  EXPECT_EQ(page.rows.size(), 1u);
  return page.rows.empty() ? CallSummaryRow{} : page.rows.front();
}

// The PageFormatError message for `body`, or "no error".
std::string page_error(const std::string& body) {
  try {
    parse_summaries_page(body);
  } catch (const PageFormatError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::retry);
    return error.what();
  }
  return "no error";
}

std::string single_error(const std::string& body) {
  try {
    parse_single_summary(body);
  } catch (const PageFormatError& error) {
    return error.what();
  }
  return "no error";
}

// ---------------------------------------------------------------------------------------------
// Real bodies

TEST(PageParserFixtures, EveryListPageParsesWithItsRowCount) {
  const std::map<std::string, std::size_t> expected_rows{
      {"call_summaries_page_abnormal_session.json", 2},
      {"call_summaries_page_annotation.json", 3},
      {"call_summaries_page_carrier.json", 2},
      {"call_summaries_page_empty.json", 0},
      {"call_summaries_page_subaccount.json", 2},
      {"call_summaries_page_trust.json", 3},
      {"call_summaries_page_trust_2023_python_fixture.json", 3},
  };
  const std::vector<std::string> names = page_fixture_names();
  ASSERT_EQ(names.size(), expected_rows.size()) << "a page fixture was added or removed";
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(expected_rows.contains(name));
    const Page page = parse_summaries_page(read_fixture(name));
    EXPECT_EQ(page.rows.size(), expected_rows.at(name));
    EXPECT_EQ(page.meta.page, 0);
    EXPECT_EQ(page.meta.page_size, 25);
    EXPECT_TRUE(page.is_last());
    ASSERT_TRUE(page.meta.url.has_value());
    EXPECT_TRUE(page.meta.url->starts_with("https://insights.twilio.com/v1/Voice/Summaries?"));
    EXPECT_TRUE(page.unknown_keys.empty());
    for (const CallSummaryRow& row : page.rows) {
      EXPECT_TRUE(row.call_sid.starts_with("CA"));
      EXPECT_TRUE(row.is_complete());
      EXPECT_FALSE(row.extra.has_value()) << *row.extra;
      EXPECT_EQ(row.content_hash, content_hash_hex(row));
      EXPECT_EQ(row.content_hash.size(), 32u);
    }
  }
}

TEST(PageParserFixtures, CarrierPageValues) {
  const Page page = parse_summaries_page(read_fixture("call_summaries_page_carrier.json"));
  ASSERT_EQ(page.rows.size(), 2u);
  const CallSummaryRow& row = page.rows[0];
  EXPECT_EQ(row.call_sid, kSidA);
  EXPECT_EQ(row.account_sid, "AC" + std::string(32, 'a'));
  EXPECT_EQ(row.created_time, "2021-08-25T03:40:25Z");
  EXPECT_EQ(row.start_time, "2021-08-25T03:40:25Z");
  EXPECT_EQ(row.end_time, "2021-08-25T03:40:45Z");
  EXPECT_EQ(row.duration, "20");
  EXPECT_EQ(row.connect_duration, "20");
  EXPECT_EQ(row.call_type, "carrier");
  EXPECT_EQ(row.call_state, "completed");
  EXPECT_EQ(row.answered_by, "machine_start");
  EXPECT_EQ(row.processing_state, "complete");
  EXPECT_EQ(row.direction, "inbound");
  EXPECT_EQ(row.tags, R"({"high_packet_loss","high_jitter"})");
  EXPECT_EQ(row.from_party,
            R"({"caller":"+15555555555","carrier":"T-Mobile USA, Inc.","connection":"mobile",)"
            R"("number_prefix":"1555","location":{"lat":40.83885,"lon":-74.04568},)"
            R"("country_code":"US"})");
  EXPECT_EQ(row.attributes, R"({"conference_participant":false})");
  EXPECT_EQ(row.properties,
            R"({"last_sip_response_num":200,"pdd_ms":121,"disconnected_by":"callee",)"
            R"("direction":"inbound"})");
  ASSERT_TRUE(row.carrier_edge.has_value());
  EXPECT_NE(row.carrier_edge->find(R"("packets_loss_percentage":0.0,)"), std::string::npos);
  ASSERT_TRUE(row.trust.has_value());
  EXPECT_NE(row.trust->find(R"("display_name":"Owl bank")"), std::string::npos);
  EXPECT_FALSE(row.sdk_edge.has_value());
  EXPECT_FALSE(row.sip_edge.has_value());
  EXPECT_FALSE(row.client_edge.has_value());
  EXPECT_FALSE(row.annotation.has_value());
  EXPECT_FALSE(row.agent_session_summaries.has_value());

  EXPECT_EQ(page.rows[1].duration, "18");
  EXPECT_FALSE(page.rows[1].tags.has_value());  // "tags": null
}

TEST(PageParserFixtures, AnnotationPageKeepsAnnotationAndDuplicateSids) {
  const Page page = parse_summaries_page(read_fixture("call_summaries_page_annotation.json"));
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.rows[0].call_sid, kSidA.substr(0, 33) + "b");
  EXPECT_EQ(page.rows[1].call_sid, page.rows[2].call_sid);  // duplicates are kept, in order
  EXPECT_EQ(page.rows[0].annotation,
            R"({"answered_by":"human","spam":true,"connectivity_issue":"invalid_number",)"
            R"("quality_issues":["choppy_robotic"],"call_score":1})");
  EXPECT_FALSE(page.rows[0].trust.has_value());
  EXPECT_EQ(page.rows[1].trust, R"({"verified_caller":{"verified":true}})");
}

TEST(PageParserFixtures, Python2023FixtureHasNoAnnotationKey) {
  const Page page =
      parse_summaries_page(read_fixture("call_summaries_page_trust_2023_python_fixture.json"));
  ASSERT_EQ(page.rows.size(), 3u);
  for (const CallSummaryRow& row : page.rows) {
    EXPECT_FALSE(row.annotation.has_value());
  }
  EXPECT_EQ(page.rows[0].trust, R"({"verified_caller":{"verified":true}})");
  EXPECT_FALSE(page.rows[2].trust.has_value());  // "trust": null
  EXPECT_EQ(page.rows[0].direction, "trunking_terminating");
  EXPECT_EQ(page.rows[1].direction, "outbound_api");
  EXPECT_EQ(page.rows[2].direction, "outbound_dial");
}

TEST(PageParserFixtures, EmptyPage) {
  const Page page = parse_summaries_page(read_fixture("call_summaries_page_empty.json"));
  EXPECT_TRUE(page.rows.empty());
  EXPECT_TRUE(page.unknown_keys.empty());
  EXPECT_TRUE(page.is_last());
  EXPECT_EQ(page.meta.page_size, 25);
}

TEST(PageParserFixtures, RealSingleSummaryFrom2020) {
  const Page page = parse_single_summary(read_fixture("call_summary_single_real_2020.json"));
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_TRUE(page.is_last());
  EXPECT_TRUE(page.unknown_keys.empty());  // `url` is known, just not stored
  const CallSummaryRow& row = page.rows[0];
  EXPECT_EQ(row.call_sid, "CA04917eab5c194f4c86207384933c0c41");
  EXPECT_EQ(row.account_sid, "ACabe5149d2ba84a81a7515e425abda4fd");
  // Keys this old payload does not have at all read as absent.
  EXPECT_FALSE(row.created_time.has_value());
  EXPECT_FALSE(row.answered_by.has_value());
  EXPECT_FALSE(row.trust.has_value());
  EXPECT_FALSE(row.annotation.has_value());
  EXPECT_FALSE(row.agent_session_summaries.has_value());
  EXPECT_FALSE(row.tags.has_value());
  EXPECT_FALSE(row.client_edge.has_value());
  EXPECT_FALSE(row.extra.has_value());
  EXPECT_EQ(row.start_time, "2020-01-09T00:32:38Z");
  EXPECT_EQ(row.end_time, "2020-01-09T00:34:49Z");
  EXPECT_EQ(row.duration, "140");
  EXPECT_EQ(row.connect_duration, "131");
  EXPECT_EQ(row.direction, "outbound_api");
  ASSERT_TRUE(row.sdk_edge.has_value());
  const std::string& sdk_edge = *row.sdk_edge;
  EXPECT_TRUE(
      sdk_edge.starts_with(R"({"metrics":{"inbound":{"audio_out":{"max":5611.0,"avg":89.2})"))
      << sdk_edge;
  EXPECT_NE(sdk_edge.find(R"("packets_loss_percentage":0.010012015,)"), std::string::npos);
  EXPECT_NE(sdk_edge.find(R"("outbound":{"codec":111,"packets_sent":9997,"codec_name":"opus"})"),
            std::string::npos);
  EXPECT_NE(sdk_edge.find(R"("levels":{"INFO":13,"DEBUG":6})"), std::string::npos);
  EXPECT_EQ(sdk_edge.find_first_of(" \n"), std::string::npos) << "not compact";
  EXPECT_EQ(row.content_hash, content_hash_hex(row));
}

TEST(PageParserFixtures, SpecSingleExample) {
  const Page page = parse_single_summary(read_fixture("call_summary_single_spec_example.json"));
  ASSERT_EQ(page.rows.size(), 1u);
  const CallSummaryRow& row = page.rows[0];
  EXPECT_EQ(row.call_sid, kSidA);
  EXPECT_EQ(row.call_state, "ringing");
  EXPECT_EQ(row.duration, "100");
  EXPECT_EQ(row.connect_duration, "99");
  EXPECT_EQ(row.tags, R"({"tags"})");
  EXPECT_EQ(row.from_party, "{}");
  EXPECT_EQ(row.sip_edge, "{}");
  EXPECT_EQ(row.properties, "{}");
  EXPECT_FALSE(row.direction.has_value());  // properties has no direction
  ASSERT_TRUE(row.annotation.has_value());
  EXPECT_NE(row.annotation->find(R"("incident":)"), std::string::npos);
  ASSERT_TRUE(row.trust.has_value());
  EXPECT_NE(row.trust->find(R"("use_case":"customer_support")"), std::string::npos);
}

// Event Streams data is not a REST body, but it is a real summary carrying keys this version
// does not know: they must survive in `extra`, in input order.
TEST(PageParserFixtures, EventStreamsSummaryKeepsUnknownKeys) {
  const Page page =
      parse_single_summary(read_fixture("event_streams_call_summary_partial_data.json"));
  ASSERT_EQ(page.rows.size(), 1u);
  const CallSummaryRow& row = page.rows[0];
  EXPECT_FALSE(row.is_complete());
  EXPECT_EQ(row.tags, "{}");
  EXPECT_EQ(row.duration, "0");
  EXPECT_EQ(row.extra, R"({"parent_call_sid":"","parent_account_sid":"","processing_version":1})");
  EXPECT_EQ(page.unknown_keys, (std::vector<std::string>{"parent_account_sid", "parent_call_sid",
                                                         "processing_version"}));
}

// ---------------------------------------------------------------------------------------------
// Envelope

TEST(PageParserEnvelope, ReadsMeta) {
  const Page page = parse_summaries_page(
      R"({"meta":{"page":3,"page_size":50,"key":"call_summaries",)"
      R"("next_page_url":"https://insights.twilio.com/v1/Voice/Summaries?Page=4&PageToken=PTx",)"
      R"("url":"https://insights.twilio.com/v1/Voice/Summaries?Page=3"},"call_summaries":[]})");
  EXPECT_EQ(page.meta.page, 3);
  EXPECT_EQ(page.meta.page_size, 50);
  EXPECT_EQ(page.meta.next_page_url,
            "https://insights.twilio.com/v1/Voice/Summaries?Page=4&PageToken=PTx");
  EXPECT_EQ(page.meta.url, "https://insights.twilio.com/v1/Voice/Summaries?Page=3");
  EXPECT_FALSE(page.is_last());
}

TEST(PageParserEnvelope, MissingMetaMembersHaveDefaults) {
  const Page page = parse_summaries_page(R"({"meta":{},"call_summaries":[]})");
  EXPECT_EQ(page.meta.page, 0);
  EXPECT_EQ(page.meta.page_size, 0);
  EXPECT_FALSE(page.meta.next_page_url.has_value());
  EXPECT_FALSE(page.meta.url.has_value());
  EXPECT_TRUE(page.is_last());
}

TEST(PageParserEnvelope, EmptyNextPageUrlMeansLastPage) {
  const Page page = parse_summaries_page(R"({"meta":{"next_page_url":""},"call_summaries":[]})");
  EXPECT_TRUE(page.is_last());
}

TEST(PageParserEnvelope, MetaKeyNamesTheArray) {
  const Page page = parse_summaries_page(R"({"meta":{"key":"items"},"items":[)" + item() +
                                         R"(],"call_summaries":"ignored"})");
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].call_sid, kSidA);
  EXPECT_NE(page_error(R"({"meta":{"key":"items"},"items":[1]})").find("items[0]"),
            std::string::npos);
}

struct ErrorCase {
  std::string name;
  std::string body;
  std::string expected_message_part;
};

class PageParserEnvelopeErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(PageParserEnvelopeErrors, FailThePage) {
  EXPECT_NE(page_error(GetParam().body).find(GetParam().expected_message_part), std::string::npos)
      << page_error(GetParam().body);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PageParserEnvelopeErrors,
    ::testing::Values(
        ErrorCase{"RootArray", "[]", "response body must be a JSON object, got array"},
        ErrorCase{"RootString", R"("x")", "must be a JSON object, got string"},
        ErrorCase{"MetaMissing", R"({"call_summaries":[]})", "meta is missing"},
        ErrorCase{"MetaArray", R"({"meta":[],"call_summaries":[]})",
                  "meta must be an object, got array"},
        ErrorCase{"PageString", R"({"meta":{"page":"0"},"call_summaries":[]})",
                  "meta.page must be an integer, got string"},
        ErrorCase{"PageFraction", R"({"meta":{"page":1.5},"call_summaries":[]})",
                  "meta.page must be an integer, got number"},
        ErrorCase{"PageSizeBool", R"({"meta":{"page_size":true},"call_summaries":[]})",
                  "meta.page_size must be an integer, got boolean"},
        ErrorCase{"NextPageUrlNumber", R"({"meta":{"next_page_url":5},"call_summaries":[]})",
                  "meta.next_page_url must be a string or null, got number"},
        ErrorCase{"UrlObject", R"({"meta":{"url":{}},"call_summaries":[]})",
                  "meta.url must be a string or null, got object"},
        ErrorCase{"NextPageUrlNul",
                  R"({"meta":{"next_page_url":"https://x/\u0000"},"call_summaries":[]})",
                  "meta.next_page_url contains U+0000"},
        ErrorCase{"KeyNumber", R"({"meta":{"key":5},"call_summaries":[]})",
                  "meta.key must be a string, got number"},
        ErrorCase{"ArrayMissing", R"({"meta":{}})", "call_summaries is missing"},
        ErrorCase{"ArrayMissingUnderKey", R"({"meta":{"key":"items"},"call_summaries":[]})",
                  "items is missing"},
        ErrorCase{"ArrayObject", R"({"meta":{},"call_summaries":{}})",
                  "call_summaries must be an array, got object"},
        ErrorCase{"ItemString", R"({"meta":{},"call_summaries":[)" + item() + R"(,"x"]})",
                  "call_summaries[1]: item must be an object, got string"}),
    [](const ::testing::TestParamInfo<ErrorCase>& case_info) { return case_info.param.name; });

// ---------------------------------------------------------------------------------------------
// Malformed bodies

TEST(PageParserMalformed, InvalidUtf8IsAnError) {
  for (const std::string bad :
       {"\xC3\x28", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\x80"}) {
    const std::string body = page_body(item(R"("call_state":")" + bad + R"(")"));
    EXPECT_NE(page_error(body).find("Invalid encoding"), std::string::npos) << page_error(body);
  }
}

TEST(PageParserMalformed, EveryTruncationIsAnError) {
  std::string body = read_fixture("call_summaries_page_carrier.json");
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) {
    body.pop_back();
  }
  ASSERT_EQ(parse_summaries_page(body).rows.size(), 2u);
  for (std::size_t length = 0; length < body.size(); ++length) {
    EXPECT_THROW(parse_summaries_page(body.substr(0, length)), PageFormatError)
        << "prefix of " << length << " bytes";
  }
}

TEST(PageParserMalformed, TruncationNamesJsonAndOffset) {
  const std::string message = page_error(R"({"meta":{},"call_summaries":[)");
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("offset"), std::string::npos) << message;
  EXPECT_NE(page_error("").find("not valid JSON"), std::string::npos);
}

TEST(PageParserMalformed, TrailingGarbageIsAnError) {
  const std::string body = page_body(item());
  ASSERT_NO_THROW(parse_summaries_page(body + " \n"));
  for (const std::string& garbage : std::vector<std::string>{
           "x", "{}", "]", ",", std::string("\0", 1), std::string("\0garbage", 8)}) {
    EXPECT_THROW(parse_summaries_page(body + garbage), PageFormatError);
    EXPECT_THROW(parse_single_summary(item() + garbage), PageFormatError);
  }
}

TEST(PageParserMalformed, DeepNestingIsAnError) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string message = page_error(page_body(item(R"("zzz":)" + deep)));
  EXPECT_NE(message.find("nests deeper than"), std::string::npos) << message;
  // Twilio's own depth is far below the limit.
  const std::string ok = std::string(20, '[') + std::string(20, ']');
  EXPECT_EQ(parse_one(R"("zzz":)" + ok).extra, R"({"zzz":)" + ok + "}");
}

// ---------------------------------------------------------------------------------------------
// Items: values

TEST(PageParserItems, NullAndMissingFieldsAreAbsent) {
  const CallSummaryRow row =
      parse_one(R"("account_sid":null,"call_type":null,"call_state":null,"answered_by":null,)"
                R"("processing_state":null,"created_time":null,"start_time":null,"end_time":null,)"
                R"("duration":null,"connect_duration":null,"tags":null,"from":null,"to":null,)"
                R"("carrier_edge":null,"client_edge":null,"sdk_edge":null,"sip_edge":null,)"
                R"("properties":null,"attributes":null,"trust":null,"annotation":null,)"
                R"("agent_session_summaries":null,"url":null)");
  CallSummaryRow expected;
  expected.call_sid = kSidA;
  expected.content_hash = content_hash_hex(expected);
  EXPECT_EQ(row.content_hash, expected.content_hash);
  EXPECT_FALSE(row.account_sid || row.call_type || row.call_state || row.answered_by ||
               row.processing_state || row.created_time || row.start_time || row.end_time ||
               row.duration || row.connect_duration || row.tags || row.from_party || row.to_party ||
               row.carrier_edge || row.client_edge || row.sdk_edge || row.sip_edge ||
               row.properties || row.attributes || row.trust || row.annotation ||
               row.agent_session_summaries || row.direction || row.extra);
  EXPECT_EQ(parse_one("").content_hash, expected.content_hash);  // missing == null
}

TEST(PageParserItems, UrlIsNotStored) {
  const CallSummaryRow row = parse_one(R"("url":"https://insights.twilio.com/v1/Voice/Summaries")");
  EXPECT_FALSE(row.extra.has_value());
}

TEST(PageParserItems, UnknownKeysGoToExtraInInputOrder) {
  const std::string first = item(R"("zeta":{"a":[1,2.5,"x"]},"call_state":"completed",)"
                                 R"("alpha":null,"parent_call_sid":"")");
  const Page page =
      parse_summaries_page(page_body(first + "," + item(R"("alpha":true)") + "," + item()));
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.rows[0].extra, R"({"zeta":{"a":[1,2.5,"x"]},"alpha":null,"parent_call_sid":""})");
  EXPECT_EQ(page.rows[0].call_state, "completed");
  EXPECT_EQ(page.rows[1].extra, R"({"alpha":true})");
  EXPECT_FALSE(page.rows[2].extra.has_value());
  EXPECT_EQ(page.unknown_keys, (std::vector<std::string>{"alpha", "parent_call_sid", "zeta"}));
}

TEST(PageParserItems, NonAsciiSurvivesByteExact) {
  const std::string carrier = "Telef\xC3\xB3nica M\xC3\xB3viles \xF0\x9F\x98\x80";  // ó, 😀
  const std::string tag = "\xE6\x97\xA5\xE6\x9C\xAC";                               // 日本
  const std::string key = "\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87";                       // ключ
  const CallSummaryRow row =
      parse_one(R"("from":{"carrier":")" + carrier + R"("},"call_state":")" + carrier +
                R"(","tags":[")" + tag + R"("],")" + key + R"(":")" + tag + R"(")");
  EXPECT_EQ(row.from_party, R"({"carrier":")" + carrier + R"("})");
  EXPECT_EQ(row.call_state, carrier);
  EXPECT_EQ(row.tags, R"({")" + tag + R"("})");
  EXPECT_EQ(row.extra, R"({")" + key + R"(":")" + tag + R"("})");
}

TEST(PageParserItems, UnicodeEscapesAreDecoded) {
  const CallSummaryRow row =
      parse_one(R"("call_state":"caf\u00e9","from":{"caller":"\ud83d\ude00\n\"q\""})");
  EXPECT_EQ(row.call_state, "caf\xC3\xA9");
  // Stored JSON re-escapes only what JSON requires.
  EXPECT_EQ(row.from_party, "{\"caller\":\"\xF0\x9F\x98\x80\\n\\\"q\\\"\"}");
}

TEST(PageParserItems, TagsBecomeATextArrayLiteral) {
  EXPECT_EQ(parse_one(R"("tags":[])").tags, "{}");
  EXPECT_EQ(parse_one(R"("tags":["silence"])").tags, R"({"silence"})");
  EXPECT_EQ(parse_one(R"("tags":["a\"b","c\\d","","x,y","NULL","{}"," s "])").tags,
            R"({"a\"b","c\\d","","x,y","NULL","{}"," s "})");
}

TEST(PageParserItems, IntegersAreStoredAsDecimalText) {
  EXPECT_EQ(parse_one(R"("duration":12)").duration, "12");
  EXPECT_EQ(parse_one(R"("duration":12.0)").duration, "12");
  EXPECT_EQ(parse_one(R"("duration":1.2e1)").duration, "12");
  EXPECT_EQ(parse_one(R"("duration":0)").duration, "0");
  EXPECT_EQ(parse_one(R"("duration":-3)").duration, "-3");
  EXPECT_EQ(parse_one(R"("connect_duration":9223372036854775807)").connect_duration,
            "9223372036854775807");
}

TEST(PageParserItems, TimestampsKeepTheirText) {
  for (const std::string text :
       {"2021-08-25T14:46:40Z", "2021-08-25T14:46:40.123456Z", "2021-08-25T14:46:40.5+00:00",
        "2021-08-25T14:46:40+05:30", "2021-08-25T14:46:40-08:00", "2020-02-29T00:00:00Z",
        "2016-12-31T23:59:60Z", "0001-01-01T00:00:00Z"}) {
    EXPECT_EQ(parse_one(R"("start_time":")" + text + R"(")").start_time, text);
  }
}

TEST(PageParserItems, DirectionComesFromProperties) {
  EXPECT_EQ(parse_one(R"("properties":{"direction":"outbound_dial"})").direction, "outbound_dial");
  EXPECT_FALSE(parse_one(R"("properties":{"direction":5})").direction.has_value());
  EXPECT_FALSE(parse_one(R"("properties":{})").direction.has_value());
  EXPECT_FALSE(parse_one(R"("direction":"inbound")").direction.has_value());  // not top-level
}

TEST(PageParserItems, DuplicateKeysTakeTheLastOccurrence) {
  const CallSummaryRow row =
      parse_one(R"("call_state":"ringing","call_state":"completed",)"
                R"("properties":{"direction":"inbound"},)"
                R"("properties":{"direction":"outbound_api","direction":"outbound_dial"})");
  EXPECT_EQ(row.call_state, "completed");
  EXPECT_EQ(row.direction, "outbound_dial");
  // A null last occurrence wins too.
  EXPECT_FALSE(parse_one(R"("call_state":"ringing","call_state":null)").call_state);
}

TEST(PageParserItems, ContentHashIsFilledAndIgnoresFormatting) {
  const std::string members =
      R"("call_state":"completed","from":{"caller":"+15555555555","location":{"lat":1.5}})";
  const CallSummaryRow compact = parse_one(members);
  const Page pretty = parse_summaries_page(
      "{\n  \"meta\" : { },\n  \"call_summaries\" : [ {\n    \"call_sid\" : \"" + kSidA +
      "\",\n    \"call_state\" : \"completed\",\n    \"from\" : { \"caller\" : "
      "\"+15555555555\", \"location\" : { \"lat\" : 1.50 } }\n  } ]\n}\n");
  ASSERT_EQ(pretty.rows.size(), 1u);
  EXPECT_EQ(compact.content_hash, content_hash_hex(compact));
  EXPECT_EQ(pretty.rows[0].content_hash, compact.content_hash);
  EXPECT_NE(parse_one(R"("call_state":"completed ")").content_hash, compact.content_hash);
}

TEST(PageParserItems, ContentHashSeesEveryParsedField) {
  const std::string base_members = R"("call_state":"completed")";
  const std::string base_hash = parse_one(base_members).content_hash;
  for (const std::string added : {R"("account_sid":"")",
                                  R"("call_type":"")",
                                  R"("answered_by":"")",
                                  R"("processing_state":"")",
                                  R"("created_time":"2021-08-25T14:46:40Z")",
                                  R"("start_time":"2021-08-25T14:46:40Z")",
                                  R"("end_time":"2021-08-25T14:46:40Z")",
                                  R"("duration":0)",
                                  R"("connect_duration":0)",
                                  R"("tags":[])",
                                  R"("from":{})",
                                  R"("to":{})",
                                  R"("carrier_edge":{})",
                                  R"("client_edge":{})",
                                  R"("sdk_edge":{})",
                                  R"("sip_edge":{})",
                                  R"("properties":{})",
                                  R"("attributes":{})",
                                  R"("trust":{})",
                                  R"("annotation":{})",
                                  R"("agent_session_summaries":[])",
                                  R"("new_key":null)"}) {
    EXPECT_NE(parse_one(base_members + "," + added).content_hash, base_hash) << added;
  }
}

// ---------------------------------------------------------------------------------------------
// Items: errors. Each names the item, its call_sid and the field.

struct FieldErrorCase {
  std::string name;
  std::string members;
  std::string expected_message_part;
};

class PageParserFieldErrors : public ::testing::TestWithParam<FieldErrorCase> {};

TEST_P(PageParserFieldErrors, FailThePageNamingTheField) {
  const std::string message = page_error(page_body(item() + "," + item(GetParam().members)));
  EXPECT_NE(message.find("call_summaries[1] (" + kSidA + "): "), std::string::npos) << message;
  EXPECT_NE(message.find(GetParam().expected_message_part), std::string::npos) << message;
}

std::vector<FieldErrorCase> field_error_cases() {
  std::vector<FieldErrorCase> cases;
  for (const std::string field :
       {"account_sid", "call_type", "call_state", "answered_by", "processing_state"}) {
    for (const auto& [label, json, type] :
         std::vector<std::tuple<std::string, std::string, std::string>>{{"Number", "1", "number"},
                                                                        {"Bool", "true", "boolean"},
                                                                        {"Object", "{}", "object"},
                                                                        {"Array", "[]", "array"}}) {
      cases.push_back({field + label, R"(")" + field + R"(":)" + json,
                       field + " must be a string or null, got " + type});
    }
  }
  for (const std::string field : {"created_time", "start_time", "end_time"}) {
    cases.push_back({field + "Number", R"(")" + field + R"(":1)",
                     field + " must be a string or null, got number"});
    int n = 0;
    for (const std::string text :
         {"2021-08-25", "2021-08-25 14:46:40Z", "2021-08-25T14:46:40", "2021-13-01T00:00:00Z",
          "2021-02-29T00:00:00Z", "2021-04-31T00:00:00Z", "2021-08-25T24:00:00Z",
          "2021-08-25T14:60:00Z", "2021-08-25T14:46:61Z", "2021-08-25T14:46:40.Z",
          "2021-08-25T14:46:40+0100", "2021-08-25T14:46:40+16:00", "2021-08-25T14:46:40+01:60",
          "0000-01-01T00:00:00Z", "2021-08-25T14:46:40Zjunk", "2021-08-25t14:46:40z",
          "21-08-25T14:46:40Z", "", "yesterday"}) {
      cases.push_back({field + "Shape" + std::to_string(n++),
                       R"(")" + field + R"(":")" + text + R"(")",
                       field + " must be an ISO-8601 timestamp"});
    }
  }
  for (const std::string field : {"duration", "connect_duration"}) {
    cases.push_back({field + "String", R"(")" + field + R"(":"12")",
                     field + " must be an integer or null, got string"});
    cases.push_back({field + "Bool", R"(")" + field + R"(":false)",
                     field + " must be an integer or null, got boolean"});
    cases.push_back({field + "Fraction", R"(")" + field + R"(":12.5)",
                     field + " must be a 64-bit integer or null, got 12.5"});
    cases.push_back({field + "TooBigUnsigned", R"(")" + field + R"(":18446744073709551615)",
                     field + " must be a 64-bit integer or null, got 18446744073709551615"});
    cases.push_back({field + "TooBigDouble", R"(")" + field + R"(":1e20)",
                     field + " must be a 64-bit integer or null, got 1e+20"});
  }
  cases.push_back({"TagsString", R"("tags":"silence")",
                   "tags must be an array of strings or null, got string"});
  cases.push_back(
      {"TagsObject", R"("tags":{})", "tags must be an array of strings or null, got object"});
  cases.push_back(
      {"TagsNumberElement", R"("tags":["ok",1])", "tags[1] must be a string, got number"});
  cases.push_back({"TagsNullElement", R"("tags":[null])", "tags[0] must be a string, got null"});
  for (const std::string field : {"from", "to", "carrier_edge", "client_edge", "sdk_edge",
                                  "sip_edge", "properties", "attributes", "trust", "annotation"}) {
    cases.push_back({field + "String", R"(")" + field + R"(":"x")",
                     field + " must be an object or null, got string"});
    cases.push_back({field + "Array", R"(")" + field + R"(":[])",
                     field + " must be an object or null, got array"});
    cases.push_back({field + "Bool", R"(")" + field + R"(":false)",
                     field + " must be an object or null, got boolean"});
  }
  cases.push_back({"AgentSessionsObject", R"("agent_session_summaries":{})",
                   "agent_session_summaries must be an array or null, got object"});
  cases.push_back({"AgentSessionsNumber", R"("agent_session_summaries":1)",
                   "agent_session_summaries must be an array or null, got number"});
  // Strings PostgreSQL cannot store, only reachable through \u escapes.
  cases.push_back({"NulInText", R"("account_sid":"AC\u0000")", "account_sid contains U+0000"});
  cases.push_back({"LoneSurrogateInText", R"("call_state":"\udc00")",
                   "call_state contains U+0000 or an unpaired surrogate"});
  cases.push_back({"NulInTag", R"("tags":["a","b\u0000"])", "tags[1] contains U+0000"});
  cases.push_back({"NulInNestedValue", R"("from":{"caller":"+1\u0000"})", "from contains U+0000"});
  cases.push_back({"NulInNestedKey", R"("trust":{"a":{"k\u0000":1}})", "trust contains U+0000"});
  cases.push_back({"NulInArray", R"("agent_session_summaries":[{"session_id":"\u0000"}])",
                   "agent_session_summaries contains U+0000"});
  cases.push_back({"NulInTimestamp", R"("end_time":"2021-08-25T14:46:40Z\u0000")",
                   "end_time must be an ISO-8601 timestamp"});
  cases.push_back({"NulInUnknownValue", R"("mystery":"\u0000")",
                   R"(unknown key "mystery" (name or value) contains U+0000)"});
  cases.push_back({"NulInUnknownKey", R"("my\u0000stery":1)",
                   R"(unknown key "my?stery" (name or value) contains U+0000)"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, PageParserFieldErrors, ::testing::ValuesIn(field_error_cases()),
                         [](const ::testing::TestParamInfo<FieldErrorCase>& case_info) {
                           return case_info.param.name;
                         });

TEST(PageParserCallSid, MustBePresentAndWellFormed) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({})", "call_summaries[1]: call_sid is missing"},
      {R"({"call_state":"completed"})", "call_summaries[1]: call_sid is missing"},
      {R"({"call_sid":null})", "call_summaries[1]: call_sid must be a string, got null"},
      {R"({"call_sid":12})", "call_summaries[1]: call_sid must be a string, got number"},
      {R"({"call_sid":""})",
       R"(call_summaries[1]: call_sid must match ^CA[0-9a-fA-F]{32}$, got "")"},
      {R"({"call_sid":"CA123"})", R"(got "CA123")"},
      {R"({"call_sid":"ca)" + std::string(32, 'a') + R"("})", "call_sid must match"},
      {R"({"call_sid":"CA)" + std::string(31, 'a') + R"(g"})", "call_sid must match"},
      {R"({"call_sid":"CA)" + std::string(33, 'a') + R"("})", "call_sid must match"},
      {R"({"call_sid":"AC)" + std::string(32, 'a') + R"("})", "call_sid must match"},
      {R"({"call_sid":")" + kSidA + R"(\u0000"})", "call_sid must match"},
      {R"({"call_sid":")" + kSidA + R"(","call_sid":"bad"})", R"(got "bad")"},
  };
  for (const auto& [bad_item, expected] : cases) {
    const std::string message = page_error(page_body(item() + "," + bad_item));
    EXPECT_NE(message.find(expected), std::string::npos) << bad_item << " → " << message;
  }
  // Mixed-case hex is valid.
  EXPECT_NO_THROW(
      parse_summaries_page(page_body(R"({"call_sid":"CA0123456789abcdefABCDEF0123456789"})")));
}

TEST(PageParserCallSid, ErrorMessagesShowOnlyPrintableAscii) {
  const std::string message =
      page_error(page_body(R"({"call_sid":"CA\n\u00e9)" + std::string(60, 'x') + R"("})"));
  EXPECT_NE(message.find(R"(got "CA???xxxx)"), std::string::npos) << message;
  EXPECT_NE(message.find(R"(xxx"...)"), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------
// Single summary

TEST(SingleSummary, ErrorsNameTheSummary) {
  EXPECT_NE(single_error("[]").find("must be a JSON object, got array"), std::string::npos);
  EXPECT_NE(single_error(R"({"call_sid":"x"})").find("summary: call_sid must match"),
            std::string::npos);
  EXPECT_NE(single_error(item(R"("duration":"1")")).find("summary (" + kSidA + "): duration"),
            std::string::npos);
}

TEST(SingleSummary, CollectsUnknownKeys) {
  const Page page = parse_single_summary(item(R"("b":1,"a":2,"b":3)"));
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].extra, R"({"b":1,"a":2,"b":3})");
  EXPECT_EQ(page.unknown_keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(page.is_last());
}

}  // namespace
}  // namespace insights
