#pragma once
// Values crossing to and from PostgreSQL the same way everywhere in sink/: times read back as
// epoch seconds, and id lists sent as one bigint[] literal (libpqxx 6.4 binds no arrays).

#include <pqxx/field>
#include <string>

#include "core/utc_time.hpp"

namespace insights {

// A column selected as `extract(epoch FROM ...)::bigint`.
inline UtcSeconds from_epoch(const pqxx::field& field) {
  return UtcSeconds(std::chrono::seconds(field.as<long long>()));
}

// "{1,2,3}", for `= ANY ($n::bigint[])`.
template <typename Ids>
std::string bigint_array(const Ids& ids) {
  std::string text = "{";
  for (long long id : ids) {
    if (text.size() > 1)
      text += ',';
    text += std::to_string(id);
  }
  return text + "}";
}

}  // namespace insights
