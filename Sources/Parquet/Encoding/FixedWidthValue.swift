#if _endian(big)
#error("The Parquet module assumes a little-endian machine (PLAIN encoding is copied byte for byte)")
#endif

/// A fixed-width value whose PLAIN encoding is its little-endian bytes: INT32, INT64, DOUBLE.
protocol FixedWidthValue: Equatable {
    /// The Parquet physical type.
    static var physicalType: ParquetFormat.PhysicalType { get }
    /// The value's bits, used as the dictionary hash key.
    var hashBits: UInt64 { get }
    /// Whether the value takes no part in min/max statistics (NaN).
    var isUnordered: Bool { get }
    /// Order used for statistics (signed integers, IEEE doubles).
    static func precedes(_ a: Self, _ b: Self) -> Bool
    /// Builds a value from the bits produced by ``hashBits``.
    init(hashBits: UInt64)
}

extension Int32: FixedWidthValue {
    static var physicalType: ParquetFormat.PhysicalType { .int32 }
    var hashBits: UInt64 { UInt64(UInt32(bitPattern: self)) }
    var isUnordered: Bool { false }
    static func precedes(_ a: Int32, _ b: Int32) -> Bool { a < b }
    init(hashBits: UInt64) { self = Int32(bitPattern: UInt32(truncatingIfNeeded: hashBits)) }
}

extension Int64: FixedWidthValue {
    static var physicalType: ParquetFormat.PhysicalType { .int64 }
    var hashBits: UInt64 { UInt64(bitPattern: self) }
    var isUnordered: Bool { false }
    static func precedes(_ a: Int64, _ b: Int64) -> Bool { a < b }
    init(hashBits: UInt64) { self = Int64(bitPattern: hashBits) }
}

extension Double: FixedWidthValue {
    static var physicalType: ParquetFormat.PhysicalType { .double }
    var hashBits: UInt64 { self.bitPattern }
    var isUnordered: Bool { self.isNaN }
    static func precedes(_ a: Double, _ b: Double) -> Bool { a < b }
    init(hashBits: UInt64) { self = Double(bitPattern: hashBits) }
}

extension Float: FixedWidthValue {
    static var physicalType: ParquetFormat.PhysicalType { .float }
    var hashBits: UInt64 { UInt64(self.bitPattern) }
    var isUnordered: Bool { self.isNaN }
    static func precedes(_ a: Float, _ b: Float) -> Bool { a < b }
    init(hashBits: UInt64) { self = Float(bitPattern: UInt32(truncatingIfNeeded: hashBits)) }
}

