/// Reads values in the Thrift compact protocol from a byte buffer.
///
/// The decoder is a cursor: ``position`` advances as values are read. Unknown fields of any type
/// (including nested structs, lists, sets and maps) can be skipped with ``skip(_:)``, which is how
/// Parquet metadata written by newer writers (size statistics, geospatial statistics, …) is read.
///
/// Every read checks bounds and throws ``ParquetError/Kind/corruptFile`` on truncated or malformed
/// input; nothing traps on bad data.
public struct ThriftCompactDecoder {
    /// The input.
    public let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var position: Int
    private let end: Int
    private var lastFieldId: Int16 = 0
    private var fieldIdStack: [Int16] = []
    private var depth = 0

    /// The deepest nesting of structs and containers accepted before the input is called corrupt.
    public static let maximumDepth = 64

    /// Creates a decoder over `bytes[range]` (default: all of it).
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.position = r.lowerBound
        self.end = r.upperBound
    }

    /// Whether all input has been consumed.
    public var isAtEnd: Bool { self.position >= self.end }

    // MARK: Structs and fields

    /// Starts reading a struct: field ids restart from zero.
    public mutating func beginStruct() throws {
        self.depth += 1
        if self.depth > Self.maximumDepth { throw ParquetError.corrupt("Thrift structs nested deeper than \(Self.maximumDepth)") }
        self.fieldIdStack.append(self.lastFieldId)
        self.lastFieldId = 0
    }

    /// Finishes a struct whose stop field has been read by ``readFieldHeader()``.
    public mutating func endStruct() {
        self.depth -= 1
        self.lastFieldId = self.fieldIdStack.popLast() ?? 0
    }

    /// Reads a field header; returns `nil` at the struct's stop byte.
    ///
    /// - Returns: the field id and its type.
    public mutating func readFieldHeader() throws -> (id: Int16, type: ThriftCompactType)? {
        let byte = try self.readByte()
        if byte == 0 { return nil }
        guard let type = ThriftCompactType(rawValue: byte & 0x0F) else {
            throw ParquetError.corrupt("unknown Thrift compact type \(byte & 0x0F) at byte \(self.position - 1)")
        }
        let delta = Int16(byte >> 4)
        let id: Int16
        if delta != 0 {
            id = self.lastFieldId &+ delta
        } else {
            let raw = unZigZag(try self.readVarint())
            guard let narrow = Int16(exactly: raw) else { throw ParquetError.corrupt("Thrift field id \(raw) out of range") }
            id = narrow
        }
        self.lastFieldId = id
        return (id, type)
    }

    /// The value of the boolean field whose header was just read.
    public mutating func readBoolField(_ type: ThriftCompactType) throws -> Bool {
        switch type {
        case .booleanTrue: return true
        case .booleanFalse: return false
        default: throw ParquetError.corrupt("expected a Thrift bool field, found \(type)")
        }
    }

    // MARK: Values

    /// Reads one raw byte.
    public mutating func readByte() throws -> UInt8 {
        guard self.position < self.end else { throw ParquetError.corrupt("Thrift data ends early at byte \(self.position)") }
        let b = self.bytes[self.position]
        self.position += 1
        return b
    }

    /// Reads an unsigned LEB128 varint (at most 10 bytes).
    public mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try self.readByte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError.corrupt("Thrift varint longer than 10 bytes at byte \(self.position)") }
        }
    }

    /// Reads a zig-zag varint 32-bit integer.
    public mutating func readI32() throws -> Int32 {
        let v = unZigZag(try self.readVarint())
        guard let narrow = Int32(exactly: v) else { throw ParquetError.corrupt("Thrift i32 value \(v) out of range") }
        return narrow
    }

    /// Reads a zig-zag varint 64-bit integer.
    public mutating func readI64() throws -> Int64 {
        unZigZag(try self.readVarint())
    }

    /// Reads an 8-byte little-endian double.
    public mutating func readDouble() throws -> Double {
        guard self.end - self.position >= 8 else { throw ParquetError.corrupt("Thrift double truncated at byte \(self.position)") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(self.bytes[self.position + i]) << (8 * UInt64(i)) }
        self.position += 8
        return Double(bitPattern: bits)
    }

    /// Reads a binary value (varint length, then bytes).
    public mutating func readBinary() throws -> [UInt8] {
        let length = try self.readVarint()
        guard length <= UInt64(self.end - self.position) else {
            throw ParquetError.corrupt("Thrift binary of \(length) bytes runs past the end at byte \(self.position)")
        }
        let n = Int(length)
        let value = Array(self.bytes[self.position..<(self.position + n)])
        self.position += n
        return value
    }

    /// Reads a binary value as a UTF-8 string (invalid sequences are repaired with U+FFFD).
    public mutating func readString() throws -> String {
        String(decoding: try self.readBinary(), as: UTF8.self)
    }

    /// Reads a list (or set) header.
    ///
    /// - Returns: the element type and the element count.
    public mutating func readListHeader() throws -> (elementType: ThriftCompactType, count: Int) {
        let byte = try self.readByte()
        guard let type = ThriftCompactType(rawValue: byte & 0x0F) else {
            throw ParquetError.corrupt("unknown Thrift list element type \(byte & 0x0F)")
        }
        var count = Int(byte >> 4)
        if count == 15 {
            let long = try self.readVarint()
            // Every element takes at least one byte, except empty structs which take one too.
            guard long <= UInt64(self.end - self.position) else { throw ParquetError.corrupt("Thrift list of \(long) elements is longer than the data") }
            count = Int(long)
        }
        return (type, count)
    }

    /// Reads a boolean list element (one byte: 1 is true).
    public mutating func readBoolElement() throws -> Bool {
        try self.readByte() == 1
    }

    /// Skips a value of the given type, recursing into structs and containers.
    public mutating func skip(_ type: ThriftCompactType) throws {
        switch type {
        case .stop:
            throw ParquetError.corrupt("cannot skip a Thrift stop marker")
        case .booleanTrue, .booleanFalse:
            // In a field header the value is in the type nibble; nothing to consume.
            return
        case .byte:
            _ = try self.readByte()
        case .i16, .i32, .i64:
            _ = try self.readVarint()
        case .double:
            _ = try self.readDouble()
        case .binary:
            let length = try self.readVarint()
            guard length <= UInt64(self.end - self.position) else { throw ParquetError.corrupt("Thrift binary runs past the end") }
            self.position += Int(length)
        case .list, .set:
            let (elementType, count) = try self.readListHeader()
            try self.enterContainer()
            defer { self.depth -= 1 }
            for _ in 0..<count { try self.skipElement(elementType) }
        case .map:
            let size = try self.readVarint()
            guard size > 0 else { return }
            guard size <= UInt64(self.end - self.position) else { throw ParquetError.corrupt("Thrift map larger than the data") }
            let kinds = try self.readByte()
            guard let keyType = ThriftCompactType(rawValue: kinds >> 4),
                  let valueType = ThriftCompactType(rawValue: kinds & 0x0F)
            else { throw ParquetError.corrupt("unknown Thrift map key/value types \(kinds)") }
            try self.enterContainer()
            defer { self.depth -= 1 }
            for _ in 0..<size {
                try self.skipElement(keyType)
                try self.skipElement(valueType)
            }
        case .struct:
            try self.beginStruct()
            while let field = try self.readFieldHeader() { try self.skip(field.type) }
            self.endStruct()
        }
    }

    /// Skips a container element (booleans take a byte there).
    private mutating func skipElement(_ type: ThriftCompactType) throws {
        switch type {
        case .booleanTrue, .booleanFalse: _ = try self.readByte()
        default: try self.skip(type)
        }
    }

    private mutating func enterContainer() throws {
        self.depth += 1
        if self.depth > Self.maximumDepth { throw ParquetError.corrupt("Thrift containers nested deeper than \(Self.maximumDepth)") }
    }

    /// Reads a list of elements with `read`, checking that the element type is `expected`.
    mutating func readList<T>(of expected: ThriftCompactType, _ read: (inout ThriftCompactDecoder) throws -> T) throws -> [T] {
        let (elementType, count) = try self.readListHeader()
        guard elementType == expected || count == 0 else {
            throw ParquetError.corrupt("expected a Thrift list of \(expected), found a list of \(elementType)")
        }
        var result: [T] = []
        result.reserveCapacity(min(count, 4096))
        for _ in 0..<count { result.append(try read(&self)) }
        return result
    }
}
