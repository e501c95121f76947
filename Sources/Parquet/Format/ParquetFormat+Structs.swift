/// A Thrift struct that can be written and read in the compact protocol.
public protocol ThriftCompactCodable {
    /// Reads the struct (from its first field header to its stop byte).
    init(from decoder: inout ThriftCompactDecoder) throws
    /// Writes the struct, including its stop byte.
    func encode(to encoder: inout ThriftCompactEncoder)
}

extension ThriftCompactCodable {
    /// Encodes the struct into a fresh byte array.
    public func thriftCompactBytes() -> [UInt8] {
        var encoder = ThriftCompactEncoder()
        self.encode(to: &encoder)
        return encoder.bytes
    }

    /// Decodes a struct from the start of `bytes`.
    ///
    /// - Returns: the struct and the number of bytes it took.
    public static func decode(from bytes: [UInt8], range: Range<Int>? = nil) throws -> (value: Self, byteCount: Int) {
        var decoder = ThriftCompactDecoder(bytes, range: range)
        let start = decoder.position
        let value = try Self(from: &decoder)
        return (value, decoder.position - start)
    }
}

extension ThriftCompactDecoder {
    fileprivate mutating func expect(_ type: ThriftCompactType, _ actual: ThriftCompactType, field: String) throws {
        guard type == actual else { throw ParquetError.corrupt("field \(field) has Thrift type \(actual), expected \(type)") }
    }

    /// Reads a field of type `expected`, or skips it (and returns nil) when the writer used another type.
    fileprivate mutating func readI32(_ type: ThriftCompactType, field: String) throws -> Int32 {
        try self.expect(.i32, type, field: field)
        return try self.readI32()
    }

    fileprivate mutating func readI64(_ type: ThriftCompactType, field: String) throws -> Int64 {
        try self.expect(.i64, type, field: field)
        return try self.readI64()
    }

    fileprivate mutating func readBinary(_ type: ThriftCompactType, field: String) throws -> [UInt8] {
        try self.expect(.binary, type, field: field)
        return try self.readBinary()
    }

    fileprivate mutating func readString(_ type: ThriftCompactType, field: String) throws -> String {
        try self.expect(.binary, type, field: field)
        return try self.readString()
    }

    fileprivate mutating func readStruct<T: ThriftCompactCodable>(_ type: ThriftCompactType, field: String) throws -> T {
        try self.expect(.struct, type, field: field)
        return try T(from: &self)
    }

    fileprivate mutating func readStructList<T: ThriftCompactCodable>(_ type: ThriftCompactType, field: String) throws -> [T] {
        try self.expect(.list, type, field: field)
        return try self.readList(of: .struct) { try T(from: &$0) }
    }
}

private func missing(_ field: String, in structName: String) -> ParquetError {
    ParquetError.corrupt("\(structName) is missing required field \(field)")
}

extension ThriftCompactEncoder {
    fileprivate mutating func writeStructField(_ id: Int16, _ value: some ThriftCompactCodable) {
        self.writeFieldHeader(id, type: .struct)
        value.encode(to: &self)
    }

    fileprivate mutating func writeStructListField(_ id: Int16, _ values: [some ThriftCompactCodable]) {
        self.beginListField(id, elementType: .struct, count: values.count)
        for value in values { value.encode(to: &self) }
    }
}

// MARK: - Statistics

extension ParquetFormat {
    /// Column or page statistics: `struct Statistics`. Values are PLAIN-encoded bytes of the
    /// column's physical type (without the length prefix for BYTE_ARRAY).
    public struct Statistics: Hashable, Sendable, ThriftCompactCodable {
        /// Legacy maximum (1), signed-order for some writers; prefer ``maxValue``.
        public var max: [UInt8]?
        /// Legacy minimum (2); prefer ``minValue``.
        public var min: [UInt8]?
        /// Number of nulls (3).
        public var nullCount: Int64?
        /// Number of distinct values (4).
        public var distinctCount: Int64?
        /// Maximum under the column's sort order (5).
        public var maxValue: [UInt8]?
        /// Minimum under the column's sort order (6).
        public var minValue: [UInt8]?
        /// Whether ``maxValue`` is the exact maximum (7).
        public var isMaxValueExact: Bool?
        /// Whether ``minValue`` is the exact minimum (8).
        public var isMinValueExact: Bool?

        /// Creates statistics.
        public init(minValue: [UInt8]? = nil, maxValue: [UInt8]? = nil, nullCount: Int64? = nil) {
            self.minValue = minValue
            self.maxValue = maxValue
            self.nullCount = nullCount
        }

