// {fmt}'s out-of-line code, compiled once into this binary rather than linked from
// libfmt.so: the .deb then installs with plain `dpkg -i` on a machine without libfmt9.
// format.h declares these functions (FMT_FUNC, extern templates); format-inl.h defines them.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;

}  // namespace detail
FMT_END_NAMESPACE
