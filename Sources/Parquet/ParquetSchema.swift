/// How the writer encodes a column's values.
public enum ParquetColumnEncoding: Sendable, Hashable {
    /// Dictionary encoding when the column chunk's distinct values fit the dictionary limit and the
    /// dictionary form is smaller than PLAIN; otherwise the fallback (PLAIN, or BYTE_STREAM_SPLIT
    /// for DOUBLE columns when ``ParquetWriter/Options/byteStreamSplitFallback`` is on).
    case automatic
    /// Always PLAIN.
    case plain
    /// Dictionary (RLE_DICTIONARY with a PLAIN dictionary page) whenever the dictionary fits the
    /// limit, even if PLAIN would be smaller; PLAIN otherwise.
    case dictionary
    /// BYTE_STREAM_SPLIT (DOUBLE columns only): the bytes of each value are spread over 8 streams,
    /// which helps zstd on slowly varying floating-point data.
    case byteStreamSplit
    /// DELTA_BINARY_PACKED (INT32/INT64/timestamp columns only), good for sorted timestamps and
    /// sequence numbers.
    case deltaBinaryPacked
}

/// A column of a flat Parquet schema, as the writer declares it.
///
/// ```swift
/// let schema = ParquetSchema([
///     .timestamp("ts_ns", unit: .nanoseconds),
///     .double("price"),
///     .string("side", optional: true),
/// ])
/// ```
public struct ParquetColumn: Sendable, Hashable {
    /// The value type of a column, i.e. its physical type plus annotation.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// BOOLEAN; Swift type `Bool`.
        case boolean
        /// INT32; Swift type `Int32`.
        case int32
        /// INT64; Swift type `Int64`.
        case int64
        /// FLOAT; Swift type `Float`.
        case float
        /// DOUBLE; Swift type `Double`.
        case double
        /// BYTE_ARRAY annotated STRING (UTF8); Swift type `String`.
        case string
        /// INT64 annotated TIMESTAMP(isAdjustedToUTC: true, unit); Swift type `Int64` counting
        /// `unit`s since the Unix epoch.
        case timestamp(ParquetFormat.TimeUnit)

        /// The physical type that stores this kind.
        public var physicalType: ParquetFormat.PhysicalType {
            switch self {
            case .boolean: .boolean
            case .int32: .int32
            case .int64, .timestamp: .int64
            case .float: .float
            case .double: .double
            case .string: .byteArray
            }
        }