        /// The minimum: ``minValue`` if present, else the legacy ``min``.
        public var effectiveMin: [UInt8]? { self.minValue ?? self.min }
        /// The maximum: ``maxValue`` if present, else the legacy ``max``.
        public var effectiveMax: [UInt8]? { self.maxValue ?? self.max }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: self.max = try decoder.readBinary(type, field: "Statistics.max")
                case 2: self.min = try decoder.readBinary(type, field: "Statistics.min")
                case 3: self.nullCount = try decoder.readI64(type, field: "Statistics.null_count")
                case 4: self.distinctCount = try decoder.readI64(type, field: "Statistics.distinct_count")
                case 5: self.maxValue = try decoder.readBinary(type, field: "Statistics.max_value")
                case 6: self.minValue = try decoder.readBinary(type, field: "Statistics.min_value")
                case 7: self.isMaxValueExact = try decoder.readBoolField(type)
                case 8: self.isMinValueExact = try decoder.readBoolField(type)
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            if let max { encoder.writeField(1, binary: max) }
            if let min { encoder.writeField(2, binary: min) }
            if let nullCount { encoder.writeField(3, i64: nullCount) }
            if let distinctCount { encoder.writeField(4, i64: distinctCount) }
            if let maxValue { encoder.writeField(5, binary: maxValue) }
            if let minValue { encoder.writeField(6, binary: minValue) }
            if let isMaxValueExact { encoder.writeField(7, bool: isMaxValueExact) }
            if let isMinValueExact { encoder.writeField(8, bool: isMinValueExact) }
            encoder.endStruct()
        }
    }
}

// MARK: - LogicalType

extension ParquetFormat.LogicalType: ThriftCompactCodable {
    /// Reads the union.
    public init(from decoder: inout ThriftCompactDecoder) throws {
        try decoder.beginStruct()
        var result: ParquetFormat.LogicalType?
        while let (id, type) = try decoder.readFieldHeader() {
            guard result == nil, type == .struct else {
                try decoder.skip(type)
                continue
            }
            switch id {
            case 1: result = .string; try decoder.skip(type)
            case 4: result = .enumeration; try decoder.skip(type)
            case 6: result = .date; try decoder.skip(type)
            case 11: result = .unknown; try decoder.skip(type)
            case 12: result = .json; try decoder.skip(type)
            case 5:
                var scale: Int32?
                var precision: Int32?
                try decoder.beginStruct()
                while let (fid, ftype) = try decoder.readFieldHeader() {
                    switch fid {
                    case 1: scale = try decoder.readI32(ftype, field: "DecimalType.scale")
                    case 2: precision = try decoder.readI32(ftype, field: "DecimalType.precision")
                    default: try decoder.skip(ftype)
                    }
                }
                decoder.endStruct()
                guard let scale, let precision else { throw missing("scale/precision", in: "DecimalType") }
                result = .decimal(scale: scale, precision: precision)
            case 7, 8:
                var utc: Bool?
                var unit: ParquetFormat.TimeUnit?
                try decoder.beginStruct()
                while let (fid, ftype) = try decoder.readFieldHeader() {
                    switch fid {
                    case 1: utc = try decoder.readBoolField(ftype)
                    case 2:
                        try decoder.expect(.struct, ftype, field: "TimestampType.unit")
                        try decoder.beginStruct()
                        while let (uid, utype) = try decoder.readFieldHeader() {
                            if unit == nil { unit = ParquetFormat.TimeUnit(rawValue: uid) }
                            try decoder.skip(utype)
                        }
                        decoder.endStruct()
                    default: try decoder.skip(ftype)
                    }
                }
                decoder.endStruct()
                guard let utc, let unit else { throw missing("isAdjustedToUTC/unit", in: id == 8 ? "TimestampType" : "TimeType") }
                result = id == 8 ? .timestamp(isAdjustedToUTC: utc, unit: unit) : .time(isAdjustedToUTC: utc, unit: unit)
            case 10:
                var width: Int8?
                var signed: Bool?
                try decoder.beginStruct()
                while let (fid, ftype) = try decoder.readFieldHeader() {
                    switch fid {
                    case 1:
                        try decoder.expect(.byte, ftype, field: "IntType.bitWidth")
                        width = Int8(bitPattern: try decoder.readByte())
                    case 2: signed = try decoder.readBoolField(ftype)
                    default: try decoder.skip(ftype)
                    }
                }
                decoder.endStruct()
                guard let width, let signed else { throw missing("bitWidth/isSigned", in: "IntType") }
                result = .integer(bitWidth: width, isSigned: signed)
            default:
                result = .other(fieldId: id)
                try decoder.skip(type)
            }
        }
        decoder.endStruct()
        guard let result else { throw ParquetError.corrupt("LogicalType union has no member set") }
        self = result
    }

