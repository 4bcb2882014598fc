#pragma once
// Small read helpers over RapidJSON DOM values shared by the page and item parsers.

#include <rapidjson/document.h>

#include <string_view>

namespace insights {

// The value of the LAST member called `name`, or nullptr. RapidJSON keeps duplicate keys;
// taking the last one matches what PostgreSQL jsonb keeps, so what we read from an object
// agrees with what the stored copy of that object says. `object` must be an object.
inline const rapidjson::Value* find_last_member(const rapidjson::Value& object,
                                                std::string_view name) {
  const rapidjson::Value* found = nullptr;
  for (const auto& member : object.GetObject()) {
    if (std::string_view(member.name.GetString(), member.name.GetStringLength()) == name) {
      found = &member.value;
    }
  }
  return found;
}

// "null", "boolean", "number", "string", "array" or "object", for error messages.
inline std::string_view json_type_name(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "unknown";
}

}  // namespace insights
