#pragma once
// A minimal streaming JSON writer that appends to a caller's string: it only tracks where
// commas go, so the renderer reads like the JSON it produces and stays allocation-free when
// the caller reuses its buffer (a DOM would cost several times more per summary).
//
// Contract: calls must form valid JSON (the writer does not check nesting); member names
// are plain ASCII literals that need no escaping (names up to 60 bytes take a fast path);
// nesting is at most 63 levels.
// Numbers are written from scaled integers (fixed(483035, 6) → 0.483035) so the output is
// exact, identical on every platform, and always has a decimal point, like Twilio's JSON.

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/sim_call.hpp"

namespace insights::sim {

class JsonAppender {
 public:
  explicit JsonAppender(std::string& out) : out_(out) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);  // the next value is this member's

  void string(std::string_view utf8);  // escaped; non-ASCII UTF-8 kept as is
  void integer(std::int64_t value);
  void fixed(std::int64_t scaled, int decimals);  // scaled / 10^decimals, decimals in 1..9
  void boolean(bool value);
  void null();
  void time(SimTime instant);  // "2021-08-25T03:40:25Z"

  // Member shorthands: key(name) followed by the value.
  void string_member(std::string_view name, std::string_view utf8) {
    key(name);
    string(utf8);
  }
  void integer_member(std::string_view name, std::int64_t value) {
    key(name);
    integer(value);
  }
  void fixed_member(std::string_view name, std::int64_t scaled, int decimals) {
    key(name);
    fixed(scaled, decimals);
  }
  void boolean_member(std::string_view name, bool value) {
    key(name);
    boolean(value);
  }
  void null_member(std::string_view name) {
    key(name);
    null();
  }
  void time_member(std::string_view name, SimTime instant) {
    key(name);
    time(instant);
  }

 private:
  void before_value();

  std::string& out_;
  std::uint64_t level_has_items_ = 0;  // bit d: the container at depth d has a value already
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace insights::sim