    /// Writes the union.
    public func encode(to encoder: inout ThriftCompactEncoder) {
        encoder.beginStruct()
        switch self {
        case .string: encoder.beginStructField(1); encoder.endStruct()
        case .enumeration: encoder.beginStructField(4); encoder.endStruct()
        case .date: encoder.beginStructField(6); encoder.endStruct()
        case .unknown: encoder.beginStructField(11); encoder.endStruct()
        case .json: encoder.beginStructField(12); encoder.endStruct()
        case .decimal(let scale, let precision):
            encoder.beginStructField(5)
            encoder.writeField(1, i32: scale)
            encoder.writeField(2, i32: precision)
            encoder.endStruct()
        case .time(let utc, let unit), .timestamp(let utc, let unit):
            if case .time = self { encoder.beginStructField(7) } else { encoder.beginStructField(8) }
            encoder.writeField(1, bool: utc)
            encoder.beginStructField(2)
            encoder.beginStructField(unit.rawValue)
            encoder.endStruct()
            encoder.endStruct()
            encoder.endStruct()
        case .integer(let width, let signed):
            encoder.beginStructField(10)
            encoder.writeField(1, byte: width)
            encoder.writeField(2, bool: signed)
            encoder.endStruct()
        case .other(let fieldId):
            encoder.beginStructField(fieldId)
            encoder.endStruct()
        }
        encoder.endStruct()
    }
}

// MARK: - SchemaElement, KeyValue

extension ParquetFormat {
    /// One node of the schema tree: `struct SchemaElement`. The first element of a file's schema
    /// is the root group; for a flat schema the others are its leaf columns.
    public struct SchemaElement: Hashable, Sendable, ThriftCompactCodable {
        /// Physical type (1); nil for groups.
        public var type: PhysicalType?
        /// Byte length for FIXED_LEN_BYTE_ARRAY (2).
        public var typeLength: Int32?
        /// Repetition (3); nil for the root.
        public var repetitionType: Repetition?
        /// Field name (4).
        public var name: String
        /// Number of children for groups (5).
        public var numChildren: Int32?
        /// Legacy annotation (6).
        public var convertedType: ConvertedType?
        /// Decimal scale (7).
        public var scale: Int32?
        /// Decimal precision (8).
        public var precision: Int32?
        /// Field id (9).
        public var fieldId: Int32?
        /// Modern annotation (10).
        public var logicalType: LogicalType?

        /// Creates a schema element.
        public init(
            name: String, type: PhysicalType? = nil, repetitionType: Repetition? = nil, numChildren: Int32? = nil,
            convertedType: ConvertedType? = nil, logicalType: LogicalType? = nil
        ) {
            self.name = name
            self.type = type
            self.repetitionType = repetitionType
            self.numChildren = numChildren
            self.convertedType = convertedType
            self.logicalType = logicalType
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var name: String?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1:
                    let raw = try decoder.readI32(type, field: "SchemaElement.type")
                    guard let t = PhysicalType(rawValue: raw) else { throw ParquetError.corrupt("unknown physical type \(raw)") }
                    self.type = t
                case 2: self.typeLength = try decoder.readI32(type, field: "SchemaElement.type_length")
                case 3:
                    let raw = try decoder.readI32(type, field: "SchemaElement.repetition_type")
                    guard let r = Repetition(rawValue: raw) else { throw ParquetError.corrupt("unknown repetition type \(raw)") }
                    self.repetitionType = r
                case 4: name = try decoder.readString(type, field: "SchemaElement.name")
                case 5: self.numChildren = try decoder.readI32(type, field: "SchemaElement.num_children")
                case 6: self.convertedType = ConvertedType(rawValue: try decoder.readI32(type, field: "SchemaElement.converted_type"))
                case 7: self.scale = try decoder.readI32(type, field: "SchemaElement.scale")
                case 8: self.precision = try decoder.readI32(type, field: "SchemaElement.precision")
                case 9: self.fieldId = try decoder.readI32(type, field: "SchemaElement.field_id")
                case 10: self.logicalType = try decoder.readStruct(type, field: "SchemaElement.logicalType")
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let name else { throw missing("name", in: "SchemaElement") }
            self.name = name
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            if let type { encoder.writeField(1, i32: type.rawValue) }
            if let typeLength { encoder.writeField(2, i32: typeLength) }
            if let repetitionType { encoder.writeField(3, i32: repetitionType.rawValue) }
            encoder.writeField(4, string: self.name)
            if let numChildren { encoder.writeField(5, i32: numChildren) }
            if let convertedType { encoder.writeField(6, i32: convertedType.rawValue) }
            if let scale { encoder.writeField(7, i32: scale) }
            if let precision { encoder.writeField(8, i32: precision) }
            if let fieldId { encoder.writeField(9, i32: fieldId) }
            if let logicalType { encoder.writeStructField(10, logicalType) }
            encoder.endStruct()
        }
    }

    /// A key-value metadata entry: `struct KeyValue`.
    public struct KeyValue: Hashable, Sendable, ThriftCompactCodable {
        /// The key (1).
        public var key: String
        /// The value (2), optional in the format.
        public var value: String?

        /// Creates an entry.
        public init(key: String, value: String?) {
            self.key = key
            self.value = value
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var key: String?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: key = try decoder.readString(type, field: "KeyValue.key")
                case 2: self.value = try decoder.readString(type, field: "KeyValue.value")
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let key else { throw missing("key", in: "KeyValue") }
            self.key = key
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, string: self.key)
            if let value { encoder.writeField(2, string: value) }
            encoder.endStruct()
        }
    }
}

