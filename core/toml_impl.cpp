// toml++'s parser, compiled once into this binary (TOML_HEADER_ONLY=0 everywhere, the
// implementation here) rather than linked from libtomlplusplus.so, so the .deb needs no
// libtomlplusplus3 and the headers stay light for the files that read config tables.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
