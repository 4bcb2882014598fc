#include "sim/list_query.hpp"

#include <algorithm>
#include <array>
#include <boost/url/parse_query.hpp>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>

#include "core/twilio_vocabulary.hpp"
#include "sim/time_param.hpp"

namespace insights::sim {
namespace {

TwilioError invalid(std::string_view name, std::string_view value, std::string_view expected) {
  return {
      400, 20001,
      "Invalid " + std::string(name) + " '" + std::string(value) + "': " + std::string(expected)};
}

std::vector<std::string> split_commas(std::string_view value) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    parts.emplace_back(value.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

std::optional<TwilioError> enum_list(std::string_view name, std::string_view value,
                                     std::span<const std::string_view> allowed,
                                     std::vector<std::string>& out) {
  out = split_commas(value);
  for (const auto& part : out) {
    if (!is_one_of(allowed, part)) {
      return invalid(name, value, "expected one or more of " + list_of(allowed));
    }
  }
  return std::nullopt;
}

std::optional<TwilioError> boolean(std::string_view name, std::string_view value,
                                   std::optional<bool>& out) {
  if (value == "true") {
    out = true;
  } else if (value == "false") {
    out = false;
  } else {
    return invalid(name, value, "expected true or false");
  }
  return std::nullopt;
}

std::optional<TwilioError> integer(std::string_view name, std::string_view value, int low, int high,
                                   int& out) {
  int parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc() || end != value.data() + value.size() || parsed < low || parsed > high) {
    return invalid(
        name, value,
        "expected an integer from " + std::to_string(low) + " to " + std::to_string(high));
  }
  out = parsed;
  return std::nullopt;
}

bool any_of_or_empty(const std::vector<std::string>& wanted, std::string_view actual) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), actual) != wanted.end();
}

bool any_of_or_empty_optional(const std::vector<std::string>& wanted,
                              const std::optional<std::string>& actual) {
  return wanted.empty() || (actual && any_of_or_empty(wanted, std::string_view(*actual)));
}

}  // namespace