// MARK: - Column chunk metadata

extension ParquetFormat {
    /// How many pages of a type and encoding a column chunk has: `struct PageEncodingStats`.
    public struct PageEncodingStats: Hashable, Sendable, ThriftCompactCodable {
        /// Page type (1).
        public var pageType: PageType
        /// Encoding (2).
        public var encoding: Encoding
        /// Number of pages (3).
        public var count: Int32

        /// Creates an entry.
        public init(pageType: PageType, encoding: Encoding, count: Int32) {
            self.pageType = pageType
            self.encoding = encoding
            self.count = count
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var pageType: Int32?
            var encoding: Int32?
            var count: Int32?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: pageType = try decoder.readI32(type, field: "PageEncodingStats.page_type")
                case 2: encoding = try decoder.readI32(type, field: "PageEncodingStats.encoding")
                case 3: count = try decoder.readI32(type, field: "PageEncodingStats.count")
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let pageType, let encoding, let count else { throw missing("page_type/encoding/count", in: "PageEncodingStats") }
            self.init(pageType: PageType(rawValue: pageType), encoding: Encoding(rawValue: encoding), count: count)
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, i32: self.pageType.rawValue)
            encoder.writeField(2, i32: self.encoding.rawValue)
            encoder.writeField(3, i32: self.count)
            encoder.endStruct()
        }
    }

    /// Metadata of one column chunk: `struct ColumnMetaData`.
    public struct ColumnMetaData: Hashable, Sendable, ThriftCompactCodable {
        /// Physical type (1).
        public var type: PhysicalType
        /// All encodings used in the chunk, including level encodings (2).
        public var encodings: [Encoding]
        /// Path of the column in the schema (3); one name for flat schemas.
        public var pathInSchema: [String]
        /// Compression codec of every page (4).
        public var codec: CompressionCodec
        /// Number of values including nulls (5).
        public var numValues: Int64
        /// Total bytes of the chunk before compression, page headers included (6).
        public var totalUncompressedSize: Int64
        /// Total bytes of the chunk on disk, page headers included (7).
        public var totalCompressedSize: Int64
        /// Column key-value metadata (8).
        public var keyValueMetadata: [KeyValue]?
        /// File offset of the first data page (9).
        public var dataPageOffset: Int64
        /// File offset of the index page (10).
        public var indexPageOffset: Int64?
        /// File offset of the dictionary page (11).
        public var dictionaryPageOffset: Int64?
        /// Chunk statistics (12).
        public var statistics: Statistics?
        /// Page counts per type and encoding (13).
        public var encodingStats: [PageEncodingStats]?

        /// Creates column metadata.
        public init(
            type: PhysicalType, encodings: [Encoding], pathInSchema: [String], codec: CompressionCodec, numValues: Int64,
            totalUncompressedSize: Int64, totalCompressedSize: Int64, dataPageOffset: Int64,
            dictionaryPageOffset: Int64? = nil, statistics: Statistics? = nil, encodingStats: [PageEncodingStats]? = nil
        ) {
            self.type = type
            self.encodings = encodings
            self.pathInSchema = pathInSchema
            self.codec = codec
            self.numValues = numValues
            self.totalUncompressedSize = totalUncompressedSize
            self.totalCompressedSize = totalCompressedSize
            self.dataPageOffset = dataPageOffset
            self.dictionaryPageOffset = dictionaryPageOffset
            self.statistics = statistics
            self.encodingStats = encodingStats
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var physical: PhysicalType?
            var encodings: [Encoding]?
            var path: [String]?
            var codec: CompressionCodec?
            var numValues: Int64?
            var uncompressed: Int64?
            var compressed: Int64?
            var dataPageOffset: Int64?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1:
                    let raw = try decoder.readI32(type, field: "ColumnMetaData.type")
                    guard let t = PhysicalType(rawValue: raw) else { throw ParquetError.corrupt("unknown physical type \(raw)") }
                    physical = t
                case 2:
                    try decoder.expect(.list, type, field: "ColumnMetaData.encodings")
                    encodings = try decoder.readList(of: .i32) { Encoding(rawValue: try $0.readI32()) }
                case 3:
                    try decoder.expect(.list, type, field: "ColumnMetaData.path_in_schema")
                    path = try decoder.readList(of: .binary) { try $0.readString() }
                case 4: codec = CompressionCodec(rawValue: try decoder.readI32(type, field: "ColumnMetaData.codec"))
                case 5: numValues = try decoder.readI64(type, field: "ColumnMetaData.num_values")
                case 6: uncompressed = try decoder.readI64(type, field: "ColumnMetaData.total_uncompressed_size")
                case 7: compressed = try decoder.readI64(type, field: "ColumnMetaData.total_compressed_size")
                case 8: self.keyValueMetadata = try decoder.readStructList(type, field: "ColumnMetaData.key_value_metadata")
                case 9: dataPageOffset = try decoder.readI64(type, field: "ColumnMetaData.data_page_offset")
                case 10: self.indexPageOffset = try decoder.readI64(type, field: "ColumnMetaData.index_page_offset")
                case 11: self.dictionaryPageOffset = try decoder.readI64(type, field: "ColumnMetaData.dictionary_page_offset")
                case 12: self.statistics = try decoder.readStruct(type, field: "ColumnMetaData.statistics")
                case 13: self.encodingStats = try decoder.readStructList(type, field: "ColumnMetaData.encoding_stats")
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let physical, let encodings, let path, let codec, let numValues, let uncompressed, let compressed,
                  let dataPageOffset
            else { throw missing("type/encodings/path_in_schema/codec/num_values/sizes/data_page_offset", in: "ColumnMetaData") }
            self.type = physical
            self.encodings = encodings
            self.pathInSchema = path
            self.codec = codec
            self.numValues = numValues
            self.totalUncompressedSize = uncompressed
            self.totalCompressedSize = compressed
            self.dataPageOffset = dataPageOffset
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, i32: self.type.rawValue)
            encoder.beginListField(2, elementType: .i32, count: self.encodings.count)
            for e in self.encodings { encoder.writeI32(e.rawValue) }
            encoder.beginListField(3, elementType: .binary, count: self.pathInSchema.count)
            for p in self.pathInSchema { encoder.writeString(p) }
            encoder.writeField(4, i32: self.codec.rawValue)
            encoder.writeField(5, i64: self.numValues)
            encoder.writeField(6, i64: self.totalUncompressedSize)
            encoder.writeField(7, i64: self.totalCompressedSize)
            if let keyValueMetadata { encoder.writeStructListField(8, keyValueMetadata) }
            encoder.writeField(9, i64: self.dataPageOffset)
            if let indexPageOffset { encoder.writeField(10, i64: indexPageOffset) }
            if let dictionaryPageOffset { encoder.writeField(11, i64: dictionaryPageOffset) }
            if let statistics { encoder.writeStructField(12, statistics) }
            if let encodingStats { encoder.writeStructListField(13, encodingStats) }
            encoder.endStruct()
        }
    }

    /// A column chunk reference: `struct ColumnChunk`.
    public struct ColumnChunk: Hashable, Sendable, ThriftCompactCodable {
        /// File holding the chunk when not this one (1).
        public var filePath: String?
        /// Deprecated offset (2); writers set the chunk's first page offset.
        public var fileOffset: Int64
        /// The chunk's metadata (3).
        public var metaData: ColumnMetaData?

        /// Creates a column chunk.
        public init(fileOffset: Int64, metaData: ColumnMetaData?) {
            self.fileOffset = fileOffset
            self.metaData = metaData
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var fileOffset: Int64 = 0
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: self.filePath = try decoder.readString(type, field: "ColumnChunk.file_path")
                case 2: fileOffset = try decoder.readI64(type, field: "ColumnChunk.file_offset")
                case 3: self.metaData = try decoder.readStruct(type, field: "ColumnChunk.meta_data")
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            self.fileOffset = fileOffset
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            if let filePath { encoder.writeField(1, string: filePath) }
            encoder.writeField(2, i64: self.fileOffset)
            if let metaData { encoder.writeStructField(3, metaData) }
            encoder.endStruct()
        }
    }

    /// A row group: `struct RowGroup`.
    public struct RowGroup: Hashable, Sendable, ThriftCompactCodable {
        /// One chunk per leaf column, in schema order (1).
        public var columns: [ColumnChunk]
        /// Total uncompressed bytes of all column data (2).
        public var totalByteSize: Int64
        /// Number of rows (3).
        public var numRows: Int64
        /// Offset of the first page of the row group (5).
        public var fileOffset: Int64?
        /// Total compressed bytes of the row group (6).
        public var totalCompressedSize: Int64?
        /// Index of the row group in the file (7).
        public var ordinal: Int16?

        /// Creates a row group.
        public init(columns: [ColumnChunk], totalByteSize: Int64, numRows: Int64, fileOffset: Int64? = nil,
                    totalCompressedSize: Int64? = nil, ordinal: Int16? = nil) {
            self.columns = columns
            self.totalByteSize = totalByteSize
            self.numRows = numRows
            self.fileOffset = fileOffset
            self.totalCompressedSize = totalCompressedSize
            self.ordinal = ordinal
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var columns: [ColumnChunk]?
            var totalByteSize: Int64?
            var numRows: Int64?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: columns = try decoder.readStructList(type, field: "RowGroup.columns")
                case 2: totalByteSize = try decoder.readI64(type, field: "RowGroup.total_byte_size")
                case 3: numRows = try decoder.readI64(type, field: "RowGroup.num_rows")
                case 5: self.fileOffset = try decoder.readI64(type, field: "RowGroup.file_offset")
                case 6: self.totalCompressedSize = try decoder.readI64(type, field: "RowGroup.total_compressed_size")
                case 7:
                    try decoder.expect(.i16, type, field: "RowGroup.ordinal")
                    self.ordinal = Int16(truncatingIfNeeded: try decoder.readI64())
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let columns, let totalByteSize, let numRows else { throw missing("columns/total_byte_size/num_rows", in: "RowGroup") }
            self.columns = columns
            self.totalByteSize = totalByteSize
            self.numRows = numRows
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeStructListField(1, self.columns)
            encoder.writeField(2, i64: self.totalByteSize)
            encoder.writeField(3, i64: self.numRows)
            if let fileOffset { encoder.writeField(5, i64: fileOffset) }
            if let totalCompressedSize { encoder.writeField(6, i64: totalCompressedSize) }
            if let ordinal {
                encoder.writeFieldHeader(7, type: .i16)
                encoder.writeI64(Int64(ordinal))
            }
            encoder.endStruct()
        }
    }

    /// The file footer: `struct FileMetaData`.
    public struct FileMetaData: Hashable, Sendable, ThriftCompactCodable {
        /// Format version (1): 1 or 2.
        public var version: Int32
        /// The schema tree flattened depth-first; element 0 is the root (2).
        public var schema: [SchemaElement]
        /// Total rows (3).
        public var numRows: Int64
        /// Row groups (4).
        public var rowGroups: [RowGroup]
        /// File key-value metadata (5).
        public var keyValueMetadata: [KeyValue]?
        /// Writer identification, e.g. `parquet-cpp-arrow version 26.0.1` (6).
        public var createdBy: String?
        /// Number of TypeDefinedOrder column orders (7), one per leaf column when written;
        /// their presence tells readers that `min_value`/`max_value` use the type's natural order.
        public var typeDefinedColumnOrders: Int?

        /// Creates file metadata.
        public init(version: Int32 = 2, schema: [SchemaElement], numRows: Int64, rowGroups: [RowGroup],
                    keyValueMetadata: [KeyValue]? = nil, createdBy: String? = nil, typeDefinedColumnOrders: Int? = nil) {
            self.version = version
            self.schema = schema
            self.numRows = numRows
            self.rowGroups = rowGroups
            self.keyValueMetadata = keyValueMetadata
            self.createdBy = createdBy
            self.typeDefinedColumnOrders = typeDefinedColumnOrders
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var version: Int32?
            var schema: [SchemaElement]?
            var numRows: Int64?
            var rowGroups: [RowGroup]?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: version = try decoder.readI32(type, field: "FileMetaData.version")
                case 2: schema = try decoder.readStructList(type, field: "FileMetaData.schema")
                case 3: numRows = try decoder.readI64(type, field: "FileMetaData.num_rows")
                case 4: rowGroups = try decoder.readStructList(type, field: "FileMetaData.row_groups")
                case 5: self.keyValueMetadata = try decoder.readStructList(type, field: "FileMetaData.key_value_metadata")
                case 6: self.createdBy = try decoder.readString(type, field: "FileMetaData.created_by")
                case 7:
                    try decoder.expect(.list, type, field: "FileMetaData.column_orders")
                    let (elementType, count) = try decoder.readListHeader()
                    for _ in 0..<count { try decoder.skip(elementType) }
                    self.typeDefinedColumnOrders = count
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let version, let schema, let numRows, let rowGroups else {
                throw missing("version/schema/num_rows/row_groups", in: "FileMetaData")
            }
            self.version = version
            self.schema = schema
            self.numRows = numRows
            self.rowGroups = rowGroups
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, i32: self.version)
            encoder.writeStructListField(2, self.schema)
            encoder.writeField(3, i64: self.numRows)
            encoder.writeStructListField(4, self.rowGroups)
            if let keyValueMetadata { encoder.writeStructListField(5, keyValueMetadata) }
            if let createdBy { encoder.writeField(6, string: createdBy) }
            if let typeDefinedColumnOrders {
                // union ColumnOrder { 1: TypeDefinedOrder TYPE_ORDER } — an empty struct in member 1.
                encoder.beginListField(7, elementType: .struct, count: typeDefinedColumnOrders)
                for _ in 0..<typeDefinedColumnOrders {
                    encoder.beginStruct()
                    encoder.beginStructField(1)
                    encoder.endStruct()
                    encoder.endStruct()
                }
            }
            encoder.endStruct()
        }
    }
}

