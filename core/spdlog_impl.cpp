// spdlog's out-of-line code (SPDLOG_COMPILED_LIB), compiled once into this binary rather than
// linked from libspdlog.so, so the .deb needs no libspdlog1.10. Every file that includes
// spdlog sees the same configuration through the insights_logging_config CMake target; the
// templates below are the sink types the daemon instantiates (core/logging.cpp,
// core/log_sinks.hpp).
#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/spdlog-inl.h>

#include <mutex>

#ifndef SPDLOG_COMPILED_LIB
#error "spdlog_impl.cpp is only for SPDLOG_COMPILED_LIB builds"
#endif

template class spdlog::sinks::base_sink<std::mutex>;
template class spdlog::sinks::base_sink<spdlog::details::null_mutex>;
template class spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stderr_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
