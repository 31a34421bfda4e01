#include "common/parquet_thrift.h"

namespace leadscore::parquet {

void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void AppendZigzag(int64_t value, std::string& out) {
  // (n << 1) ^ (n >> 63), computed on the unsigned value so the shift is defined.
  const auto bits = static_cast<uint64_t>(value);
  AppendVarint((bits << 1) ^ (value < 0 ? ~uint64_t{0} : uint64_t{0}), out);
}

void ThriftCompactWriter::FieldHeader(int16_t id, ThriftType type) {
  int16_t& last = last_field_.back();
  const int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {  // long form: the type, then the id itself
    out_.push_back(static_cast<char>(type));
    AppendZigzag(id, out_);
  }
  last = id;
}

void ThriftCompactWriter::EndStruct() {
  out_.push_back('\0');
  last_field_.pop_back();
}

void ThriftCompactWriter::FieldI32(int16_t id, int32_t value) {
  FieldHeader(id, ThriftType::kI32);
  AppendZigzag(value, out_);
}

void ThriftCompactWriter::FieldI64(int16_t id, int64_t value) {
  FieldHeader(id, ThriftType::kI64);
  AppendZigzag(value, out_);
}

void ThriftCompactWriter::FieldBinary(int16_t id, std::string_view value) {
  FieldHeader(id, ThriftType::kBinary);
  ListBinary(value);
}

void ThriftCompactWriter::FieldBool(int16_t id, bool value) {
  // A bool field carries its value in the header's type nibble.
  FieldHeader(id, value ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}

void ThriftCompactWriter::FieldStruct(int16_t id) {
  FieldHeader(id, ThriftType::kStruct);
  BeginStruct();
}

void ThriftCompactWriter::FieldList(int16_t id, ThriftType element, size_t size) {
  FieldHeader(id, ThriftType::kList);
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<size_t>(element)));
  } else {
    out_.push_back(static_cast<char>(0xF0 | static_cast<int>(element)));
    AppendVarint(size, out_);
  }
}

void ThriftCompactWriter::ListBinary(std::string_view value) {
  AppendVarint(value.size(), out_);
  out_.append(value);
}

}  // namespace leadscore::parquet
