// The one translation unit that compiles Asio, Asio's SSL support and Beast
// (BOOST_*_SEPARATE_COMPILATION, see cmake/Dependencies.cmake). Everything else includes their
// headers only, which keeps a clean build on two cores short.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
