#include "core/source_config.hpp"

#include <algorithm>
#include <utility>

#include "core/config_value_echo.hpp"
#include "core/source_config_reader.hpp"
#include "core/source_label.hpp"
#include "core/toml_table_reader.hpp"
#include "core/twilio_vocabulary.hpp"

namespace insights {
namespace {

// Where a user:password@ before the host sits in `url`: [begin, end) covering it and the '@';
// begin == end when there is none.
std::pair<std::size_t, std::size_t> userinfo_span(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return {0, 0};
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  const std::size_t at = url.substr(authority, authority_end - authority).rfind('@');
  if (at == std::string::npos)
    return {0, 0};
  return {authority, authority + at + 1};
}

// api_url as a message repeats it: without user information, which may hold a secret.
std::string url_without_userinfo(const std::string& url) {
  const auto [begin, end] = userinfo_span(url);
  return begin == end ? url : url.substr(0, begin) + "...@" + url.substr(end);
}

std::vector<std::string> enum_list(TomlTableReader& reader, std::string_view key,
                                   std::span<const std::string_view> allowed) {
  auto values = reader.string_list(key);
  for (const auto& value : values) {
    if (!is_one_of(allowed, value)) {
      reader.problem(key, "has unknown value " + quoted_config_text(value) + " (expected " +
                              list_of(allowed) + ")");
    }
  }
  return values;
}

SummaryFilters read_filters(const toml::table& table, const TablePlace& place,
                            std::vector<std::string>& problems) {
  TomlTableReader reader(table, place, problems);
  SummaryFilters filters;
  filters.from = reader.string_list("from");
  filters.to = reader.string_list("to");
  filters.from_carrier = reader.string_list("from_carrier");
  filters.to_carrier = reader.string_list("to_carrier");
  filters.from_country_code = reader.string_list("from_country_code");
  filters.to_country_code = reader.string_list("to_country_code");
  filters.call_type = enum_list(reader, "call_type", kCallTypes);
  filters.call_state = enum_list(reader, "call_state", kCallStates);
  filters.direction = enum_list(reader, "direction", kDirections);
  filters.answered_by = enum_list(reader, "answered_by", kAnsweredByValues);
  filters.verified_caller = reader.boolean("verified_caller");
  filters.has_tag = reader.boolean("has_tag");
  filters.abnormal_session = reader.boolean("abnormal_session");
  filters.branded_enabled = reader.boolean("branded_enabled");
  filters.subaccount = reader.string("subaccount");
  if (filters.subaccount && !is_twilio_sid(*filters.subaccount, "AC")) {
    reader.problem("subaccount", "must be an Account SID (AC followed by 32 hex digits); got " +
                                     quoted_config_text(*filters.subaccount));
  }
  reader.reject_unknown_keys();
  return filters;
}

}  // namespace

SourceOptions read_source_table(const toml::table& table, const TablePlace& place,
                                std::vector<std::string>& problems) {
  TomlTableReader reader(table, place, problems);
  SourceOptions source;
  const std::optional<std::string> name = reader.string("name");
  source.name = name.value_or("");
  if (!name) {
    reader.problem("name", "is required: letters, digits, '_' or '-', at most 64 characters");
  } else if (!is_source_name(*name)) {
    reader.problem("name", "must be letters, digits, '_' or '-', at most 64 characters; got " +
                               quoted_config_text(*name));
  }
  const std::optional<std::string> account_sid = reader.string("account_sid");
  source.account_sid = account_sid.value_or("");
  if (!account_sid) {
    reader.problem("account_sid", "is required: AC followed by 32 hex digits");
  } else if (!is_twilio_sid(*account_sid, "AC")) {
    reader.problem("account_sid",
                   "must be AC followed by 32 hex digits; got " + quoted_config_text(*account_sid));
  }
  source.api_key_sid = reader.string("api_key_sid");
  if (source.api_key_sid && !is_twilio_sid(*source.api_key_sid, "SK")) {
    reader.problem("api_key_sid", "must be an API key SID (SK followed by 32 hex digits); got " +
                                      quoted_config_text(*source.api_key_sid));
  }
  source.secret_env = reader.string("secret_env");
  source.secret_file = reader.string("secret_file");
  if (source.secret_env.has_value() == source.secret_file.has_value()) {
    reader.report(place.named("secret_env") + " or " + place.named("secret_file") +
                  ": set exactly one (the secret itself never goes in this file)");
  }
  source.allow_insecure_http = reader.boolean("allow_insecure_http").value_or(false);
  if (auto url = reader.string("api_url")) {
    const std::string got = "; got " + quoted_config_text(url_without_userinfo(*url));
    if (!url->starts_with("https://") && !url->starts_with("http://")) {
      reader.problem("api_url",
                     "must start with https:// (or http:// for a local simulator)" + got);
    } else if (const auto [begin, end] = userinfo_span(*url); begin != end) {
      // It would end up in messages and logs; the secret has its own settings.
      reader.problem("api_url",
                     "must not hold user information (\"user:password@\" before the host): the "
                     "secret goes in secret_env or secret_file" +
                         got);
    } else if (url->starts_with("http://") && !source.allow_insecure_http) {
      // Fail closed: a typo'd scheme must not send the secret unencrypted.
      reader.problem("api_url",
                     "is plain http://, which would send the secret unencrypted; use https://, "
                     "or set allow_insecure_http = true (only for a local simulator)" +
                         got);
    }
    source.api_url = *url;
  }
  source.ca_file = reader.string("ca_file");
  if (auto concurrency = reader.integer("concurrency")) {
    if (*concurrency < 1 || *concurrency > 64) {
      reader.problem("concurrency", "must be from 1 to 64; got " + std::to_string(*concurrency));
    } else {
      source.concurrency = static_cast<int>(*concurrency);
    }
  }
  if (const toml::table* filters = reader.table("filters"))
    source.filters = read_filters(*filters, place.below("filters"), problems);
  reader.reject_unknown_keys();
  return source;
}

}  // namespace insights
