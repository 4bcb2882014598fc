#pragma once
// How PgSink (and PgWorkQueue, which runs it) reaches PostgreSQL, and the hook tests use to fail
// a page commit at any step.

#include <functional>
#include <string>

namespace insights {

// The steps of commit_page, in order; a test hook can fail any of them.
enum class CommitStep { begin, lock_work_item, copy_rows, merge_rows, advance_cursor, commit };

struct PgSinkOptions {
  std::string conninfo;  // libpq connection string or URI; empty = libpq environment
  // Called before each step. Tests throw from it to prove that a failure at any step leaves
  // neither rows nor cursor changed. Unset in production.
  std::function<void(CommitStep)> before_step;
};

}  // namespace insights
