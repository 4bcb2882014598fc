#include "core/source_secret.hpp"

#include <cstdio>

#include "core/config.hpp"
#include "core/configured_file.hpp"

namespace insights {
namespace {

constexpr std::string_view kCredentialsPrefix = "$CREDENTIALS_DIRECTORY/";
// A token is 32 characters; a bigger file is not a secret file.
constexpr std::size_t kMaxSecretBytes = 64 * 1024;

// Outside systemd the variable is unset; say how to check the file anyway, with the packaged
// unit's own LoadCredential= line as the example.
std::string credentials_directory_unset(const std::string& configured) {
  const std::string credential = configured.substr(kCredentialsPrefix.size());
  return "secret_file \"" + configured +
         "\" needs $CREDENTIALS_DIRECTORY, which is not set: systemd sets it for a service with "
         "LoadCredential= (the unit insights-sync.service loads /etc/insights-sync/twilio-token "
         "as the credential twilio-token). To check this configuration outside systemd, set it "
         "to the directory that holds the file " +
         credential +
         ", e.g. CREDENTIALS_DIRECTORY=/etc/insights-sync insights-sync --config "
         "/etc/insights-sync/insights-sync.toml check-config";
}

std::string octal_mode(unsigned mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

// Group and other bits: the secret is for the service's user alone.
std::vector<std::string> permission_warnings(const std::string& shown, unsigned mode) {
  if ((mode & 077) == 0)
    return {};
  const char* who = (mode & 044) != 0 ? "can be read by others" : "can be changed by others";
  return {"secret_file " + shown + " " + who + " (mode " + octal_mode(mode) + "); chmod 600 it"};
}

}  // namespace

SourceSecret load_source_secret(const SourceOptions& source, const EnvironmentLookup& environment) {
  const std::string origin = "source \"" + source.name + "\"";
  SourceSecret secret;
  if (source.secret_env) {
    const char* value = environment(source.secret_env->c_str());
    if (value == nullptr || *value == '\0') {
      throw ConfigError(origin, {"the environment variable " + *source.secret_env +
                                 " (secret_env) is not set or empty"});
    }
    secret.value = value;
    secret.origin = "secret_env " + *source.secret_env;
  } else if (source.secret_file) {
    std::string path = *source.secret_file;
    if (path.starts_with(kCredentialsPrefix)) {
      const char* directory = environment("CREDENTIALS_DIRECTORY");
      if (directory == nullptr || *directory == '\0')
        throw ConfigError(origin, {credentials_directory_unset(path)});
      path = std::string(directory) + "/" + path.substr(kCredentialsPrefix.size());
    }
    const std::string shown = shown_path(path);
    ConfiguredFile file = read_configured_file(path, kMaxSecretBytes);
    if (!file.text)
      throw ConfigError(origin, {"cannot read secret_file " + shown + ": " + file.error});
    secret.value = std::move(*file.text);
    secret.origin = "secret_file " + shown;
    secret.warnings = permission_warnings(shown, file.mode);
  } else {
    throw ConfigError(origin, {"no secret_env or secret_file"});
  }
  while (!secret.value.empty() && (secret.value.back() == '\n' || secret.value.back() == '\r'))
    secret.value.pop_back();
  if (secret.value.empty())
    throw ConfigError(origin, {secret.origin + " holds no secret (it is empty)"});
  return secret;
}

}  // namespace insights
