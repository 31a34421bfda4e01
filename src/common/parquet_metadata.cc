#include "common/parquet_metadata.h"

#include "common/parquet_thrift.h"

namespace leadscore::parquet {
namespace {

void WriteSchemaElement(const SchemaElement& element, ThriftCompactWriter& w) {
  w.BeginStruct();
  if (element.type) w.FieldI32(1, static_cast<int32_t>(*element.type));
  if (element.repetition) w.FieldI32(3, static_cast<int32_t>(*element.repetition));
  w.FieldBinary(4, element.name);
  if (element.num_children > 0) w.FieldI32(5, element.num_children);
  constexpr int32_t kConvertedUtf8 = 0;
  constexpr int32_t kConvertedList = 3;
  switch (element.annotation) {
    case Annotation::kNone:
      break;
    case Annotation::kString:
      w.FieldI32(6, kConvertedUtf8);
      w.FieldStruct(10);  // logicalType: union LogicalType { 1: StringType STRING }
      w.FieldStruct(1);
      w.EndStruct();
      w.EndStruct();
      break;
    case Annotation::kList:
      w.FieldI32(6, kConvertedList);
      w.FieldStruct(10);  // { 3: ListType LIST }
      w.FieldStruct(3);
      w.EndStruct();
      w.EndStruct();
      break;
  }
  w.EndStruct();
}

void WriteColumnMetaData(const ColumnChunkMetaData& column, ThriftCompactWriter& w) {
  w.FieldI32(1, static_cast<int32_t>(column.type));
  w.FieldList(2, ThriftType::kI32, column.encodings.size());
  for (Encoding encoding : column.encodings) w.ListI32(static_cast<int32_t>(encoding));
  w.FieldList(3, ThriftType::kBinary, column.path.size());
  for (const std::string& part : column.path) w.ListBinary(part);
  w.FieldI32(4, static_cast<int32_t>(column.codec));
  w.FieldI64(5, column.num_values);
  w.FieldI64(6, column.total_uncompressed_size);
  w.FieldI64(7, column.total_compressed_size);
  w.FieldI64(9, column.data_page_offset);
  if (column.dictionary_page_offset) w.FieldI64(11, *column.dictionary_page_offset);
}

}  // namespace

void SerializeRowGroup(const RowGroupMetaData& group, std::string& out) {
  ThriftCompactWriter w(out);
  w.BeginStruct();
  w.FieldList(1, ThriftType::kStruct, group.columns.size());
  for (const ColumnChunkMetaData& column : group.columns) {
    w.BeginStruct();  // ColumnChunk
    // file_offset (required, deprecated): the chunk's first page, as parquet-mr writes it.
    w.FieldI64(2, column.dictionary_page_offset.value_or(column.data_page_offset));
    w.FieldStruct(3);
    WriteColumnMetaData(column, w);
    w.EndStruct();
    w.EndStruct();
  }
  w.FieldI64(2, group.total_byte_size);
  w.FieldI64(3, group.num_rows);
  w.FieldI64(5, group.file_offset);
  w.FieldI64(6, group.total_compressed_size);
  w.EndStruct();
}

void SerializePageHeader(const PageHeader& header, std::string& out) {
  ThriftCompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, static_cast<int32_t>(header.type));
  w.FieldI32(2, header.uncompressed_size);
  w.FieldI32(3, header.compressed_size);
  if (header.type == PageType::kDataPage) {
    w.FieldStruct(5);  // DataPageHeader
    w.FieldI32(1, header.num_values);
    w.FieldI32(2, static_cast<int32_t>(header.encoding));
    w.FieldI32(3, static_cast<int32_t>(Encoding::kRle));  // definition levels
    w.FieldI32(4, static_cast<int32_t>(Encoding::kRle));  // repetition levels
    w.EndStruct();
  } else {
    w.FieldStruct(7);  // DictionaryPageHeader
    w.FieldI32(1, header.num_values);
    w.FieldI32(2, static_cast<int32_t>(header.encoding));
    w.EndStruct();
  }
  w.EndStruct();
}

void SerializeFileMetaData(const FileMetaData& metadata, std::string& out) {
  ThriftCompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, 1);  // format version 1: data pages v1, which every reader takes
  w.FieldList(2, ThriftType::kStruct, metadata.schema.size());
  for (const SchemaElement& element : metadata.schema) WriteSchemaElement(element, w);
  w.FieldI64(3, metadata.num_rows);
  w.FieldList(4, ThriftType::kStruct, metadata.num_row_groups);
  out.append(metadata.row_groups);  // the list's elements, encoded by SerializeRowGroup
  if (!metadata.created_by.empty()) w.FieldBinary(6, metadata.created_by);
  w.EndStruct();
}

}  // namespace leadscore::parquet
