#include "common/parquet_thrift.h"

#include <gtest/gtest.h>

#include <string>

namespace leadscore::parquet {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(ThriftCompact, VarintsAreLittleEndianBase128) {
  std::string out;
  AppendVarint(1, out);
  AppendVarint(300, out);  // 0b10_0101100
  EXPECT_EQ(out, Bytes({0x01, 0xAC, 0x02}));
}

TEST(ThriftCompact, ZigzagMapsSignedToUnsigned) {
  std::string out;
  for (int64_t v : {0, -1, 1, -2, 2147483647}) AppendZigzag(v, out);
  EXPECT_EQ(out, Bytes({0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F}));
}

TEST(ThriftCompact, FieldHeadersUseDeltasUpTo15AndTheLongFormBeyond) {
  std::string out;
  ThriftCompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, 5);   // delta 1, type i32 (5): 0x15, zigzag 5 = 10
  w.FieldI64(3, -1);  // delta 2, type i64 (6): 0x26, zigzag -1 = 1
  w.FieldI32(20, 0);  // delta 17: type byte, then zigzag id 20 = 40
  w.FieldBool(21, true);
  w.FieldBool(22, false);
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x15, 0x0A, 0x26, 0x01, 0x05, 0x28, 0x00, 0x11, 0x12, 0x00}));
}

TEST(ThriftCompact, NestedStructsKeepTheirOwnFieldIds) {
  std::string out;
  ThriftCompactWriter w(out);
  w.BeginStruct();
  w.FieldStruct(5);        // 0x5C
  w.FieldI32(1, 1);        // inner delta from 0: 0x15 0x02
  w.EndStruct();           // 0x00
  w.FieldBinary(6, "ab");  // outer delta from 5: 0x18, length 2
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x5C, 0x15, 0x02, 0x00, 0x18, 0x02, 'a', 'b', 0x00}));
}

TEST(ThriftCompact, ListHeadersCarrySmallSizesInlineAndLargeOnesAsVarints) {
  std::string out;
  ThriftCompactWriter w(out);
  w.BeginStruct();
  w.FieldList(1, ThriftType::kI32, 2);
  w.ListI32(3);
  w.ListI32(-3);
  w.FieldList(2, ThriftType::kBinary, 15);
  for (int i = 0; i < 15; ++i) w.ListBinary("");
  w.EndStruct();
  std::string expected = Bytes({0x19, 0x25, 0x06, 0x05, 0x19, 0xF8, 0x0F});
  expected.append(15, '\0');
  expected.push_back('\0');
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace leadscore::parquet
