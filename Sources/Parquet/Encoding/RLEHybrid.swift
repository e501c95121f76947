/// The RLE / bit-packing hybrid encoding of Parquet (Encodings.md, "RLE"), used for definition
/// levels, dictionary indices and RLE booleans.
///
/// A stream is a sequence of runs. Each run starts with a ULEB128 header: `count << 1` for an RLE
/// run (followed by the repeated value in `ceil(bitWidth / 8)` little-endian bytes), or
/// `groups << 1 | 1` for a bit-packed run of `groups × 8` values packed LSB first.
enum RLEHybrid {
    /// Appends the encoding of `values` (each < 2^bitWidth) to `output`.
    ///
    /// Runs of 8 or more equal values become RLE runs; everything else is bit-packed in groups of
    /// 8. Only the last bit-packed run is padded with zeros (readers stop after the value count).
    static func encode<T: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int, into output: inout [UInt8]) {
        let n = values.count
        guard n > 0 else { return }
        var literalStart = 0
        var i = 0
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            var run = j - i
            if run >= 8 {
                let pending = i - literalStart
                if pending > 0 {
                    // A bit-packed run holds a multiple of 8 values: lend some of the repeats to it.
                    let pad = (8 - pending % 8) % 8
                    if run - pad >= 8 {
                        i += pad
                        run -= pad
                        writeBitPacked(values, literalStart..<i, bitWidth: bitWidth, into: &output)
                    } else {
                        i = j
                        continue
                    }
                }
                writeRLE(value: UInt32(truncatingIfNeeded: v), count: run, bitWidth: bitWidth, into: &output)
                i = j
                literalStart = i
            } else {
                i = j
            }
        }
        if literalStart < n {
            writeBitPacked(values, literalStart..<n, bitWidth: bitWidth, into: &output)
        }
    }

    /// Appends one RLE run.
    static func writeRLE(value: UInt32, count: Int, bitWidth: Int, into output: inout [UInt8]) {
        writeVarint(UInt64(count) << 1, into: &output)
        var v = value
        for _ in 0..<((bitWidth + 7) / 8) {
            output.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// Appends one bit-packed run holding `values[range]`, zero-padded to a multiple of 8.
    static func writeBitPacked<T: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<T>, _ range: Range<Int>, bitWidth: Int, into output: inout [UInt8]) {
        let groups = (range.count + 7) / 8
        writeVarint(UInt64(groups) << 1 | 1, into: &output)
        guard bitWidth > 0 else { return }
        output.reserveCapacity(output.count + groups * bitWidth)
        var accumulator: UInt64 = 0
        var bits = 0
        for index in range.lowerBound..<(range.lowerBound + groups * 8) {
            let v: UInt64 = index < range.upperBound ? UInt64(truncatingIfNeeded: values[index]) : 0
            accumulator |= v << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                output.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
    }

    /// Decodes `count` values from `input` (starting at `offset`), appending them to `output`.
    ///
    /// - Returns: the offset just past the last run read.
    /// - Throws: ``ParquetError/Kind/corruptFile`` if the runs end before `count` values.
    @discardableResult
    static func decode(
        _ input: UnsafeRawBufferPointer, from offset: Int = 0, bitWidth: Int, count: Int, into output: inout [UInt32]
    ) throws -> Int {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw ParquetError.corrupt("RLE bit width \(bitWidth) is larger than 32") }
        var position = offset
        var remaining = count
        let valueBytes = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (UInt64(1) << UInt64(bitWidth)) - 1
        output.reserveCapacity(output.count + count)
        while remaining > 0 {
            guard position < input.count else {
                throw ParquetError.corrupt("RLE data ends with \(remaining) of \(count) values missing")
            }
            let header = try readVarint(input, &position)
            if header & 1 == 0 {
                let runLength = Int(clamping: header >> 1)
                guard input.count - position >= valueBytes else { throw ParquetError.corrupt("RLE run value truncated") }
                var value: UInt32 = 0
                for k in 0..<valueBytes { value |= UInt32(input[position + k]) << UInt32(8 * k) }
                position += valueBytes
                let take = min(runLength, remaining)
                output.append(contentsOf: repeatElement(value, count: take))
                remaining -= take
            } else {
                let groups = Int(clamping: header >> 1)
                let valueCount = groups.multipliedReportingOverflow(by: 8)
                guard !valueCount.overflow else { throw ParquetError.corrupt("RLE bit-packed run too long") }
                let take = min(valueCount.partialValue, remaining)
                // Bytes needed for the values we keep; writers may have truncated the padding.
                let neededBytes = (take * bitWidth + 7) / 8
                guard input.count - position >= neededBytes else { throw ParquetError.corrupt("RLE bit-packed run truncated") }
                var accumulator: UInt64 = 0
                var bits = 0
                var p = position
                for _ in 0..<take {
                    while bits < bitWidth {
                        accumulator |= UInt64(input[p]) << UInt64(bits)
                        p += 1
                        bits += 8
                    }
                    output.append(UInt32(truncatingIfNeeded: accumulator & mask))
                    accumulator = bitWidth == 64 ? 0 : accumulator >> UInt64(bitWidth)
                    bits -= bitWidth
                }
                position += min(groups * bitWidth, input.count - position)
                remaining -= take
            }
        }
        return position
    }

    static func writeVarint(_ value: UInt64, into output: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        output.append(UInt8(v))
    }

    static func readVarint(_ input: UnsafeRawBufferPointer, _ position: inout Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < input.count else { throw ParquetError.corrupt("varint truncated") }
            let b = input[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError.corrupt("varint longer than 10 bytes") }
        }
    }

    /// The number of bits needed to represent `maxValue` (0 for 0).
    static func bitWidth(forMaximum maxValue: UInt32) -> Int {
        maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount
    }
}
