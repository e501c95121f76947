/// The type ids of the Thrift compact protocol, as they appear in field headers and list headers.
///
/// Booleans have two ids in field headers (`booleanTrue`, `booleanFalse`): the value is folded
/// into the header. Inside lists, booleans use `booleanTrue` as the element type and one byte per
/// element.
public enum ThriftCompactType: UInt8, Sendable, CustomStringConvertible {
    /// End of a struct (only as a field header).
    case stop = 0
    /// A boolean field whose value is `true`; also the element type of boolean lists.
    case booleanTrue = 1
    /// A boolean field whose value is `false`.
    case booleanFalse = 2
    /// A signed 8-bit integer, one raw byte.
    case byte = 3
    /// A signed 16-bit integer, zig-zag varint.
    case i16 = 4
    /// A signed 32-bit integer, zig-zag varint.
    case i32 = 5
    /// A signed 64-bit integer, zig-zag varint.
    case i64 = 6
    /// An IEEE 754 double, 8 bytes little-endian.
    case double = 7
    /// Binary or string: varint length then bytes.
    case binary = 8
    /// A list: header with size and element type, then elements.
    case list = 9
    /// A set, encoded like a list.
    case set = 10
    /// A map: varint size, then a key/value type byte (absent when empty), then pairs.
    case map = 11
    /// A nested struct, terminated by a stop field.
    case `struct` = 12

    /// The Thrift name of the type, for error messages.
    public var description: String {
        switch self {
        case .stop: "stop"
        case .booleanTrue: "bool(true)"
        case .booleanFalse: "bool(false)"
        case .byte: "byte"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .double: "double"
        case .binary: "binary"
        case .list: "list"
        case .set: "set"
        case .map: "map"
        case .struct: "struct"
        }
    }
}

/// Writes values in the Thrift compact protocol into a growing byte array.
///
/// Only the parts Parquet metadata needs are provided: structs, fields, lists, integers, booleans,
/// doubles and binary. Field ids are delta-encoded against the previous field of the same struct,
/// so every `beginStruct()` must be matched by an `endStruct()`.
///
/// ```swift
/// var encoder = ThriftCompactEncoder()
/// encoder.beginStruct()
/// encoder.writeField(1, i32: 7)
/// encoder.endStruct()        // bytes: 0x15 0x0E 0x00
/// ```
public struct ThriftCompactEncoder: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    private var lastFieldId: Int16 = 0
    private var fieldIdStack: [Int16] = []

    /// Creates an empty encoder.
    ///
    /// - Parameter capacity: bytes to reserve up front.
    public init(capacity: Int = 256) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    // MARK: Structs and fields

    /// Starts a struct (the top-level one too): field ids restart from zero.
    public mutating func beginStruct() {
        self.fieldIdStack.append(self.lastFieldId)
        self.lastFieldId = 0
    }

    /// Ends the current struct by writing the stop byte.
    public mutating func endStruct() {
        self.bytes.append(ThriftCompactType.stop.rawValue)
        self.lastFieldId = self.fieldIdStack.popLast() ?? 0
    }

    /// Writes a field header: the short form `delta << 4 | type` when the id grows by 1...15,
    /// else the type byte followed by the zig-zag varint id.
    public mutating func writeFieldHeader(_ id: Int16, type: ThriftCompactType) {
        let delta = Int(id) - Int(self.lastFieldId)
        if delta > 0 && delta <= 15 {
            self.bytes.append(UInt8(delta << 4) | type.rawValue)
        } else {
            self.bytes.append(type.rawValue)
            self.writeVarint(zigZag(Int64(id)))
        }
        self.lastFieldId = id
    }

    /// Writes a boolean field; the value lives in the header's type nibble.
    public mutating func writeField(_ id: Int16, bool value: Bool) {
        self.writeFieldHeader(id, type: value ? .booleanTrue : .booleanFalse)
    }

    /// Writes an 8-bit integer field.
    public mutating func writeField(_ id: Int16, byte value: Int8) {
        self.writeFieldHeader(id, type: .byte)
        self.bytes.append(UInt8(bitPattern: value))
    }

    /// Writes a 32-bit integer field (zig-zag varint).
    public mutating func writeField(_ id: Int16, i32 value: Int32) {
        self.writeFieldHeader(id, type: .i32)
        self.writeI32(value)
    }

    /// Writes a 64-bit integer field (zig-zag varint).
    public mutating func writeField(_ id: Int16, i64 value: Int64) {
        self.writeFieldHeader(id, type: .i64)
        self.writeI64(value)
    }

    /// Writes a double field (8 bytes, little-endian).
    public mutating func writeField(_ id: Int16, double value: Double) {
        self.writeFieldHeader(id, type: .double)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { self.bytes.append(contentsOf: $0) }
    }

    /// Writes a binary field (varint length, then the bytes).
    public mutating func writeField(_ id: Int16, binary value: [UInt8]) {
        self.writeFieldHeader(id, type: .binary)
        self.writeBinary(value)
    }

    /// Writes a string field as UTF-8 binary.
    public mutating func writeField(_ id: Int16, string value: String) {
        self.writeFieldHeader(id, type: .binary)
        self.writeBinary(Array(value.utf8))
    }

    /// Writes the header of a struct-valued field and begins the nested struct.
    ///
    /// End it with ``endStruct()``.
    public mutating func beginStructField(_ id: Int16) {
        self.writeFieldHeader(id, type: .struct)
        self.beginStruct()
    }

    /// Writes the header of a list-valued field and the list header.
    public mutating func beginListField(_ id: Int16, elementType: ThriftCompactType, count: Int) {
        self.writeFieldHeader(id, type: .list)
        self.writeListHeader(elementType: elementType, count: count)
    }

    // MARK: Values (list elements)

    /// Writes a list header: `count << 4 | type` for fewer than 15 elements, else `0xF0 | type`
    /// followed by the varint count.
    public mutating func writeListHeader(elementType: ThriftCompactType, count: Int) {
        if count < 15 {
            self.bytes.append(UInt8(count << 4) | elementType.rawValue)
        } else {
            self.bytes.append(0xF0 | elementType.rawValue)
            self.writeVarint(UInt64(count))
        }
    }

    /// Writes a 32-bit integer value (zig-zag varint), e.g. a list element.
    public mutating func writeI32(_ value: Int32) {
        self.writeVarint(zigZag(Int64(value)))
    }

    /// Writes a 64-bit integer value (zig-zag varint), e.g. a list element.
    public mutating func writeI64(_ value: Int64) {
        self.writeVarint(zigZag(value))
    }

    /// Writes a binary value: varint length, then the bytes.
    public mutating func writeBinary(_ value: [UInt8]) {
        self.writeVarint(UInt64(value.count))
        self.bytes.append(contentsOf: value)
    }

    /// Writes a string value as UTF-8 binary.
    public mutating func writeString(_ value: String) {
        self.writeBinary(Array(value.utf8))
    }

    /// Writes an unsigned LEB128 varint.
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        self.bytes.append(UInt8(v))
    }
}

/// Maps a signed integer to an unsigned one so that small magnitudes stay small:
/// 0 → 0, −1 → 1, 1 → 2, −2 → 3, …
@inline(__always)
func zigZag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value << 1) ^ (value >> 63))
}

/// Inverse of ``zigZag(_:)``.
@inline(__always)
func unZigZag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
}