std::variant<ListQuery, TwilioError> parse_list_query(std::string_view query_text, SimTime now) {
  ListQuery query;
  std::string start_text = "4h", end_text = "0m";
  std::string processing = "completed", sort = "start_time";

  // Explicit (pointer, size): an absent query is a null std::string_view, which the implicit
  // conversion would hand to strlen.
  const auto params = boost::urls::parse_query(
      boost::core::string_view(query_text.empty() ? "" : query_text.data(), query_text.size()));
  if (!params)
    return TwilioError{400, 20001, "Malformed query string"};

  using Setter = std::function<std::optional<TwilioError>(std::string_view, std::string_view)>;
  auto text_list = [](std::vector<std::string>& out) -> Setter {
    return [&out](std::string_view, std::string_view value) {
      out = split_commas(value);
      return std::optional<TwilioError>();
    };
  };
  auto flag = [](std::optional<bool>& out) -> Setter {
    return
        [&out](std::string_view name, std::string_view value) { return boolean(name, value, out); };
  };
  auto text = [](std::string& out) -> Setter {
    return [&out](std::string_view, std::string_view value) {
      out = value;
      return std::optional<TwilioError>();
    };
  };
  const std::map<std::string_view, Setter> setters = {
      {"From", text_list(query.from)},
      {"To", text_list(query.to)},
      {"FromCarrier", text_list(query.from_carrier)},
      {"ToCarrier", text_list(query.to_carrier)},
      {"FromCountryCode", text_list(query.from_country_code)},
      {"ToCountryCode", text_list(query.to_country_code)},
      {"VerifiedCaller", flag(query.verified_caller)},
      {"HasTag", flag(query.has_tag)},
      {"AbnormalSession", flag(query.abnormal_session)},
      {"BrandedEnabled", flag(query.branded_enabled)},
      {"StartTime", text(start_text)},
      {"EndTime", text(end_text)},
      {"ProcessingState", text(processing)},
      {"SortBy", text(sort)},
      {"CallType",
       [&](std::string_view name, std::string_view value) {
         return enum_list(name, value, kCallTypes, query.call_type);
       }},
      {"CallState",
       [&](std::string_view name, std::string_view value) {
         return enum_list(name, value, kCallStates, query.call_state);
       }},
      {"Direction",
       [&](std::string_view name, std::string_view value) {
         return enum_list(name, value, kDirections, query.direction);
       }},
      {"AnsweredBy",
       [&](std::string_view name, std::string_view value) {
         return enum_list(name, value, kAnsweredByValues, query.answered_by);
       }},
      {"Subaccount",
       [&](std::string_view name, std::string_view value) -> std::optional<TwilioError> {
         if (!is_twilio_sid(value, "AC"))
           return invalid(name, value, "expected an Account SID");
         query.subaccount = std::string(value);
         return std::nullopt;
       }},
      {"PageSize",
       [&](std::string_view name, std::string_view value) {
         return integer(name, value, 1, 1000, query.page_size);
       }},
      {"Page",
       [&](std::string_view name, std::string_view value) {
         return integer(name, value, 0, 1000000000, query.page);
       }},
      {"PageToken",
       [&](std::string_view, std::string_view value) -> std::optional<TwilioError> {
         query.page_token = std::string(value);
         return std::nullopt;
       }},
  };

  for (const auto& param : *params) {
    // Form encoding: '+' is a space (Twilio's own URLs write "AT%26T+Wireless").
    const boost::urls::encoding_opts form(true);
    const std::string name = param.key.decode(form);
    const std::string value = param.has_value ? param.value.decode(form) : std::string();
    if (name != "PageSize" && name != "Page" && name != "PageToken") {
      if (!query.echoed_filters.empty())
        query.echoed_filters += '&';
      query.echoed_filters += std::string_view(param.key);
      if (param.has_value) {
        query.echoed_filters += '=';
        query.echoed_filters += std::string_view(param.value);
      }
    }
    const auto setter = setters.find(name);
    if (setter == setters.end())
      continue;  // unmodelled or unknown: ignored, as Twilio does
    if (auto error = setter->second(name, value))
      return *error;
  }

  const auto start = parse_time_param(start_text, now);
  if (!start)
    return invalid("StartTime", start_text, "expected e.g. 30m, 4h, 3d, 1w or ISO-8601");
  const auto end = parse_time_param(end_text, now);
  if (!end)
    return invalid("EndTime", end_text, "expected e.g. 30m, 4h, 3d, 1w or ISO-8601");
  if (*end < *start)
    return invalid("EndTime", end_text, "must not be before StartTime");
  query.start_time = *start;
  query.end_time = *end;

  if (processing == "completed") {
    query.processing_state = ProcessingStateFilter::completed;
  } else if (processing == "started") {
    query.processing_state = ProcessingStateFilter::started;
  } else if (processing == "partial") {
    query.processing_state = ProcessingStateFilter::partial;
  } else if (processing == "all") {
    query.processing_state = ProcessingStateFilter::all;
  } else {
    return invalid("ProcessingState", processing, "expected completed, started, partial or all");
  }
  if (sort == "start_time") {
    query.sort_by = SortField::start_time;
  } else if (sort == "end_time") {
    query.sort_by = SortField::end_time;
  } else {
    return invalid("SortBy", sort, "expected start_time or end_time");
  }
  return query;
}

bool matches_filters(const ListQuery& query, const SimCall& call, Visibility visibility) {
  const bool complete = visibility == Visibility::complete;
  const bool has_tag = complete && !call.complete_tags.empty();
  return any_of_or_empty(query.from, call.from_caller) &&
         any_of_or_empty(query.to, call.to_callee) &&
         any_of_or_empty_optional(query.from_carrier, call.from_carrier) &&
         any_of_or_empty_optional(query.to_carrier, call.to_carrier) &&
         any_of_or_empty_optional(query.from_country_code, call.from_country_code) &&
         any_of_or_empty_optional(query.to_country_code, call.to_country_code) &&
         any_of_or_empty(query.call_type, call.call_type) &&
         any_of_or_empty(query.call_state, call.call_state) &&
         any_of_or_empty(query.direction, call.direction) &&
         any_of_or_empty_optional(query.answered_by, call.answered_by) &&
         (!query.verified_caller || *query.verified_caller == call.verified_caller) &&
         (!query.branded_enabled || *query.branded_enabled == call.branded_enabled) &&
         (!query.abnormal_session || *query.abnormal_session == abnormal_session(call)) &&
         (!query.has_tag || *query.has_tag == has_tag);
}

}  // namespace insights::sim
