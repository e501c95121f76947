import CZstd

/// A reusable Zstandard compressor (one `ZSTD_CCtx`), used for the ZSTD page codec.
///
/// Not thread-safe: use one per writer. Each call produces one complete zstd frame with the
/// content size recorded, as Parquet expects.
final class ZstdCompressor {
    private let context: OpaquePointer
    /// The compression level (1…22; 3 is zstd's and pyarrow's default).
    let level: Int32

    init(level: Int32) throws {
        guard let context = ZSTD_createCCtx() else {
            throw ParquetError(.compression, "Could not create a zstd compression context (out of memory)")
        }
        self.context = context
        self.level = level
    }

    deinit { ZSTD_freeCCtx(self.context) }

    /// The output buffer; after ``compress(_:)`` its first `n` bytes hold the frame.
    private(set) var buffer: [UInt8] = []

    /// Compresses `source` into ``buffer``.
    ///
    /// - Returns: the frame's size `n`; the frame is `buffer[0..<n]`.
    func compress(_ source: UnsafeRawBufferPointer) throws -> Int {
        let bound = ZSTD_compressBound(source.count)
        if self.buffer.count < bound { self.buffer = [UInt8](repeating: 0, count: bound) }
        let result = self.buffer.withUnsafeMutableBytes { out in
            ZSTD_compressCCtx(self.context, out.baseAddress, out.count, source.baseAddress, source.count, self.level)
        }
        if ZSTD_isError(result) != 0 {
            throw ParquetError(.compression, "zstd compression failed: \(String(cString: ZSTD_getErrorName(result)))")
        }
        return result
    }
}

/// Decompresses one or more zstd frames whose total decompressed size is known.
///
/// - Parameters:
///   - source: the compressed bytes.
///   - expectedSize: the decompressed size from the page header.
/// - Returns: exactly `expectedSize` bytes.
/// - Throws: ``ParquetError/Kind/compression`` when the data is not valid zstd or its size differs.
func zstdDecompress(_ source: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
    var output = [UInt8](repeating: 0, count: expectedSize)
    var failure: Int?
    var produced = 0
    output.withUnsafeMutableBytes { out in
        let result = ZSTD_decompress(out.baseAddress, expectedSize, source.baseAddress, source.count)
        if ZSTD_isError(result) != 0 { failure = result } else { produced = result }
    }
    if let failure {
        throw ParquetError(.compression, "zstd decompression failed: \(String(cString: ZSTD_getErrorName(failure)))")
    }
    guard produced == expectedSize else {
        throw ParquetError(.compression, "zstd page decompressed to \(produced) bytes, header says \(expectedSize)")
    }
    return output
}
