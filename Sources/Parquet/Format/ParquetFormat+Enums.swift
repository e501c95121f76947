/// The Parquet file-format metadata structures of `parquet.thrift` (apache/parquet-format),
/// with their Thrift compact encodings.
///
/// Only the parts a flat-schema reader and writer need are modelled; every other field is skipped
/// on read. Field ids follow parquet.thrift exactly.
public enum ParquetFormat {}

extension ParquetFormat {
    /// A physical (storage) type: `enum Type` in parquet.thrift.
    public enum PhysicalType: Int32, Sendable, CaseIterable, CustomStringConvertible {
        /// 1-bit boolean.
        case boolean = 0
        /// 32-bit signed integer.
        case int32 = 1
        /// 64-bit signed integer.
        case int64 = 2
        /// 96-bit integer (deprecated timestamps).
        case int96 = 3
        /// IEEE 32-bit float.
        case float = 4
        /// IEEE 64-bit float.
        case double = 5
        /// Variable-length bytes (strings).
        case byteArray = 6
        /// Fixed-length bytes.
        case fixedLenByteArray = 7

        /// The parquet.thrift spelling, e.g. `BYTE_ARRAY`.
        public var description: String {
            switch self {
            case .boolean: "BOOLEAN"
            case .int32: "INT32"
            case .int64: "INT64"
            case .int96: "INT96"
            case .float: "FLOAT"
            case .double: "DOUBLE"
            case .byteArray: "BYTE_ARRAY"
            case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
            }
        }
    }

    /// How often a field occurs: `enum FieldRepetitionType`.
    public enum Repetition: Int32, Sendable, CustomStringConvertible {
        /// Exactly once per row (no definition levels).
        case required = 0
        /// Zero or one time per row (nullable).
        case optional = 1
        /// Any number of times (not supported by this library's reader and writer).
        case repeated = 2

        /// The parquet.thrift spelling.
        public var description: String {
            switch self {
            case .required: "REQUIRED"
            case .optional: "OPTIONAL"
            case .repeated: "REPEATED"
            }
        }
    }

    /// A value encoding: `enum Encoding`. Kept open so unknown encodings in a file can be reported.
    public struct Encoding: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The parquet.thrift number.
        public var rawValue: Int32
        /// Creates an encoding from its number.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// PLAIN (0).
        public static let plain = Encoding(rawValue: 0)
        /// PLAIN_DICTIONARY (2), the Parquet 1.0 spelling of dictionary encoding.
        public static let plainDictionary = Encoding(rawValue: 2)
        /// RLE (3): the RLE/bit-packing hybrid.
        public static let rle = Encoding(rawValue: 3)
        /// BIT_PACKED (4), deprecated.
        public static let bitPacked = Encoding(rawValue: 4)
        /// DELTA_BINARY_PACKED (5).
        public static let deltaBinaryPacked = Encoding(rawValue: 5)
        /// DELTA_LENGTH_BYTE_ARRAY (6).
        public static let deltaLengthByteArray = Encoding(rawValue: 6)
        /// DELTA_BYTE_ARRAY (7).
        public static let deltaByteArray = Encoding(rawValue: 7)
        /// RLE_DICTIONARY (8).
        public static let rleDictionary = Encoding(rawValue: 8)
        /// BYTE_STREAM_SPLIT (9).
        public static let byteStreamSplit = Encoding(rawValue: 9)

