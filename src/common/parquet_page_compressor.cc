#include "common/parquet_page_compressor.h"

#include <zlib.h>

namespace leadscore::parquet {

struct DeflateStream {
  z_stream z{};
  bool initialised = false;
  ~DeflateStream() {
    if (initialised) deflateEnd(&z);
  }
};

PageCompressor::PageCompressor(Codec codec, int gzip_level)
    : codec_(codec), gzip_level_(gzip_level), stream_(std::make_unique<DeflateStream>()) {}

PageCompressor::~PageCompressor() = default;

Result<std::string_view> PageCompressor::Compress(std::string_view page) {
  if (codec_ == Codec::kUncompressed) return page;
  z_stream& z = stream_->z;
  if (!stream_->initialised) {
    // windowBits 15 + 16: a gzip wrapper (Parquet's GZIP codec), mtime 0, no name.
    const int started = deflateInit2(&z, gzip_level_, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (started != Z_OK) {
      return Status::Error("zlib deflateInit2 (level " + std::to_string(gzip_level_) +
                           ") failed with code " + std::to_string(started) +
                           " while compressing a Parquet page");
    }
    stream_->initialised = true;
  } else {
    deflateReset(&z);
  }
  compressed_.resize(deflateBound(&z, static_cast<uLong>(page.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(page.data()));
  z.avail_in = static_cast<uInt>(page.size());
  z.next_out = reinterpret_cast<Bytef*>(compressed_.data());
  z.avail_out = static_cast<uInt>(compressed_.size());
  const int result = deflate(&z, Z_FINISH);  // deflateBound's room: one call finishes
  if (result != Z_STREAM_END) {
    return Status::Error("zlib deflate of a " + std::to_string(page.size()) +
                         "-byte Parquet page failed with code " + std::to_string(result));
  }
  return std::string_view(compressed_.data(), compressed_.size() - z.avail_out);
}

}  // namespace leadscore::parquet
