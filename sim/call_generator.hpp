#pragma once
// Draws the facts of one simulated call from (options.seed, hour, parent, index): the pure
// function behind CallStore. Only facts the API filters or schedules on are drawn here; the
// rest of the payload is drawn from SimCall::shape_seed by the renderer.
//
// Distributions (per call):
//   call_type   carrier 45%, client 20%, trunking 15%, sip 12%, whatsapp 8%
//   call_state  completed 80%, noanswer 6%, busy 4.5%, canceled 4%, fail 3.5%, and a few
//               undialed, answered, ringing so every enum value is served
//   duration    connected calls: ring 2–25 s plus talk mostly ≤ 10 min (skewed short), 10%
//               10–30 min, `long_call_fraction` from 30 min up to `longest_call_seconds`;
//               unconnected calls a few seconds (noanswer up to a minute), connect 0
//   created     = start, except 15% of outbound_api calls queued 1–8 s for CPS
//   lifecycle   partial_at / complete_at drawn in the option ranges after end_time;
//               `annotation_edit_fraction` of calls get 1–3 edits after complete_at, each
//               1–48 h after it or (half of them) from 48 h to `latest_annotation_edit_hours`
//               (29 days) after it
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "sim/call_sid.hpp"
#include "sim/call_store.hpp"
#include "sim/sim_call.hpp"

namespace insights::sim {

// A parent account and its subaccounts (parent first): one parent's calls spread over them.
struct AccountFamily {
  std::vector<std::string> sids;
};

// Every problem with the options, one message each; empty when they are usable.
std::vector<std::string> generator_option_problems(const GeneratorOptions& options);

// One family per entry of options.accounts, in the same order.
std::vector<AccountFamily> account_families(const GeneratorOptions& options);

// The call's start_time, drawn alone so CallStore::find can binary-search an hour by it.
SimTime call_start_time(const GeneratorOptions& options, const CallSidParts& parts);

SimCall generate_call(const GeneratorOptions& options, const AccountFamily& family,
                      const CallSidParts& parts);

}  // namespace insights::sim
