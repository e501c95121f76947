/// The non-null values of a column chunk, in a typed array.
public enum ParquetValues: Sendable, Hashable {
    /// BOOLEAN values.
    case boolean([Bool])
    /// INT32 values.
    case int32([Int32])
    /// INT64 values (also timestamps).
    case int64([Int64])
    /// FLOAT values.
    case float([Float])
    /// DOUBLE values.
    case double([Double])
    /// BYTE_ARRAY values decoded as UTF-8.
    case string([String])

    /// Number of values.
    public var count: Int {
        switch self {
        case .boolean(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .float(let v): v.count
        case .double(let v): v.count
        case .string(let v): v.count
        }
    }

    /// The element type's name, for error messages.
    var typeName: String {
        switch self {
        case .boolean: "Bool"
        case .int32: "Int32"
        case .int64: "Int64"
        case .float: "Float"
        case .double: "Double"
        case .string: "String"
        }
    }

    /// The array if its element type is `T`.
    func array<T>(as type: T.Type) -> [T]? {
        switch self {
        case .boolean(let v): v as? [T]
        case .int32(let v): v as? [T]
        case .int64(let v): v as? [T]
        case .float(let v): v as? [T]
        case .double(let v): v as? [T]
        case .string(let v): v as? [T]
        }
    }
}

/// One typed value, e.g. a statistics minimum.
public enum ParquetScalar: Sendable, Hashable, CustomStringConvertible {
    /// A BOOLEAN value.
    case boolean(Bool)
    /// An INT32 value.
    case int32(Int32)
    /// An INT64 value (also timestamps).
    case int64(Int64)
    /// A FLOAT value.
    case float(Float)
    /// A DOUBLE value.
    case double(Double)
    /// A UTF-8 string.
    case string(String)

    /// The value as text.
    public var description: String {
        switch self {
        case .boolean(let v): "\(v)"
        case .int32(let v): "\(v)"
        case .int64(let v): "\(v)"
        case .float(let v): "\(v)"
        case .double(let v): "\(v)"
        case .string(let v): v
        }
    }

    /// Decodes PLAIN statistics bytes of a physical type; nil when the bytes do not fit the type.
    public init?(statisticsBytes bytes: [UInt8], type: ParquetFormat.PhysicalType) {
        switch type {
        case .boolean:
            guard bytes.count == 1 else { return nil }
            self = .boolean(bytes[0] != 0)
        case .int32:
            guard let v = PlainEncoding.value(bytes, as: Int32.self) else { return nil }
            self = .int32(v)
        case .int64:
            guard let v = PlainEncoding.value(bytes, as: Int64.self) else { return nil }
            self = .int64(v)
        case .float:
            guard let v = PlainEncoding.value(bytes, as: Float.self) else { return nil }
            self = .float(v)
        case .double:
            guard let v = PlainEncoding.value(bytes, as: Double.self) else { return nil }
            self = .double(v)
        case .byteArray:
            self = .string(String(decoding: bytes, as: UTF8.self))
        default:
            return nil
        }
    }
}

/// Statistics of one column chunk, decoded to typed values.
public struct ParquetColumnStatistics: Sendable, Hashable {
    /// The minimum non-null value, if recorded.
    public var min: ParquetScalar?
    /// The maximum non-null value, if recorded.
    public var max: ParquetScalar?
    /// The number of nulls, if recorded.
    public var nullCount: Int64?
}

/// The values of one column in one row group.
///
/// ``values`` holds only the non-null values; ``validity`` tells which rows have one.
public struct ParquetColumnData: Sendable, Hashable {
    /// The non-null values in row order.
    public var values: ParquetValues
    /// One flag per row, true where the row has a value; nil when every row has one.
    public var validity: [Bool]?
    /// The number of rows.
    public var rowCount: Int

    /// Creates column data.
    public init(values: ParquetValues, validity: [Bool]?, rowCount: Int) {
        self.values = values
        self.validity = validity
        self.rowCount = rowCount
    }

    /// The number of null rows.
    public var nullCount: Int { self.rowCount - self.values.count }

    /// The values of a column with no nulls as `[T]`.
    ///
    /// - Throws: ``ParquetError/Kind/invalidArgument`` if `T` is not the column's type or there are nulls.
    public func values<T>(as type: T.Type) throws -> [T] {
        guard let array = self.values.array(as: type) else {
            throw ParquetError(.invalidArgument, "Column holds \(self.values.typeName) values, not \(T.self)")
        }
        guard self.nullCount == 0 else {
            throw ParquetError(.invalidArgument, "Column has \(self.nullCount) null(s); use optionalValues(as:)")
        }
        return array
    }

    /// The values as `[T?]`, one per row, with nil for nulls.
    ///
    /// - Throws: ``ParquetError/Kind/invalidArgument`` if `T` is not the column's type.
    public func optionalValues<T>(as type: T.Type) throws -> [T?] {
        guard let array = self.values.array(as: type) else {
            throw ParquetError(.invalidArgument, "Column holds \(self.values.typeName) values, not \(T.self)")
        }
        guard let validity = self.validity else { return array.map { Optional($0) } }
        var result: [T?] = []
        result.reserveCapacity(self.rowCount)
        var next = 0
        for present in validity {
            if present {
                result.append(array[next])
                next += 1
            } else {
                result.append(nil)
            }
        }
        return result
    }
}
