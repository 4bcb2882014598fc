#include "api/compact_json.hpp"

#include <cstdint>
#include <cstring>

namespace insights {
namespace {

// Forwards a DOM walk to the Writer, refusing strings PostgreSQL cannot store. Only the
// handler calls GenericValue::Accept makes are needed.
template <typename Writer>
class StorableTextFilter {
 public:
  StorableTextFilter(Writer& writer, bool check_strings)
      : writer_(writer), check_strings_(check_strings) {}

  bool Null() { return writer_.Null(); }
  bool Bool(bool b) { return writer_.Bool(b); }
  bool Int(int i) { return writer_.Int(i); }
  bool Uint(unsigned u) { return writer_.Uint(u); }
  bool Int64(std::int64_t i) { return writer_.Int64(i); }
  bool Uint64(std::uint64_t u) { return writer_.Uint64(u); }
  bool Double(double d) { return writer_.Double(d); }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    return storable(text, length) && writer_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    return storable(text, length) && writer_.Key(text, length, copy);
  }
  bool StartObject() { return writer_.StartObject(); }
  bool EndObject(rapidjson::SizeType count) { return writer_.EndObject(count); }
  bool StartArray() { return writer_.StartArray(); }
  bool EndArray(rapidjson::SizeType count) { return writer_.EndArray(count); }

 private:
  bool storable(const char* text, rapidjson::SizeType length) const {
    return !check_strings_ || is_storable_text(std::string_view(text, length));
  }

  Writer& writer_;
  bool check_strings_;
};

}  // namespace

bool is_storable_text(std::string_view text) {
  if (text.empty()) {
    return true;
  }
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    return false;
  }
  // In otherwise valid UTF-8, 0xED is only ever a lead byte; followed by A0..BF it encodes
  // U+D800..U+DFFF.
  const char* const end = text.data() + text.size();
  const char* lead = text.data();
  while ((lead = static_cast<const char*>(
              std::memchr(lead, '\xED', static_cast<std::size_t>(end - lead)))) != nullptr) {
    if (lead + 1 < end && static_cast<unsigned char>(lead[1]) >= 0xA0) {
      return false;
    }
    ++lead;
  }
  return true;
}

CompactJsonWriter::CompactJsonWriter(bool check_strings)
    : check_strings_(check_strings), writer_(buffer_) {}

bool CompactJsonWriter::finish(bool written, std::string& out) {
  if (written) {
    out.append(buffer_.GetString(), buffer_.GetSize());
  }
  // Clear (not ShrinkToFit) keeps the capacity for the next value; Reset also drops what a
  // failed walk left half written in the Writer's state.
  buffer_.Clear();
  writer_.Reset(buffer_);
  return written;
}

bool CompactJsonWriter::append(const rapidjson::Value& value, std::string& out) {
  StorableTextFilter filter(writer_, check_strings_);
  return finish(value.Accept(filter), out);
}

bool CompactJsonWriter::append_object(std::span<const rapidjson::Value::Member* const> members,
                                      std::string& out,
                                      const rapidjson::Value::Member*& failed_member) {
  failed_member = nullptr;
  StorableTextFilter filter(writer_, check_strings_);
  // Writer's StartObject/EndObject only record nesting and cannot fail on a fresh writer.
  filter.StartObject();
  for (const rapidjson::Value::Member* member : members) {
    const bool written =
        filter.Key(member->name.GetString(), member->name.GetStringLength(), true) &&
        member->value.Accept(filter);
    if (!written) {
      failed_member = member;
      return finish(false, out);
    }
  }
  return finish(filter.EndObject(static_cast<rapidjson::SizeType>(members.size())), out);
}

}  // namespace insights
