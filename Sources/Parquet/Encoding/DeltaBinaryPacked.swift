/// The DELTA_BINARY_PACKED encoding (Encodings.md) for INT32 and INT64.
///
/// Header: block size (128), miniblocks per block (4), total value count, first value (zig-zag).
/// Each block: minimum delta (zig-zag), one bit-width byte per miniblock, then each miniblock's
/// `delta − minDelta` values bit-packed LSB first. Arithmetic wraps in the value's own width, as
/// the format requires.
enum DeltaBinaryPacked {
    static let blockSize = 128
    static let miniblocksPerBlock = 4
    static var valuesPerMiniblock: Int { blockSize / miniblocksPerBlock }

    /// Appends the encoding of `values`.
    static func encode<V: FixedWidthInteger & SignedInteger>(_ values: UnsafeBufferPointer<V>, into output: inout [UInt8]) {
        let n = values.count
        RLEHybrid.writeVarint(UInt64(blockSize), into: &output)
        RLEHybrid.writeVarint(UInt64(miniblocksPerBlock), into: &output)
        RLEHybrid.writeVarint(UInt64(n), into: &output)
        RLEHybrid.writeVarint(zigZag(n > 0 ? Int64(values[0]) : 0), into: &output)
        guard n > 1 else { return }
        var adjusted = [UInt64](repeating: 0, count: blockSize)
        var deltas = [V](repeating: 0, count: blockSize)
        var widths = [Int](repeating: 0, count: miniblocksPerBlock)
        var i = 1
        while i < n {
            let count = min(blockSize, n - i)
            var minDelta = V.max
            for j in 0..<count {
                let d = values[i + j] &- values[i + j - 1]
                deltas[j] = d
                if d < minDelta { minDelta = d }
            }
            RLEHybrid.writeVarint(zigZag(Int64(minDelta)), into: &output)
            for m in 0..<miniblocksPerBlock { widths[m] = 0 }
            for j in 0..<count {
                adjusted[j] = UInt64(V.Magnitude(truncatingIfNeeded: deltas[j] &- minDelta))
            }
            for j in count..<blockSize { adjusted[j] = 0 }
            for m in 0..<miniblocksPerBlock {
                let lo = m * valuesPerMiniblock
                guard lo < count else { break }
                var or: UInt64 = 0
                for j in lo..<min(lo + valuesPerMiniblock, count) { or |= adjusted[j] }
                widths[m] = or == 0 ? 0 : 64 - or.leadingZeroBitCount
            }
            for w in widths { output.append(UInt8(w)) }
            for m in 0..<miniblocksPerBlock where m * valuesPerMiniblock < count {
                pack(adjusted[(m * valuesPerMiniblock)..<((m + 1) * valuesPerMiniblock)], width: widths[m], into: &output)
            }
            i += count
        }
    }

    private static func pack(_ values: ArraySlice<UInt64>, width: Int, into output: inout [UInt8]) {
        guard width > 0 else { return }
        var accumulator: UInt64 = 0
        var bits = 0
        for value in values {
            var v = value
            var remaining = width
            while remaining > 0 {
                let take = min(64 - bits, remaining)
                let mask: UInt64 = take == 64 ? .max : (1 << UInt64(take)) - 1
                accumulator |= (v & mask) << UInt64(bits)
                bits += take
                v = take == 64 ? 0 : v >> UInt64(take)
                remaining -= take
                if bits == 64 {
                    withUnsafeBytes(of: accumulator.littleEndian) { output.append(contentsOf: $0) }
                    accumulator = 0
                    bits = 0
                }
            }
        }
        var b = 0
        while b < bits {
            output.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            b += 8
        }
    }

    /// Decodes values starting at `input[offset]`, appending them to `output`.
    ///
    /// - Parameter expectedCount: the number of values the page holds (checked against the header).
    /// - Returns: the offset just past the encoded data.
    @discardableResult
    static func decode<V: FixedWidthInteger & SignedInteger>(
        _ input: UnsafeRawBufferPointer, from offset: Int, expectedCount: Int, into output: inout [V]
    ) throws -> Int {
        var p = offset
        let blockSize = try RLEHybrid.readVarint(input, &p)
        let miniblocks = try RLEHybrid.readVarint(input, &p)
        let total = try RLEHybrid.readVarint(input, &p)
        let first = unZigZag(try RLEHybrid.readVarint(input, &p))
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0
        else { throw ParquetError.corrupt("DELTA_BINARY_PACKED header has block size \(blockSize), \(miniblocks) miniblocks") }
        guard total == UInt64(expectedCount) else {
            throw ParquetError.corrupt("DELTA_BINARY_PACKED holds \(total) values, page says \(expectedCount)")
        }
        guard total > 0 else { return p }
        let perMiniblock = Int(blockSize / miniblocks)
        output.reserveCapacity(output.count + Int(total))
        var last = V(truncatingIfNeeded: first)
        output.append(last)
        var remaining = Int(total) - 1
        while remaining > 0 {
            let minDelta = V(truncatingIfNeeded: unZigZag(try RLEHybrid.readVarint(input, &p)))
            guard input.count - p >= Int(miniblocks) else { throw ParquetError.corrupt("DELTA_BINARY_PACKED bit widths truncated") }
            let widthsStart = p
            p += Int(miniblocks)
            for m in 0..<Int(miniblocks) where remaining > 0 {
                let width = Int(input[widthsStart + m])
                guard width <= V.bitWidth else { throw ParquetError.corrupt("DELTA_BINARY_PACKED bit width \(width) too large") }
                let bytes = perMiniblock * width / 8
                let take = min(perMiniblock, remaining)
                guard input.count - p >= (take * width + 7) / 8 else { throw ParquetError.corrupt("DELTA_BINARY_PACKED miniblock truncated") }
                for k in 0..<take {
                    let u = readBits(input, byteOffset: p, bitOffset: k * width, width: width)
                    last = last &+ minDelta &+ V(truncatingIfNeeded: u)
                    output.append(last)
                }
                p += min(bytes, input.count - p)
                remaining -= take
            }
        }
        return p
    }

    private static func readBits(_ input: UnsafeRawBufferPointer, byteOffset: Int, bitOffset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        var got = 0
        while got < width {
            let bit = bitOffset + got
            let byte = UInt64(input[byteOffset + bit / 8]) >> UInt64(bit % 8)
            let take = min(8 - bit % 8, width - got)
            value |= (byte & ((1 << UInt64(take)) - 1)) << UInt64(got)
            got += take
        }
        return value
    }
}
