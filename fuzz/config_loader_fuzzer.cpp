// libFuzzer target for the config loader: any bytes as a TOML file, and (when they could be an
// environment variable's value) as the value of INSIGHTS__* overrides of a valid file. A
// ConfigError is the expected way to say no; anything else escaping (toml++'s own exceptions,
// a crash, a sanitizer report, a loaded config that breaks its own limits) is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/config.hpp"

namespace insights {
namespace {

// A valid file with one source, so source and filter overrides have something to address.
constexpr std::string_view kBaseConfig = R"(
[[source]]
name = "main"
account_sid = "AC00000000000000000000000000000001"
secret_env = "MAIN_TOKEN"
)";

// Environment values cannot hold NUL; long ones add nothing the TOML pass does not try.
constexpr std::size_t kMaxOverrideSize = 4096;

[[noreturn]] void broken(const char* invariant) {
  std::fprintf(stderr, "invariant broken: %s\n", invariant);
  std::abort();
}

void check_config(const AppConfig& config) {
  // Validation promises these; later code divides by and allocates from them.
  if (config.sync.window_minutes < 1 || 1440 % config.sync.window_minutes != 0) {
    broken("window_minutes divides a day");
  }
  for (const SourceOptions& source : config.sources) {
    if (source.name.empty()) {
      broken("every source has a name");
    }
    if (source.concurrency < 1) {
      broken("concurrency is at least 1");
    }
  }
}

void load(std::string_view toml, const EnvironmentVariables& overrides) {
  try {
    check_config(parse_config(toml, "fuzz.toml", overrides));
  } catch (const ConfigError&) {
    // the expected refusal of a bad file
  }
}

}  // namespace
}  // namespace insights

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  insights::load(text, {});
  if (size <= insights::kMaxOverrideSize && std::memchr(data, '\0', size) == nullptr) {
    const std::string value(text);
    insights::load(insights::kBaseConfig, {{"INSIGHTS__SYNC__WINDOW_MINUTES", value},
                                           {"INSIGHTS__DATABASE__URL", value},
                                           {"INSIGHTS__SOURCE__MAIN__CONCURRENCY", value},
                                           {"INSIGHTS__SOURCE__MAIN__FILTERS__CALL_TYPE", value}});
    insights::load(insights::kBaseConfig, {{"INSIGHTS__SOURCE__MAIN__FILTERS", value}});
  }
  return 0;
}
