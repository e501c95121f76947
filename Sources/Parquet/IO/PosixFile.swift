#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor with error-checked POSIX operations. Every failure becomes a
/// ``ParquetError`` naming the operation, the errno and the path.
final class PosixFile {
    private(set) var descriptor: Int32
    let path: String

    /// Opens `path` for reading.
    static func openForReading(_ path: String) throws -> PosixFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError.posix("opening for reading", path: path) }
        return PosixFile(descriptor: fd, path: path)
    }

    /// Creates `path` for writing; fails with `EEXIST` unless `overwrite` is set.
    static func create(_ path: String, overwrite: Bool) throws -> PosixFile {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw ParquetError.posix("creating", path: path) }
        return PosixFile(descriptor: fd, path: path)
    }

    /// Opens an existing file for reading and writing (used by recovery).
    static func openForUpdate(_ path: String) throws -> PosixFile {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError.posix("opening for update", path: path) }
        return PosixFile(descriptor: fd, path: path)
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        if self.descriptor >= 0 { _ = Glibc_close(self.descriptor) }
    }

    /// Closes the descriptor, reporting errors (some file systems report write errors only here).
    func close() throws {
        guard self.descriptor >= 0 else { return }
        let result = Glibc_close(self.descriptor)
        self.descriptor = -1
        guard result == 0 else { throw ParquetError.posix("closing", path: self.path) }
    }

    /// The file size in bytes.
    func size() throws -> Int64 {
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else { throw ParquetError.posix("reading the size of", path: self.path) }
        return Int64(info.st_size)
    }

    /// Writes all of `bytes` at the current position, retrying partial writes and EINTR.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let n = write(self.descriptor, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ParquetError.posix("writing", path: self.path)
            }
            offset += n
        }
    }

    /// Writes all of `bytes` at `offset` (pwrite), retrying partial writes and EINTR.
    func writeAll(_ bytes: [UInt8], at offset: Int64) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                guard let base = raw.baseAddress else { return }
                let n = pwrite(self.descriptor, base + done, raw.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ParquetError.posix("writing", path: self.path)
                }
                done += n
            }
        }
    }

    /// Reads exactly `count` bytes at `offset`.
    func read(count: Int, at offset: Int64) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        try buffer.withUnsafeMutableBytes { raw in
            while done < count {
                guard let base = raw.baseAddress else { return }
                let n = pread(self.descriptor, base + done, count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ParquetError.posix("reading", path: self.path)
                }
                if n == 0 { break }
                done += n
            }
        }
        guard done == count else {
            throw ParquetError.corrupt("file ends at byte \(offset + Int64(done)), expected \(count) bytes from offset \(offset)", path: self.path)
        }
        return buffer
    }

    /// Flushes written data to stable storage.
    func sync() throws {
        guard fsync(self.descriptor) == 0 else { throw ParquetError.posix("syncing", path: self.path) }
    }

    /// Syncs the directory containing `path`, so that a newly created file's directory entry is durable.
    static func syncDirectory(of path: String) throws {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError.posix("opening the directory of", path: path) }
        defer { _ = Glibc_close(fd) }
        guard fsync(fd) == 0 else { throw ParquetError.posix("syncing the directory of", path: path) }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int64) throws {
        guard ftruncate(self.descriptor, off_t(length)) == 0 else { throw ParquetError.posix("truncating", path: self.path) }
    }

    /// Moves the write position to `offset`.
    func seek(to offset: Int64) throws {
        guard lseek(self.descriptor, off_t(offset), SEEK_SET) >= 0 else { throw ParquetError.posix("seeking in", path: self.path) }
    }
}

/// `close` under a name that does not clash with methods called `close`.
@inline(__always)
private func Glibc_close(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}