// MARK: - Page headers

extension ParquetFormat {
    /// Header of a version-1 data page: `struct DataPageHeader`.
    public struct DataPageHeader: Hashable, Sendable, ThriftCompactCodable {
        /// Number of values including nulls (1).
        public var numValues: Int32
        /// Value encoding (2).
        public var encoding: Encoding
        /// Definition level encoding (3), RLE.
        public var definitionLevelEncoding: Encoding
        /// Repetition level encoding (4), RLE.
        public var repetitionLevelEncoding: Encoding
        /// Page statistics (5).
        public var statistics: Statistics?

        /// Creates a header.
        public init(numValues: Int32, encoding: Encoding, definitionLevelEncoding: Encoding = .rle,
                    repetitionLevelEncoding: Encoding = .rle, statistics: Statistics? = nil) {
            self.numValues = numValues
            self.encoding = encoding
            self.definitionLevelEncoding = definitionLevelEncoding
            self.repetitionLevelEncoding = repetitionLevelEncoding
            self.statistics = statistics
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var numValues: Int32?
            var encoding: Int32?
            var def: Int32?
            var rep: Int32?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: numValues = try decoder.readI32(type, field: "DataPageHeader.num_values")
                case 2: encoding = try decoder.readI32(type, field: "DataPageHeader.encoding")
                case 3: def = try decoder.readI32(type, field: "DataPageHeader.definition_level_encoding")
                case 4: rep = try decoder.readI32(type, field: "DataPageHeader.repetition_level_encoding")
                case 5: self.statistics = try decoder.readStruct(type, field: "DataPageHeader.statistics")
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let numValues, let encoding, let def, let rep else { throw missing("num_values/encodings", in: "DataPageHeader") }
            self.numValues = numValues
            self.encoding = Encoding(rawValue: encoding)
            self.definitionLevelEncoding = Encoding(rawValue: def)
            self.repetitionLevelEncoding = Encoding(rawValue: rep)
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, i32: self.numValues)
            encoder.writeField(2, i32: self.encoding.rawValue)
            encoder.writeField(3, i32: self.definitionLevelEncoding.rawValue)
            encoder.writeField(4, i32: self.repetitionLevelEncoding.rawValue)
            if let statistics { encoder.writeStructField(5, statistics) }
            encoder.endStruct()
        }
    }

    /// Header of a dictionary page: `struct DictionaryPageHeader`.
    public struct DictionaryPageHeader: Hashable, Sendable, ThriftCompactCodable {
        /// Number of dictionary entries (1).
        public var numValues: Int32
        /// Encoding of the entries (2): PLAIN (or PLAIN_DICTIONARY in old files).
        public var encoding: Encoding
        /// Whether the entries are sorted (3).
        public var isSorted: Bool?

        /// Creates a header.
        public init(numValues: Int32, encoding: Encoding = .plain, isSorted: Bool? = nil) {
            self.numValues = numValues
            self.encoding = encoding
            self.isSorted = isSorted
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var numValues: Int32?
            var encoding: Int32?
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: numValues = try decoder.readI32(type, field: "DictionaryPageHeader.num_values")
                case 2: encoding = try decoder.readI32(type, field: "DictionaryPageHeader.encoding")
                case 3: self.isSorted = try decoder.readBoolField(type)
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let numValues, let encoding else { throw missing("num_values/encoding", in: "DictionaryPageHeader") }
            self.numValues = numValues
            self.encoding = Encoding(rawValue: encoding)
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, i32: self.numValues)
            encoder.writeField(2, i32: self.encoding.rawValue)
            if let isSorted { encoder.writeField(3, bool: isSorted) }
            encoder.endStruct()
        }
    }

    /// Header of a version-2 data page: `struct DataPageHeaderV2`. Levels are stored uncompressed
    /// before the (optionally compressed) values.
    public struct DataPageHeaderV2: Hashable, Sendable, ThriftCompactCodable {
        /// Number of values including nulls (1).
        public var numValues: Int32
        /// Number of nulls (2).
        public var numNulls: Int32
        /// Number of rows (3).
        public var numRows: Int32
        /// Value encoding (4).
        public var encoding: Encoding
        /// Bytes of definition levels (5).
        public var definitionLevelsByteLength: Int32
        /// Bytes of repetition levels (6).
        public var repetitionLevelsByteLength: Int32
        /// Whether the values section is compressed (7); default true.
        public var isCompressed: Bool
        /// Page statistics (8).
        public var statistics: Statistics?

        /// Creates a header.
        public init(numValues: Int32, numNulls: Int32, numRows: Int32, encoding: Encoding,
                    definitionLevelsByteLength: Int32, repetitionLevelsByteLength: Int32,
                    isCompressed: Bool = true, statistics: Statistics? = nil) {
            self.numValues = numValues
            self.numNulls = numNulls
            self.numRows = numRows
            self.encoding = encoding
            self.definitionLevelsByteLength = definitionLevelsByteLength
            self.repetitionLevelsByteLength = repetitionLevelsByteLength
            self.isCompressed = isCompressed
            self.statistics = statistics
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var values: Int32?, nulls: Int32?, rows: Int32?, encoding: Int32?, defLength: Int32?, repLength: Int32?
            var compressed = true
            try decoder.beginStruct()
            while let (id, type) = try decoder.readFieldHeader() {
                switch id {
                case 1: values = try decoder.readI32(type, field: "DataPageHeaderV2.num_values")
                case 2: nulls = try decoder.readI32(type, field: "DataPageHeaderV2.num_nulls")
                case 3: rows = try decoder.readI32(type, field: "DataPageHeaderV2.num_rows")
                case 4: encoding = try decoder.readI32(type, field: "DataPageHeaderV2.encoding")
                case 5: defLength = try decoder.readI32(type, field: "DataPageHeaderV2.definition_levels_byte_length")
                case 6: repLength = try decoder.readI32(type, field: "DataPageHeaderV2.repetition_levels_byte_length")
                case 7: compressed = try decoder.readBoolField(type)
                case 8: self.statistics = try decoder.readStruct(type, field: "DataPageHeaderV2.statistics")
                default: try decoder.skip(type)
                }
            }
            decoder.endStruct()
            guard let values, let nulls, let rows, let encoding, let defLength, let repLength else {
                throw missing("counts/encoding/level lengths", in: "DataPageHeaderV2")
            }
            self.numValues = values
            self.numNulls = nulls
            self.numRows = rows
            self.encoding = Encoding(rawValue: encoding)
            self.definitionLevelsByteLength = defLength
            self.repetitionLevelsByteLength = repLength
            self.isCompressed = compressed
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, i32: self.numValues)
            encoder.writeField(2, i32: self.numNulls)
            encoder.writeField(3, i32: self.numRows)
            encoder.writeField(4, i32: self.encoding.rawValue)
            encoder.writeField(5, i32: self.definitionLevelsByteLength)
            encoder.writeField(6, i32: self.repetitionLevelsByteLength)
            encoder.writeField(7, bool: self.isCompressed)
            if let statistics { encoder.writeStructField(8, statistics) }
            encoder.endStruct()
        }
    }

    /// The header before every page: `struct PageHeader`.
    public struct PageHeader: Hashable, Sendable, ThriftCompactCodable {
        /// Page type (1).
        public var type: PageType
        /// Bytes of the page body before compression (2).
        public var uncompressedPageSize: Int32
        /// Bytes of the page body on disk (3).
        public var compressedPageSize: Int32
        /// CRC-32 of the page body (4).
        public var crc: Int32?
        /// Present for DATA_PAGE (5).
        public var dataPageHeader: DataPageHeader?
        /// Present for DICTIONARY_PAGE (7).
        public var dictionaryPageHeader: DictionaryPageHeader?
        /// Present for DATA_PAGE_V2 (8).
        public var dataPageHeaderV2: DataPageHeaderV2?

        /// Creates a header.
        public init(type: PageType, uncompressedPageSize: Int32, compressedPageSize: Int32,
                    dataPageHeader: DataPageHeader? = nil, dictionaryPageHeader: DictionaryPageHeader? = nil,
                    dataPageHeaderV2: DataPageHeaderV2? = nil) {
            self.type = type
            self.uncompressedPageSize = uncompressedPageSize
            self.compressedPageSize = compressedPageSize
            self.dataPageHeader = dataPageHeader
            self.dictionaryPageHeader = dictionaryPageHeader
            self.dataPageHeaderV2 = dataPageHeaderV2
        }

        /// Reads the struct.
        public init(from decoder: inout ThriftCompactDecoder) throws {
            var type: Int32?, uncompressed: Int32?, compressed: Int32?
            try decoder.beginStruct()
            while let (id, ftype) = try decoder.readFieldHeader() {
                switch id {
                case 1: type = try decoder.readI32(ftype, field: "PageHeader.type")
                case 2: uncompressed = try decoder.readI32(ftype, field: "PageHeader.uncompressed_page_size")
                case 3: compressed = try decoder.readI32(ftype, field: "PageHeader.compressed_page_size")
                case 4: self.crc = try decoder.readI32(ftype, field: "PageHeader.crc")
                case 5: self.dataPageHeader = try decoder.readStruct(ftype, field: "PageHeader.data_page_header")
                case 7: self.dictionaryPageHeader = try decoder.readStruct(ftype, field: "PageHeader.dictionary_page_header")
                case 8: self.dataPageHeaderV2 = try decoder.readStruct(ftype, field: "PageHeader.data_page_header_v2")
                default: try decoder.skip(ftype)
                }
            }
            decoder.endStruct()
            guard let type, let uncompressed, let compressed else { throw missing("type/sizes", in: "PageHeader") }
            guard uncompressed >= 0, compressed >= 0 else { throw ParquetError.corrupt("negative page size in PageHeader") }
            self.type = PageType(rawValue: type)
            self.uncompressedPageSize = uncompressed
            self.compressedPageSize = compressed
        }

        /// Writes the struct.
        public func encode(to encoder: inout ThriftCompactEncoder) {
            encoder.beginStruct()
            encoder.writeField(1, i32: self.type.rawValue)
            encoder.writeField(2, i32: self.uncompressedPageSize)
            encoder.writeField(3, i32: self.compressedPageSize)
            if let crc { encoder.writeField(4, i32: crc) }
            if let dataPageHeader { encoder.writeStructField(5, dataPageHeader) }
            if let dictionaryPageHeader { encoder.writeStructField(7, dictionaryPageHeader) }
            if let dataPageHeaderV2 { encoder.writeStructField(8, dataPageHeaderV2) }
            encoder.endStruct()
        }
    }
}
