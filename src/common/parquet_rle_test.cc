#include "common/parquet_rle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadscore::parquet {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// A reader of the hybrid encoding written from the spec, independent of the encoder.
std::vector<uint32_t> Decode(const std::string& bytes, int bit_width, size_t count) {
  std::vector<uint32_t> values;
  size_t at = 0;
  auto varint = [&] {
    uint64_t result = 0;
    for (int shift = 0;; shift += 7) {
      const auto byte = static_cast<uint8_t>(bytes.at(at++));
      result |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) return result;
    }
  };
  while (values.size() < count) {
    const uint64_t header = varint();
    if ((header & 1) == 0) {  // RLE run
      uint32_t value = 0;
      for (int i = 0; i < (bit_width + 7) / 8; ++i) {
        value |= uint32_t{static_cast<uint8_t>(bytes.at(at++))} << (8 * i);
      }
      values.insert(values.end(), header >> 1, value);
    } else {  // bit-packed groups of 8
      const size_t n = (header >> 1) * 8;
      for (size_t i = 0; i < n; ++i) {
        uint32_t value = 0;
        for (int b = 0; b < bit_width; ++b) {
          const size_t bit = i * bit_width + b;
          value |= ((static_cast<uint8_t>(bytes.at(at + bit / 8)) >> (bit % 8)) & 1u) << b;
        }
        values.push_back(value);
      }
      at += n * bit_width / 8;
    }
  }
  EXPECT_EQ(at, bytes.size()) << "bytes left after the values";
  values.resize(count);  // the last bit-packed group's padding
  return values;
}

std::string Encode(const std::vector<uint32_t>& values, int bit_width) {
  RleHybridEncoder encoder(bit_width);
  for (uint32_t v : values) encoder.Put(v);
  std::string out;
  encoder.Finish(out);
  return out;
}

TEST(RleHybrid, BitWidthCoversTheLargestValue) {
  EXPECT_EQ(BitWidthFor(0), 1);
  EXPECT_EQ(BitWidthFor(1), 1);
  EXPECT_EQ(BitWidthFor(2), 2);
  EXPECT_EQ(BitWidthFor(5), 3);
  EXPECT_EQ(BitWidthFor(255), 8);
  EXPECT_EQ(BitWidthFor(256), 9);
}

TEST(RleHybrid, RepeatedValuesBecomeOneRun) {
  // header (10 << 1), then the value in one byte
  EXPECT_EQ(Encode(std::vector<uint32_t>(10, 1), 1), Bytes({0x14, 0x01}));
  // a 9-bit value takes two bytes
  EXPECT_EQ(Encode(std::vector<uint32_t>(300, 257), 9), Bytes({0xD8, 0x04, 0x01, 0x01}));
}

TEST(RleHybrid, DistinctValuesAreBitPackedAsTheSpecShows) {
  // Encodings.md's example: 0..7 at bit width 3.
  EXPECT_EQ(Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3), Bytes({0x03, 0x88, 0xC6, 0xFA}));
}

TEST(RleHybrid, AShortTailIsPaddedToAGroupOfEight) {
  EXPECT_EQ(Encode({1, 0, 1}, 1), Bytes({0x03, 0x05}));
  EXPECT_EQ(Decode(Encode({1, 0, 1}, 1), 1, 3), (std::vector<uint32_t>{1, 0, 1}));
}

TEST(RleHybrid, MixedRunsRoundTrip) {
  std::vector<uint32_t> values;
  for (int i = 0; i < 20; ++i) values.push_back(3);      // a run
  for (int i = 0; i < 13; ++i) values.push_back(i % 5);  // literals
  for (int i = 0; i < 9; ++i) values.push_back(4);       // a run after literals
  values.push_back(0);
  for (int i = 0; i < 1000; ++i) values.push_back((i / 7) % 3);  // runs of 7: literals
  for (int width : {3, 8, 17}) {
    const std::string bytes = Encode(values, width);
    EXPECT_EQ(Decode(bytes, width, values.size()), values) << "bit width " << width;
  }
}

TEST(RleHybrid, FinishStartsAnEmptyStream) {
  RleHybridEncoder encoder(2);
  for (uint32_t v : {1u, 2u, 3u}) encoder.Put(v);
  std::string first;
  encoder.Finish(first);
  encoder.Put(2);
  std::string second;
  encoder.Finish(second);
  EXPECT_EQ(Decode(first, 2, 3), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(second, Bytes({0x02, 0x02}));
}

}  // namespace
}  // namespace leadscore::parquet