        /// A short name, e.g. `timestamp[ns]`.
        public var description: String {
            switch self {
            case .boolean: "boolean"
            case .int32: "int32"
            case .int64: "int64"
            case .float: "float"
            case .double: "double"
            case .string: "string"
            case .timestamp(let unit): "timestamp[\(unit)]"
            }
        }
    }

    /// The column name (unique within the schema).
    public var name: String
    /// The value type.
    public var kind: Kind
    /// Whether the column can hold nulls (OPTIONAL) or not (REQUIRED).
    public var isOptional: Bool
    /// The preferred encoding.
    public var encoding: ParquetColumnEncoding

    /// Creates a column.
    public init(_ name: String, _ kind: Kind, optional: Bool = false, encoding: ParquetColumnEncoding = .automatic) {
        self.name = name
        self.kind = kind
        self.isOptional = optional
        self.encoding = encoding
    }

    /// A BOOLEAN column.
    public static func boolean(_ name: String, optional: Bool = false) -> ParquetColumn {
        ParquetColumn(name, .boolean, optional: optional, encoding: .plain)
    }

    /// An INT32 column.
    public static func int32(_ name: String, optional: Bool = false, encoding: ParquetColumnEncoding = .automatic) -> ParquetColumn {
        ParquetColumn(name, .int32, optional: optional, encoding: encoding)
    }

    /// An INT64 column.
    public static func int64(_ name: String, optional: Bool = false, encoding: ParquetColumnEncoding = .automatic) -> ParquetColumn {
        ParquetColumn(name, .int64, optional: optional, encoding: encoding)
    }

    /// A FLOAT column.
    public static func float(_ name: String, optional: Bool = false, encoding: ParquetColumnEncoding = .automatic) -> ParquetColumn {
        ParquetColumn(name, .float, optional: optional, encoding: encoding)
    }

    /// A DOUBLE column.
    public static func double(_ name: String, optional: Bool = false, encoding: ParquetColumnEncoding = .automatic) -> ParquetColumn {
        ParquetColumn(name, .double, optional: optional, encoding: encoding)
    }

    /// A UTF-8 string column.
    public static func string(_ name: String, optional: Bool = false, encoding: ParquetColumnEncoding = .automatic) -> ParquetColumn {
        ParquetColumn(name, .string, optional: optional, encoding: encoding)
    }

    /// A UTC timestamp column stored as INT64.
    public static func timestamp(
        _ name: String, unit: ParquetFormat.TimeUnit, optional: Bool = false, encoding: ParquetColumnEncoding = .automatic
    ) -> ParquetColumn {
        ParquetColumn(name, .timestamp(unit), optional: optional, encoding: encoding)
    }

    /// The schema element describing this column in the footer.
    var schemaElement: ParquetFormat.SchemaElement {
        var element = ParquetFormat.SchemaElement(
            name: self.name, type: self.kind.physicalType, repetitionType: self.isOptional ? .optional : .required)
        switch self.kind {
        case .string:
            element.logicalType = .string
            element.convertedType = .utf8
        case .timestamp(let unit):
            element.logicalType = .timestamp(isAdjustedToUTC: true, unit: unit)
            switch unit {
            case .milliseconds: element.convertedType = .timestampMillis
            case .microseconds: element.convertedType = .timestampMicros
            case .nanoseconds: break
            }
        default: break
        }
        return element
    }

    /// Interprets a leaf schema element of a file; nil when the element is not one of the kinds
    /// this library models (for example FLOAT or FIXED_LEN_BYTE_ARRAY).
    init?(schemaElement element: ParquetFormat.SchemaElement) {
        guard let type = element.type else { return nil }
        let kind: Kind
        switch type {
        case .boolean: kind = .boolean
        case .int32: kind = .int32
        case .float: kind = .float
        case .double: kind = .double
        case .int64:
            if case .timestamp(_, let unit) = element.logicalType {
                kind = .timestamp(unit)
            } else if element.convertedType == .timestampMillis {
                kind = .timestamp(.milliseconds)
            } else if element.convertedType == .timestampMicros {
                kind = .timestamp(.microseconds)
            } else {
                kind = .int64
            }
        case .byteArray: kind = .string
        default: return nil
        }
        self.init(element.name, kind, optional: element.repetitionType == .optional, encoding: .automatic)
    }
}

/// A flat Parquet schema: an ordered list of uniquely named leaf columns.
public struct ParquetSchema: Sendable, Hashable {
    /// The columns in file order.
    public var columns: [ParquetColumn]

    /// Creates a schema.
    public init(_ columns: [ParquetColumn]) {
        self.columns = columns
    }

    /// The index of the column called `name`, if any.
    public func index(of name: String) -> Int? {
        self.columns.firstIndex { $0.name == name }
    }

    /// Checks that the schema is non-empty, names are unique and non-empty, and encodings fit types.
    func validate() throws {
        guard !self.columns.isEmpty else { throw ParquetError(.invalidArgument, "A Parquet schema needs at least one column") }
        var seen = Set<String>()
        for column in self.columns {
            guard !column.name.isEmpty else { throw ParquetError(.invalidArgument, "A Parquet column name must not be empty") }
            guard seen.insert(column.name).inserted else {
                throw ParquetError(.invalidArgument, "Column name '\(column.name)' appears twice in the schema")
            }
            switch (column.encoding, column.kind) {
            case (.byteStreamSplit, .double), (.deltaBinaryPacked, .int32), (.deltaBinaryPacked, .int64),
                 (.deltaBinaryPacked, .timestamp), (.automatic, _), (.plain, _):
                break
            case (.dictionary, let kind) where kind != .boolean:
                break
            default:
                throw ParquetError(.invalidArgument, "Column '\(column.name)': encoding \(column.encoding) does not apply to \(column.kind)")
            }
        }
    }

    /// The footer schema: a root group followed by the leaves.
    var schemaElements: [ParquetFormat.SchemaElement] {
        [ParquetFormat.SchemaElement(name: "schema", numChildren: Int32(self.columns.count))]
            + self.columns.map(\.schemaElement)
    }
}
