#include "sim/payload_shape.hpp"

#include "sim/seeded_random.hpp"

namespace insights::sim {
namespace {

// Names this stream of draws, so it is independent of the renderer's streams of the same seed.
constexpr std::uint64_t kPayloadShapeStream = 0x5a9e;

}  // namespace

PayloadShape payload_shape(std::uint64_t shape_seed) {
  SeededRandom random(derive_seed({shape_seed, kPayloadShapeStream}));
  PayloadShape shape;
  const auto keys_ticket = random.between(0, 999);
  if (keys_ticket < 30) {
    shape.keys = PayloadKeys::before_2022;
  } else if (keys_ticket < 55) {
    shape.keys = PayloadKeys::before_annotations;
  }
  const auto extra_ticket = random.between(0, 999);
  if (extra_ticket < 10) {
    shape.extra = ExtraKey::agent_session_summaries;
  } else if (extra_ticket < 20) {
    shape.extra = ExtraKey::future_field;
  }
  return shape;
}

}  // namespace insights::sim
