#include "api/summaries_request.hpp"

namespace insights {
namespace {

std::string_view to_param(ProcessingStateParam state) {
  switch (state) {
    case ProcessingStateParam::completed:
      return "completed";  // the request spells it "completed", responses say "complete"
    case ProcessingStateParam::partial:
      return "partial";
    case ProcessingStateParam::all:
      return "all";
  }
  return "all";
}

class QueryBuilder {
 public:
  explicit QueryBuilder(std::string path) : target_(std::move(path)) {}

  void add(std::string_view name, std::string_view value) {
    target_ += first_ ? '?' : '&';
    first_ = false;
    target_ += name;
    target_ += '=';
    target_ += encode_query_value(value);
  }
  void add_list(std::string_view name, const std::vector<std::string>& values) {
    if (values.empty())
      return;
    std::string joined;
    for (const auto& value : values) {
      if (!joined.empty())
        joined += ',';
      joined += value;
    }
    add(name, joined);
  }
  void add_flag(std::string_view name, const std::optional<bool>& value) {
    if (value)
      add(name, *value ? "true" : "false");  // lowercase, as the SDKs send
  }

  std::string take() { return std::move(target_); }

 private:
  std::string target_;
  bool first_ = true;
};

}  // namespace

std::string encode_query_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

std::string summaries_list_target(const WindowRequest& request) {
  const SummaryFilters& f = request.filters;
  QueryBuilder query("/v1/Voice/Summaries");
  query.add_list("From", f.from);
  query.add_list("To", f.to);
  query.add_list("FromCarrier", f.from_carrier);
  query.add_list("ToCarrier", f.to_carrier);
  query.add_list("FromCountryCode", f.from_country_code);
  query.add_list("ToCountryCode", f.to_country_code);
  query.add_flag("VerifiedCaller", f.verified_caller);
  query.add_flag("HasTag", f.has_tag);
  query.add("StartTime", format_utc(request.start));
  query.add("EndTime", format_utc(request.end));
  query.add_list("CallType", f.call_type);
  query.add_list("CallState", f.call_state);
  query.add_list("Direction", f.direction);
  query.add("ProcessingState", to_param(request.processing_state));
  query.add("SortBy", request.sort_by == SortByParam::start_time ? "start_time" : "end_time");
  if (f.subaccount)
    query.add("Subaccount", *f.subaccount);
  query.add_flag("AbnormalSession", f.abnormal_session);
  query.add_list("AnsweredBy", f.answered_by);
  query.add_flag("BrandedEnabled", f.branded_enabled);
  query.add("PageSize", std::to_string(request.page_size));
  return query.take();
}

std::string single_summary_target(std::string_view call_sid, ProcessingStateParam state) {
  QueryBuilder query("/v1/Voice/" + encode_query_value(call_sid) + "/Summary");
  query.add("ProcessingState", to_param(state));
  return query.take();
}

}  // namespace insights
