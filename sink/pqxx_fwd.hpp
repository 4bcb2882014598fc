#pragma once
// Forward declarations of the libpqxx 6.4 types public headers name by reference only, so that
// including such a header does not pull in libpqxx (it ships no forward-declaration header).
// Must match <pqxx/connection.hxx>; a mismatch is a compile error wherever both are included.

namespace pqxx {

template <typename CONNECTPOLICY>
class basic_connection_base;
class connect_direct;
using connection = basic_connection_base<connect_direct>;

}  // namespace pqxx