        /// The parquet.thrift spelling, e.g. `RLE_DICTIONARY`.
        public var description: String {
            switch self.rawValue {
            case 0: "PLAIN"
            case 2: "PLAIN_DICTIONARY"
            case 3: "RLE"
            case 4: "BIT_PACKED"
            case 5: "DELTA_BINARY_PACKED"
            case 6: "DELTA_LENGTH_BYTE_ARRAY"
            case 7: "DELTA_BYTE_ARRAY"
            case 8: "RLE_DICTIONARY"
            case 9: "BYTE_STREAM_SPLIT"
            default: "encoding \(self.rawValue)"
            }
        }
    }

    /// A page compression codec: `enum CompressionCodec`.
    public struct CompressionCodec: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The parquet.thrift number.
        public var rawValue: Int32
        /// Creates a codec from its number.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// UNCOMPRESSED (0).
        public static let uncompressed = CompressionCodec(rawValue: 0)
        /// SNAPPY (1).
        public static let snappy = CompressionCodec(rawValue: 1)
        /// GZIP (2).
        public static let gzip = CompressionCodec(rawValue: 2)
        /// ZSTD (6).
        public static let zstd = CompressionCodec(rawValue: 6)

        /// The parquet.thrift spelling, e.g. `ZSTD`.
        public var description: String {
            switch self.rawValue {
            case 0: "UNCOMPRESSED"
            case 1: "SNAPPY"
            case 2: "GZIP"
            case 3: "LZO"
            case 4: "BROTLI"
            case 5: "LZ4"
            case 6: "ZSTD"
            case 7: "LZ4_RAW"
            default: "codec \(self.rawValue)"
            }
        }
    }

    /// The kind of a page: `enum PageType`.
    public struct PageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The parquet.thrift number.
        public var rawValue: Int32
        /// Creates a page type from its number.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// DATA_PAGE (0), version 1.
        public static let dataPage = PageType(rawValue: 0)
        /// INDEX_PAGE (1).
        public static let indexPage = PageType(rawValue: 1)
        /// DICTIONARY_PAGE (2).
        public static let dictionaryPage = PageType(rawValue: 2)
        /// DATA_PAGE_V2 (3).
        public static let dataPageV2 = PageType(rawValue: 3)

        /// The parquet.thrift spelling.
        public var description: String {
            switch self.rawValue {
            case 0: "DATA_PAGE"
            case 1: "INDEX_PAGE"
            case 2: "DICTIONARY_PAGE"
            case 3: "DATA_PAGE_V2"
            default: "page type \(self.rawValue)"
            }
        }
    }

    /// The legacy type annotation: `enum ConvertedType`. Writers still set it next to
    /// ``LogicalType`` for old readers.
    public struct ConvertedType: RawRepresentable, Hashable, Sendable {
        /// The parquet.thrift number.
        public var rawValue: Int32
        /// Creates a converted type from its number.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// UTF8 (0): a BYTE_ARRAY holding UTF-8 text.
        public static let utf8 = ConvertedType(rawValue: 0)
        /// TIMESTAMP_MILLIS (9).
        public static let timestampMillis = ConvertedType(rawValue: 9)
        /// TIMESTAMP_MICROS (10).
        public static let timestampMicros = ConvertedType(rawValue: 10)
        /// INT_32 (17).
        public static let int32 = ConvertedType(rawValue: 17)
        /// INT_64 (18).
        public static let int64 = ConvertedType(rawValue: 18)
        /// JSON (19).
        public static let json = ConvertedType(rawValue: 19)
        /// ENUM (4).
        public static let enumeration = ConvertedType(rawValue: 4)
    }

    /// The unit of a TIMESTAMP or TIME logical type: `union TimeUnit`.
    public enum TimeUnit: Int16, Sendable, Hashable, CustomStringConvertible {
        /// Milliseconds (union field 1).
        case milliseconds = 1
        /// Microseconds (union field 2).
        case microseconds = 2
        /// Nanoseconds (union field 3).
        case nanoseconds = 3

        /// `ms`, `us` or `ns`.
        public var description: String {
            switch self {
            case .milliseconds: "ms"
            case .microseconds: "us"
            case .nanoseconds: "ns"
            }
        }
    }

    /// The modern type annotation: `union LogicalType`.
    public enum LogicalType: Hashable, Sendable {
        /// STRING (1): UTF-8 text in a BYTE_ARRAY.
        case string
        /// ENUM (4).
        case enumeration
        /// DECIMAL (5).
        case decimal(scale: Int32, precision: Int32)
        /// DATE (6).
        case date
        /// TIME (7).
        case time(isAdjustedToUTC: Bool, unit: TimeUnit)
        /// TIMESTAMP (8): an INT64 count of `unit` since the Unix epoch.
        case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
        /// INTEGER (10).
        case integer(bitWidth: Int8, isSigned: Bool)
        /// UNKNOWN (11): always null.
        case unknown
        /// JSON (12).
        case json
        /// Any other member of the union, by field id (its payload is skipped).
        case other(fieldId: Int16)
    }
}
