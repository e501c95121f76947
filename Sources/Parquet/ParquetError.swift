#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from reading, writing or repairing a Parquet file.
///
/// Every error says what failed and, where one is involved, which file. ``kind`` lets callers
/// react (for example stop recording on ``Kind/io`` with `ENOSPC`), and ``description`` is a
/// complete sentence for logs, e.g. `No space left on device (ENOSPC) writing /data/x.parquet`.
public struct ParquetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of a ``ParquetError``.
    public enum Kind: Sendable, Equatable {
        /// The operating system refused an operation (open, write, read, fsync, …).
        case io
        /// The file is not a Parquet file, or its bytes are inconsistent.
        case corruptFile
        /// The file uses a feature this library does not implement (a codec, an encoding, a type).
        case unsupported
        /// The caller passed something invalid (schema, value, column index, option).
        case invalidArgument
        /// Compression or decompression failed.
        case compression
    }

    /// The broad class of the error.
    public let kind: Kind
    /// What went wrong, as a sentence fragment without the path.
    public let message: String
    /// The file involved, if any.
    public let path: String?
    /// The `errno` value for ``Kind/io`` errors.
    public let errorNumber: Int32?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: the broad class.
    ///   - message: what went wrong.
    ///   - path: the file involved, if any.
    ///   - errorNumber: the `errno` value, for I/O errors.
    public init(_ kind: Kind, _ message: String, path: String? = nil, errorNumber: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.errorNumber = errorNumber
    }

    /// The message followed by the file, e.g. `Corrupt Parquet file: footer length 9999 exceeds file size 120 (/tmp/a.parquet)`.
    public var description: String {
        guard let path else { return self.message }
        if self.kind == .io { return "\(self.message) \(path)" }
        return "\(self.message) (\(path))"
    }

    /// Returns a copy that names `path` if the error does not name a file yet.
    func naming(_ path: String) -> ParquetError {
        self.path == nil ? ParquetError(self.kind, self.message, path: path, errorNumber: self.errorNumber) : self
    }

    /// An I/O error for the current `errno`: `"<strerror> (<ENAME>) <operation>"`; the path follows
    /// in ``description``.
    static func posix(_ operation: String, path: String, errorNumber: Int32 = errno) -> ParquetError {
        let reason = String(cString: strerror(errorNumber))
        let name = errnoName(errorNumber).map { " (\($0))" } ?? " (errno \(errorNumber))"
        return ParquetError(.io, "\(reason)\(name) \(operation)", path: path, errorNumber: errorNumber)
    }

    /// A corrupt-file error.
    static func corrupt(_ message: String, path: String? = nil) -> ParquetError {
        ParquetError(.corruptFile, "Corrupt Parquet data: \(message)", path: path)
    }

    private static func errnoName(_ code: Int32) -> String? {
        switch code {
        case ENOSPC: "ENOSPC"
        case EACCES: "EACCES"
        case ENOENT: "ENOENT"
        case EEXIST: "EEXIST"
        case EISDIR: "EISDIR"
        case ENOTDIR: "ENOTDIR"
        case EROFS: "EROFS"
        case EIO: "EIO"
        case EDQUOT: "EDQUOT"
        case EPERM: "EPERM"
        case EBADF: "EBADF"
        case EINVAL: "EINVAL"
        case EMFILE: "EMFILE"
        case ENFILE: "ENFILE"
        case EFBIG: "EFBIG"
        case EINTR: "EINTR"
        case ENAMETOOLONG: "ENAMETOOLONG"
        default: nil
        }
    }
}
