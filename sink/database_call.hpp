#pragma once
// One way to turn a failed database call into a DatabaseError: the caller's context, the
// server's message, and the retry decision from sink/pg_error_kind.hpp. `drop_connection` runs
// first, because after most failures the connection's state is unknown and a fresh one on the
// next call is cheaper than reasoning about which errors leave it usable. SyncErrors pass
// through unchanged.

#include <exception>
#include <string>

#include "core/error.hpp"
#include "sink/pg_error_kind.hpp"

namespace insights {

template <typename Work, typename Drop>
auto call_database(const std::string& context, Drop drop_connection, Work work)
    -> decltype(work()) {
  try {
    return work();
  } catch (const SyncError&) {
    throw;
  } catch (const std::exception& error) {
    drop_connection();
    throw DatabaseError(classify_database_error(error),
                        context + ": " + describe_database_error(error));
  }
}

}  // namespace insights
