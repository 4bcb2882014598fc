#pragma once
// The Authorization header for HTTP Basic auth, as Twilio expects it. The result holds the
// secret: keep it in memory only, never log it.

#include <string>
#include <string_view>

namespace insights {

// "Basic " + base64(user ":" secret).
std::string basic_authorization(std::string_view user, std::string_view secret);

}  // namespace insights
