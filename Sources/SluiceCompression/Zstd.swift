import CZstd

/// Zstandard frames (RFC 8878), the format Kafka's `compression.type=zstd` carries in a batch.
///
/// Thread-safety: stateless; every call uses its own context.
public enum Zstd {
    /// The level used when none is given: zstd's default, a good balance on ARM boards.
    public static let defaultLevel: Int32 = 3

    /// Compresses `input` as one zstd frame (with its content size) appended to `output`.
    /// - Parameters:
    ///   - input: the bytes to compress.
    ///   - output: the buffer the frame is appended to.
    ///   - level: the zstd compression level (1…19).
    /// - Throws: `CompressionError` if the library refuses.
    public static func compress(
        _ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8], level: Int32 = defaultLevel
    ) throws(CompressionError) {
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.reserveCapacity(start + bound)
        var written = 0
        output.append(contentsOf: repeatElement(0, count: bound))
        output.withUnsafeMutableBytes { out in
            written = ZSTD_compress(out.baseAddress! + start, bound, input.baseAddress, input.count, level)
        }
        if ZSTD_isError(written) != 0 {
            output.removeSubrange(start...)
            throw CompressionError(
                code: .libraryFailure, codec: "zstd", message: "compression failed",
                cause: String(cString: ZSTD_getErrorName(written)))
        }
        output.removeSubrange((start + written)...)
    }

    /// Decompresses every zstd frame in `input` (a frame may lack its content size, as some
    /// producers write it), appending the result to `output`.
    /// - Parameters:
    ///   - input: one or more concatenated zstd frames.
    ///   - output: the buffer the plain bytes are appended to.
    ///   - maxBytes: the most plain bytes accepted, a guard against decompression bombs.
    /// - Throws: `CompressionError` with `.corruptInput` or `.outputTooLarge`.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8], maxBytes: Int
    ) throws(CompressionError) {
        guard let stream = ZSTD_createDStream() else {
            throw CompressionError(code: .libraryFailure, codec: "zstd", message: "out of memory creating a stream")
        }
        defer { ZSTD_freeDStream(stream) }
        let start = output.count
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var chunk = max(ZSTD_DStreamOutSize(), min(input.count * 4, maxBytes))
        while true {
            let produced = output.count - start
            if produced + chunk > maxBytes { chunk = maxBytes - produced + 1 }
            let before = output.count
            output.append(contentsOf: repeatElement(0, count: chunk))
            var result = 0
            var outPos = 0
            output.withUnsafeMutableBytes { out in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress! + before, size: chunk, pos: 0)
                result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                outPos = outBuffer.pos
            }
            output.removeSubrange((before + outPos)...)
            if ZSTD_isError(result) != 0 {
                output.removeSubrange(start...)
                throw CompressionError(
                    code: .corruptInput, codec: "zstd", message: "the compressed records are corrupt",
                    cause: String(cString: ZSTD_getErrorName(result)))
            }
            if output.count - start > maxBytes {
                output.removeSubrange(start...)
                throw CompressionError(
                    code: .outputTooLarge, codec: "zstd",
                    message: "decompressed data exceeds \(maxBytes) bytes; raise the limit if this batch is genuine")
            }
            if inBuffer.pos == inBuffer.size && outPos < chunk {
                if result != 0 {
                    output.removeSubrange(start...)
                    throw CompressionError(code: .corruptInput, codec: "zstd", message: "the compressed records are truncated")
                }
                return
            }
            chunk = min(max(chunk * 2, ZSTD_DStreamOutSize()), max(maxBytes - (output.count - start) + 1, 1))
        }
    }
}