enum PlainEncoding {
    /// Appends the PLAIN bytes of `values` (a straight copy on little-endian machines).
    static func encode<V: FixedWidthValue>(_ values: UnsafeBufferPointer<V>, into output: inout [UInt8]) {
        output.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    /// The PLAIN bytes of one value (for statistics).
    static func bytes<V: FixedWidthValue>(of value: V) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    /// Decodes `count` PLAIN values of type `V` from `input[offset...]`, appending to `output`.
    ///
    /// - Returns: the offset after the values.
    @discardableResult
    static func decode<V: FixedWidthValue>(
        _ input: UnsafeRawBufferPointer, from offset: Int, count: Int, into output: inout [V]
    ) throws -> Int {
        let size = MemoryLayout<V>.size
        let needed = count * size
        guard count >= 0, input.count - offset >= needed else {
            throw ParquetError.corrupt("PLAIN \(V.physicalType) data holds \(max(0, input.count - offset) / size) values, page says \(count)")
        }
        let start = output.count
        output.append(contentsOf: repeatElement(V(hashBits: 0), count: count))
        output.withUnsafeMutableBytes { out in
            guard needed > 0, let destination = out.baseAddress, let source = input.baseAddress else { return }
            (destination + start * size).copyMemory(from: source + offset, byteCount: needed)
        }
        return offset + needed
    }

    /// Decodes one value from statistics bytes; nil when the byte count is wrong.
    static func value<V: FixedWidthValue>(_ bytes: [UInt8], as type: V.Type) -> V? {
        guard bytes.count == MemoryLayout<V>.size else { return nil }
        var bits: UInt64 = 0
        for (i, b) in bytes.enumerated() { bits |= UInt64(b) << UInt64(8 * i) }
        return V(hashBits: bits)
    }

    /// Appends PLAIN BYTE_ARRAY values: a 4-byte little-endian length, then the bytes.
    static func encodeStrings(_ values: some Sequence<String>, into output: inout [UInt8]) {
        for value in values {
            var copy = value
            copy.withUTF8 { utf8 in
                let n = UInt32(utf8.count)
                output.append(UInt8(truncatingIfNeeded: n))
                output.append(UInt8(truncatingIfNeeded: n >> 8))
                output.append(UInt8(truncatingIfNeeded: n >> 16))
                output.append(UInt8(truncatingIfNeeded: n >> 24))
                output.append(contentsOf: utf8)
            }
        }
    }

    /// Decodes `count` PLAIN BYTE_ARRAY values as strings.
    @discardableResult
    static func decodeStrings(_ input: UnsafeRawBufferPointer, from offset: Int, count: Int, into output: inout [String]) throws -> Int {
        var position = offset
        output.reserveCapacity(output.count + count)
        for _ in 0..<count {
            guard input.count - position >= 4 else { throw ParquetError.corrupt("PLAIN BYTE_ARRAY length truncated") }
            let length = Int(input.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
            position += 4
            guard input.count - position >= length else { throw ParquetError.corrupt("PLAIN BYTE_ARRAY value of \(length) bytes truncated") }
            output.append(String(decoding: UnsafeRawBufferPointer(rebasing: input[position..<(position + length)]), as: UTF8.self))
            position += length
        }
        return position
    }

    /// Appends PLAIN BOOLEAN values: bit-packed, least significant bit first.
    static func encodeBooleans(_ values: UnsafeBufferPointer<Bool>, into output: inout [UInt8]) {
        var byte: UInt8 = 0
        var bit: UInt8 = 0
        for value in values {
            if value { byte |= 1 << bit }
            bit += 1
            if bit == 8 {
                output.append(byte)
                byte = 0
                bit = 0
            }
        }
        if bit > 0 { output.append(byte) }
    }

    /// Decodes `count` PLAIN BOOLEAN values.
    @discardableResult
    static func decodeBooleans(_ input: UnsafeRawBufferPointer, from offset: Int, count: Int, into output: inout [Bool]) throws -> Int {
        let needed = (count + 7) / 8
        guard input.count - offset >= needed else { throw ParquetError.corrupt("PLAIN BOOLEAN data truncated") }
        output.reserveCapacity(output.count + count)
        for i in 0..<count {
            output.append(input[offset + i / 8] & (1 << UInt8(i % 8)) != 0)
        }
        return offset + needed
    }
}

enum ByteStreamSplit {
    /// Appends the BYTE_STREAM_SPLIT encoding: byte `k` of every value goes to stream `k`.
    static func encode<V: FixedWidthValue>(_ values: UnsafeBufferPointer<V>, into output: inout [UInt8]) {
        let width = MemoryLayout<V>.size
        let n = values.count
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: n * width))
        let source = UnsafeRawBufferPointer(values)
        output.withUnsafeMutableBytes { out in
            guard let base = out.baseAddress else { return }
            let destination = base.assumingMemoryBound(to: UInt8.self) + start
            for k in 0..<width {
                let stream = destination + k * n
                for i in 0..<n { stream[i] = source[i * width + k] }
            }
        }
    }

    /// Decodes `count` BYTE_STREAM_SPLIT values from `input[offset..<offset + count * width]`.
    static func decode<V: FixedWidthValue>(_ input: UnsafeRawBufferPointer, from offset: Int, count: Int, into output: inout [V]) throws {
        let width = MemoryLayout<V>.size
        guard input.count - offset >= count * width else { throw ParquetError.corrupt("BYTE_STREAM_SPLIT data truncated") }
        let start = output.count
        output.append(contentsOf: repeatElement(V(hashBits: 0), count: count))
        output.withUnsafeMutableBytes { out in
            for i in 0..<count {
                for k in 0..<width { out[(start + i) * width + k] = input[offset + k * count + i] }
            }
        }
    }
}
