// The hostile-body corpus (tests/fixtures/hostile): every case listed in its README gives the
// outcome the README documents, and every file there is listed. Cases too large to commit
// ("generated:...") are built here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/page_parser.hpp"
#include "core/content_hash.hpp"

namespace insights {
namespace {

const std::filesystem::path kCorpus =
    std::filesystem::path(INSIGHTS_FIXTURES_DIR) / ".." / "hostile";
const std::string kSid = "CA" + std::string(32, 'a');

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct DocumentedCase {
  std::string name;     // a file name, or "generated:..."
  std::string outcome;  // "error: TEXT" or "rows: N, last page" / "rows: N, next page"
};

// The rows of the README's table: | `case` | `outcome` | why |
std::vector<DocumentedCase> documented_cases() {
  std::vector<DocumentedCase> cases;
  std::istringstream readme(read_file(kCorpus / "README.md"));
  for (std::string line; std::getline(readme, line);) {
    if (!line.starts_with("| `"))
      continue;
    const std::size_t name_end = line.find('`', 3);
    const std::size_t outcome_begin = line.find("| `", name_end) + 3;
    const std::size_t outcome_end = line.find("` |", outcome_begin);
    cases.push_back(
        {line.substr(3, name_end - 3), line.substr(outcome_begin, outcome_end - outcome_begin)});
  }
  return cases;
}

std::string list_page(const std::string& items) {
  return R"({"meta":{"page":0,"page_size":50,"key":"call_summaries","next_page_url":null},)"
         R"("call_summaries":[)" +
         items + "]}";
}

std::string item_with(const std::string& members) {
  return R"({"call_sid":")" + kSid + R"(",)" + members + "}";
}

// The bodies too large to commit, by README name.
const std::map<std::string, std::function<std::string()>>& generated_bodies() {
  static const std::map<std::string, std::function<std::string()>> bodies{
      {"generated:huge_string_10mb",
       [] { return list_page(item_with(R"("call_state":")" + std::string(10 << 20, 'x') + '"')); }},
      {"generated:huge_unknown_key_1mb",
       [] { return list_page(item_with('"' + std::string(1 << 20, 'k') + R"(":1)")); }},
      {"generated:deep_arrays_100000",
       [] {
         return list_page(
             item_with(R"("zzz":)" + std::string(100000, '[') + std::string(100000, ']')));
       }},
      {"generated:deep_objects_100000",
       [] {
         std::string body;
         for (int i = 0; i < 100000; ++i)
           body += R"({"a":)";
         return body + "1" + std::string(100000, '}');
       }},
      {"generated:items_100000",
       [] {
         std::string items;
         for (int i = 0; i < 100000; ++i) {
           if (i > 0)
             items += ',';
           items += item_with(R"("duration":)" + std::to_string(i));
         }
         return list_page(items);
       }},
      {"generated:tags_100000",
       [] {
         std::string tags;
         for (int i = 0; i < 100000; ++i)
           tags += (i ? ",\"t" : "\"t") + std::to_string(i) + '"';
         return list_page(item_with(R"("tags":[)" + tags + "]"));
       }},
  };
  return bodies;
}

std::string body_of(const std::string& name) {
  if (name.starts_with("generated:"))
    return generated_bodies().at(name)();
  return read_file(kCorpus / name);
}

// What the parser made of `body`, in the README's words.
std::string outcome_of(const std::string& name, const std::string& body, Page* parsed) {
  try {
    *parsed = name.starts_with("single_") ? parse_single_summary(body) : parse_summaries_page(body);
  } catch (const PageFormatError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::retry);
    return std::string("error: ") + error.what();
  }
  return "rows: " + std::to_string(parsed->rows.size()) + ", " +
         (parsed->is_last() ? "last page" : "next page");
}

TEST(HostilePages, EveryFileIsDocumentedAndEveryCaseExists) {
  std::set<std::string> listed;
  for (const DocumentedCase& documented : documented_cases()) {
    EXPECT_TRUE(listed.insert(documented.name).second) << documented.name << " listed twice";
    if (documented.name.starts_with("generated:")) {
      EXPECT_TRUE(generated_bodies().contains(documented.name)) << documented.name;
    } else {
      EXPECT_TRUE(std::filesystem::exists(kCorpus / documented.name)) << documented.name;
    }
  }
  EXPECT_GE(listed.size(), 90u);
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    const std::string name = entry.path().filename().string();
    if (name != "README.md") {
      EXPECT_TRUE(listed.contains(name)) << name << " is not in the README's table";
    }
  }
}

TEST(HostilePages, EveryCaseGivesItsDocumentedOutcome) {
  int errors = 0, parsed_pages = 0;
  for (const DocumentedCase& documented : documented_cases()) {
    SCOPED_TRACE(documented.name);
    Page page;
    const std::string actual = outcome_of(documented.name, body_of(documented.name), &page);
    if (documented.outcome.starts_with("error: ")) {
      ++errors;
      EXPECT_TRUE(actual.starts_with("error: ")) << actual;
      EXPECT_NE(actual.find(documented.outcome.substr(7)), std::string::npos)
          << "documented: " << documented.outcome << "\nactual: " << actual;
    } else {
      ++parsed_pages;
      EXPECT_EQ(actual, documented.outcome);
      for (const CallSummaryRow& row : page.rows) {
        EXPECT_EQ(row.content_hash, content_hash_hex(row));  // what the sink relies on
      }
    }
  }
  std::cout << "hostile corpus: " << errors << " bodies refused, " << parsed_pages
            << " handled as documented\n";
}

// The cases that parse: what they store.
Page parse_file(const std::string& name) {
  return parse_summaries_page(read_file(kCorpus / name));
}

TEST(HostilePages, DuplicateKeysTakeTheLastOccurrenceEverywhere) {
  EXPECT_EQ(parse_file("duplicate_call_state.json").rows.at(0).call_state, "completed");
  EXPECT_EQ(parse_file("duplicate_call_summaries.json").rows.at(0).call_sid,
            "CA" + std::string(32, 'b'));
  EXPECT_TRUE(parse_file("duplicate_next_page_url.json").is_last());
  EXPECT_EQ(parse_file("duplicate_meta.json").meta.page, 0);
  const CallSummaryRow row = parse_file("duplicate_keys_inside_properties.json").rows.at(0);
  EXPECT_EQ(row.direction, "outbound_api");
  // Both occurrences are passed on; jsonb keeps the last, like the parser.
  EXPECT_EQ(row.properties, R"({"direction":"inbound","direction":"outbound_api"})");
}

// The number stored after `"key":` in compact JSON, read back by strtod.
double stored_number(const std::string& json, const std::string& key) {
  const std::size_t at = json.find('"' + key + "\":");
  EXPECT_NE(at, std::string::npos) << key << " in " << json;
  return at == std::string::npos ? 0 : std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

TEST(HostilePages, NumbersAtTheEdgesAreStoredExactly) {
  // Found by fuzz/page_parser_fuzzer.cpp: RapidJSON 1.1 read this as -2.0152837033678638e264.
  const std::string misread =
      parse_file("number_misread_by_rapidjson.json").rows.at(0).from_party.value();
  EXPECT_EQ(stored_number(misread, "lat"), std::strtod("184467440737095516159.83885", nullptr))
      << misread;
  // Also found by the fuzzer: RapidJSON 1.1 read 0e40 as -2.4258095192198579e229.
  EXPECT_EQ(parse_file("number_zero_with_big_exponent.json").rows.at(0).properties,
            R"({"pdd_ms":0.0,"jitter":-0.0})");
  EXPECT_EQ(parse_file("number_underflows_to_zero.json").rows.at(0).properties,
            R"({"pdd_ms":0.0})");
  EXPECT_EQ(parse_file("duration_int64_min.json").rows.at(0).duration, "-9223372036854775808");
  EXPECT_EQ(parse_file("duration_above_int32.json").rows.at(0).duration, "2147483648");
  // Other spellings of the misread digits, and numbers beside them, keep their values.
  const std::map<std::string, std::string> numbers{{"a", "18446744073709551615"},
                                                   {"b", "18446744073709551615.5e-10"},
                                                   {"c", "0.00184467440737095516159"},
                                                   {"d", "-1844.67440737095516159e3"},
                                                   {"e", "1.5"},
                                                   {"f", "-7"},
                                                   {"g", "18446744073709551616.5"},
                                                   {"h", "3709551615"},
                                                   {"i", "0e40"},
                                                   {"j", "-0.000E100"},
                                                   {"k", "0.00000000000000000000000000"},
                                                   {"l", "0e-400"}};
  std::string members;
  for (const auto& [key, text] : numbers) {
    if (!members.empty())
      members += ',';
    members += '"' + key + "\":" + text;
  }
  const std::string stored =
      parse_summaries_page(list_page(item_with(R"("properties":{)" + members + "}")))
          .rows.at(0)
          .properties.value();
  for (const auto& [key, text] : numbers) {
    EXPECT_EQ(stored_number(stored, key), std::strtod(text.c_str(), nullptr))
        << key << " in " << stored;
  }
  EXPECT_NE(stored.find(R"("a":18446744073709551615,)"), std::string::npos) << stored;  // uint64
  EXPECT_NE(stored.find(R"("f":-7,)"), std::string::npos) << stored;
  // A number out of a double's range is still refused with RapidJSON's words.
  try {
    parse_summaries_page(list_page(item_with(R"("properties":{"a":3709551615e400})")));
    ADD_FAILURE() << "no error";
  } catch (const PageFormatError& error) {
    EXPECT_NE(std::string(error.what()).find("Number too big to be stored in double"),
              std::string::npos)
        << error.what();
  }
}

TEST(HostilePages, HugeValuesAreKeptWhole) {
  const Page page = parse_summaries_page(body_of("generated:huge_string_10mb"));
  EXPECT_EQ(page.rows.at(0).call_state->size(), std::size_t{10 << 20});
  const Page tags = parse_summaries_page(body_of("generated:tags_100000"));
  EXPECT_TRUE(tags.rows.at(0).tags->ends_with(R"("t99999"})"));
}

}  // namespace
}  // namespace insights
