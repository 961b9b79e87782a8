import CLZ4

/// LZ4 frames (the LZ4 Frame Format 1.6), as Kafka's `compression.type=lz4` carries them in a
/// v2 batch: independent 64 KiB blocks, no block checksums, a correct header checksum.
///
/// Thread-safety: stateless; every call uses its own context.
public enum LZ4Frame {
    /// Compresses `input` as one LZ4 frame appended to `output`.
    /// - Parameters:
    ///   - input: the bytes to compress.
    ///   - output: the buffer the frame is appended to.
    /// - Throws: `CompressionError` if the library refuses.
    public static func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(CompressionError) {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum
        preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        var written = 0
        output.withUnsafeMutableBytes { out in
            written = LZ4F_compressFrame(out.baseAddress! + start, bound, input.baseAddress, input.count, &preferences)
        }
        if LZ4F_isError(written) != 0 {
            output.removeSubrange(start...)
            throw CompressionError(
                code: .libraryFailure, codec: "lz4", message: "compression failed",
                cause: String(cString: LZ4F_getErrorName(written)))
        }
        output.removeSubrange((start + written)...)
    }

    /// Decompresses the LZ4 frames in `input`, appending the plain bytes to `output`.
    /// - Parameters:
    ///   - input: one or more concatenated LZ4 frames.
    ///   - output: the buffer the plain bytes are appended to.
    ///   - maxBytes: the most plain bytes accepted, a guard against decompression bombs.
    /// - Throws: `CompressionError` with `.corruptInput` or `.outputTooLarge`.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8], maxBytes: Int
    ) throws(CompressionError) {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw CompressionError(code: .libraryFailure, codec: "lz4", message: "out of memory creating a context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        let start = output.count
        var consumed = 0
        var hint = 1
        let chunk = 64 * 1024
        while consumed < input.count {
            if output.count - start > maxBytes { break }
            let before = output.count
            output.append(contentsOf: repeatElement(0, count: chunk))
            var dstSize = chunk
            var srcSize = input.count - consumed
            output.withUnsafeMutableBytes { out in
                hint = LZ4F_decompress(context, out.baseAddress! + before, &dstSize, input.baseAddress! + consumed, &srcSize, nil)
            }
            output.removeSubrange((before + dstSize)...)
            if LZ4F_isError(hint) != 0 {
                output.removeSubrange(start...)
                throw CompressionError(
                    code: .corruptInput, codec: "lz4", message: "the compressed records are corrupt",
                    cause: String(cString: LZ4F_getErrorName(hint)))
            }
            consumed += srcSize
            if srcSize == 0 && dstSize == 0 { break }
        }
        if output.count - start > maxBytes {
            output.removeSubrange(start...)
            throw CompressionError(
                code: .outputTooLarge, codec: "lz4",
                message: "decompressed data exceeds \(maxBytes) bytes; raise the limit if this batch is genuine")
        }
        if hint != 0 {
            output.removeSubrange(start...)
            throw CompressionError(code: .corruptInput, codec: "lz4", message: "the compressed records are truncated")
        }
    }
}
