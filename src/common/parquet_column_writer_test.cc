#include "common/parquet_column_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "common/parquet_file_writer.h"

namespace leadscore::parquet {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

std::string U32(uint32_t value) {
  std::string out(4, '\0');
  std::memcpy(out.data(), &value, 4);
  return out;
}

std::string Header(PageType type, size_t size, int32_t values, Encoding encoding) {
  PageHeader header;
  header.type = type;
  header.uncompressed_size = header.compressed_size = static_cast<int32_t>(size);
  header.num_values = values;
  header.encoding = encoding;
  std::string out;
  SerializePageHeader(header, out);
  return out;
}

// optional group event_params (LIST) { repeated group list { optional group element {
//   optional binary key (STRING); optional group value { optional int64 int_value } } } }
// plus optional group device { optional binary category (STRING) }.
ParquetSchema NestedSchema() {
  return ParquetSchema(
      {RepeatedRecordField("event_params",
                           {StringField("key"), RecordField("value", {Int64Field("int_value")})}),
       RecordField("device", {StringField("category")})});
}

TEST(ParquetSchema, LevelsCountOptionalAndRepeatedAncestors) {
  const ParquetSchema schema = NestedSchema();
  ASSERT_EQ(schema.columns().size(), 3u);
  const ColumnDescriptor& key = schema.columns()[0];
  EXPECT_EQ(key.path, (std::vector<std::string>{"event_params", "list", "element", "key"}));
  EXPECT_EQ(key.max_definition, 4);
  EXPECT_EQ(key.max_repetition, 1);
  const ColumnDescriptor& value = schema.columns()[1];
  EXPECT_EQ(value.path.back(), "int_value");
  EXPECT_EQ(value.max_definition, 5);
  EXPECT_EQ(value.max_repetition, 1);
  EXPECT_EQ(schema.columns()[2].max_definition, 2);
  EXPECT_EQ(schema.columns()[2].max_repetition, 0);
  // root, event_params, list, element, key, value, int_value, device, category
  ASSERT_EQ(schema.elements().size(), 9u);
  EXPECT_EQ(schema.elements()[0].num_children, 2);
  EXPECT_EQ(schema.elements()[1].annotation, Annotation::kList);
  EXPECT_EQ(schema.elements()[2].repetition, Repetition::kRepeated);
  EXPECT_EQ(schema.elements()[4].annotation, Annotation::kString);
}

// Rows: [{a, 1}, {b, value NULL}], an empty list, a NULL list.
TEST(ParquetColumnWriter, RepeatedOptionalValuesBecomeDremelLevels) {
  const ParquetSchema schema = NestedSchema();
  ColumnWriter key(schema.columns()[0]);
  ColumnWriter value(schema.columns()[1]);
  key.PutString("a", 0);
  value.PutInt64(1, 0);
  key.PutString("b", 1);
  value.PutNull(3, 1);  // element present, value record absent
  key.PutNull(1, 0);    // the list is there but empty
  value.PutNull(1, 0);
  key.PutNull(0, 0);  // no list
  value.PutNull(0, 0);
  EXPECT_EQ(key.num_values(), 4);

  PageCompressor none(Codec::kUncompressed, 1);
  std::string chunk;
  auto meta = key.WriteChunk(none, 100, chunk);
  ASSERT_TRUE(meta.ok()) << meta.status().message();
  const std::string dictionary = U32(1) + "a" + U32(1) + "b";
  // repetition [0,1,0,0] in 1 bit, definition [4,4,1,0] in 3 bits, indices [0,1] in 1 bit
  const std::string rep = Bytes({0x03, 0x02});
  const std::string def = Bytes({0x03, 0x64, 0x00, 0x00});
  const std::string data = U32(2) + rep + U32(4) + def + Bytes({0x01}) + Bytes({0x03, 0x02});
  const std::string dictionary_header =
      Header(PageType::kDictionaryPage, dictionary.size(), 2, Encoding::kPlain);
  EXPECT_EQ(chunk, dictionary_header + dictionary +
                       Header(PageType::kDataPage, data.size(), 4, Encoding::kRleDictionary) +
                       data);
  EXPECT_EQ(meta.value().num_values, 4);
  EXPECT_EQ(meta.value().dictionary_page_offset, 100);
  EXPECT_EQ(meta.value().data_page_offset,
            100 + static_cast<int64_t>(dictionary_header.size() + dictionary.size()));
  EXPECT_EQ(meta.value().total_compressed_size, static_cast<int64_t>(chunk.size()));

  chunk.clear();
  ASSERT_TRUE(value.WriteChunk(none, 0, chunk).ok());
  // definition [5,3,1,0] in 3 bits: 101 011 001 000 -> 0b11_011_101, 0b0000000_0
  const std::string int_data = U32(2) + rep + U32(4) + Bytes({0x03, 0x5D, 0x00, 0x00}) +
                               std::string("\x01\0\0\0\0\0\0\0", 8);
  EXPECT_EQ(chunk, Header(PageType::kDataPage, int_data.size(), 4, Encoding::kPlain) + int_data);
}

TEST(ParquetColumnWriter, AStringColumnWithoutValuesHasNoDictionary) {
  ColumnWriter category(NestedSchema().columns()[2]);
  category.PutNull(0);
  category.PutNull(1);
  PageCompressor none(Codec::kUncompressed, 1);
  std::string chunk;
  auto meta = category.WriteChunk(none, 0, chunk);
  ASSERT_TRUE(meta.ok());
  EXPECT_FALSE(meta.value().dictionary_page_offset.has_value());
  const std::string data = U32(3) + Bytes({0x03, 0x04, 0x00});  // definition [0,1], 2 bits
  EXPECT_EQ(chunk, Header(PageType::kDataPage, data.size(), 2, Encoding::kPlain) + data);
}

TEST(ParquetColumnWriter, ManyDistinctStringsWidenTheIndicesAndKeepThemExact) {
  ColumnWriter category(NestedSchema().columns()[2]);
  for (int i = 0; i < 70000; ++i) category.PutString(std::to_string(i % 66000));
  PageCompressor none(Codec::kUncompressed, 1);
  std::string chunk;
  auto meta = category.WriteChunk(none, 0, chunk);
  ASSERT_TRUE(meta.ok());
  // The data page: definition levels (one RLE run of 70,000 twos), then the indices' bit
  // width: 66,000 entries need 17 bits.
  const size_t data_at = static_cast<size_t>(meta.value().data_page_offset);
  const std::string body_start = U32(4) + Bytes({0xE0, 0xC5, 0x08, 0x02, 17});
  EXPECT_NE(chunk.find(body_start, data_at), std::string::npos);
  EXPECT_EQ(category.num_values(), 0);  // the chunk was handed over
}

TEST(ParquetPageCompressor, GzipPagesAreGzipStreamsWithoutTimestamps) {
  PageCompressor gzip(Codec::kGzip, 1);
  const std::string page(1000, 'x');
  auto first = gzip.Compress(page);
  ASSERT_TRUE(first.ok());
  const std::string copy(first.value());
  EXPECT_EQ(copy.substr(0, 2), Bytes({0x1F, 0x8B}));   // the gzip magic
  EXPECT_EQ(copy.substr(4, 4), std::string(4, '\0'));  // mtime 0
  EXPECT_LT(copy.size(), page.size());
  auto second = gzip.Compress(page);  // a reset stream gives the same bytes again
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(std::string(second.value()), copy);
}

}  // namespace
}  // namespace leadscore::parquet
