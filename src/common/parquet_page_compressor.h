// Compresses Parquet pages with the file's codec: GZIP (RFC 1952 through zlib, header mtime 0
// so equal input gives equal bytes) or none. One compressor (one zlib stream, reset per page)
// is shared by every file a writer has open, so memory does not grow with the file count.
// Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/parquet_metadata.h"
#include "common/status.h"

namespace leadscore::parquet {

struct DeflateStream;  // zlib's state (parquet_page_compressor.cc keeps zlib to itself)

class PageCompressor {
 public:
  // `gzip_level`: zlib's 1 (fastest) .. 9 (smallest); ignored when uncompressed.
  PageCompressor(Codec codec, int gzip_level);
  ~PageCompressor();
  PageCompressor(const PageCompressor&) = delete;
  PageCompressor& operator=(const PageCompressor&) = delete;

  Codec codec() const { return codec_; }
  // The page as stored: `page` itself when uncompressed, else its compression (valid until
  // the next call). Fails only when zlib does (out of memory), naming the call.
  Result<std::string_view> Compress(std::string_view page);

  // Scratch buffers for the column writers, shared for the same reason as the stream.
  std::string& page_scratch() { return page_; }
  std::string& chunk_scratch() { return chunk_; }

 private:
  Codec codec_;
  int gzip_level_;
  std::unique_ptr<DeflateStream> stream_;
  std::string compressed_;
  std::string page_;
  std::string chunk_;
};

}  // namespace leadscore::parquet
