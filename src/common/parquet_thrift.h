// The Thrift compact protocol, write side only, as far as Parquet's metadata needs it
// (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md):
// structs with field-id deltas, i32/i64 as zigzag varints, binary, bool, lists.
// Callers write fields in increasing id order inside BeginStruct()/EndStruct(); the
// writer only appends bytes (no validation of the Parquet schema itself).
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leadscore::parquet {

// Element types of the compact protocol (the low nibble of a field or list header).
enum class ThriftType : uint8_t {
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// Appends ULEB128 (7 bits a byte, low first) / zigzag-then-ULEB128 encodings to `out`.
void AppendVarint(uint64_t value, std::string& out);
void AppendZigzag(int64_t value, std::string& out);

class ThriftCompactWriter {
 public:
  explicit ThriftCompactWriter(std::string& out) : out_(out) {}

  void BeginStruct() { last_field_.push_back(0); }
  void EndStruct();  // writes the stop byte

  void FieldI32(int16_t id, int32_t value);
  void FieldI64(int16_t id, int64_t value);
  void FieldBinary(int16_t id, std::string_view value);
  void FieldBool(int16_t id, bool value);
  // A struct-typed field: its header, then BeginStruct(); close it with EndStruct().
  void FieldStruct(int16_t id);
  // A list-typed field: its header; then `size` elements written with the List* calls (or,
  // for structs, BeginStruct()/EndStruct() each).
  void FieldList(int16_t id, ThriftType element, size_t size);

  void ListI32(int32_t value) { AppendZigzag(value, out_); }
  void ListBinary(std::string_view value);

 private:
  void FieldHeader(int16_t id, ThriftType type);
  std::string& out_;
  std::vector<int16_t> last_field_;  // per open struct: the id of its last field
};

}  // namespace leadscore::parquet
