/// The buffered values of one column for the row group being built, in manually managed memory
/// so that appending is a bounds check, a store and an increment (no reference counting, no
/// exclusivity checks, no copy-on-write checks).
///
/// Values of OPTIONAL columns are stored densely (nulls take no slot) with one definition level
/// per row (1 = present, 0 = null).
@usableFromInline
struct ColumnBufferHeader {
    @usableFromInline var values: UnsafeMutableRawPointer
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    @usableFromInline var levels: UnsafeMutablePointer<UInt8>
    @usableFromInline var levelCount: Int
    @usableFromInline var levelCapacity: Int
    /// Nulls appended to a REQUIRED column; reported as an error at the next flush.
    @usableFromInline var rejectedNulls: Int
    /// Payload bytes of variable-length values (strings), for the row-group byte limit.
    @usableFromInline var variableBytes: Int
    @usableFromInline let isOptional: Bool
}

/// Owns a column buffer: allocates it, grows it and frees it.
final class ColumnStorage<Value> {
    let header: UnsafeMutablePointer<ColumnBufferHeader>

    init(isOptional: Bool) {
        self.header = .allocate(capacity: 1)
        self.header.initialize(to: ColumnBufferHeader(
            values: UnsafeMutableRawPointer(UnsafeMutablePointer<Value>.allocate(capacity: 16)), count: 0, capacity: 16,
            levels: .allocate(capacity: 16), levelCount: 0, levelCapacity: 16, rejectedNulls: 0, variableBytes: 0,
            isOptional: isOptional))
    }

    deinit {
        let values = self.header.pointee.values.assumingMemoryBound(to: Value.self)
        values.deinitialize(count: self.header.pointee.count)
        values.deallocate()
        self.header.pointee.levels.deallocate()
        self.header.deinitialize(count: 1)
        self.header.deallocate()
    }

    var isOptional: Bool { self.header.pointee.isOptional }
    var rejectedNulls: Int { self.header.pointee.rejectedNulls }
    var variableBytes: Int { self.header.pointee.variableBytes }
    var valueCount: Int { self.header.pointee.count }
    /// Rows buffered so far.
    var rowCount: Int { self.isOptional ? self.header.pointee.levelCount : self.header.pointee.count }

    /// The buffered non-null values.
    var values: UnsafeBufferPointer<Value> {
        UnsafeBufferPointer(start: self.header.pointee.values.assumingMemoryBound(to: Value.self), count: self.header.pointee.count)
    }

    /// The definition levels (OPTIONAL columns only).
    var levels: UnsafeBufferPointer<UInt8>? {
        self.isOptional ? UnsafeBufferPointer(start: self.header.pointee.levels, count: self.header.pointee.levelCount) : nil
    }

    func reserve(rows: Int) {
        ColumnStorage.growValues(self.header, Value.self, to: rows)
        if self.isOptional { ColumnStorage.growLevels(self.header, to: rows) }
    }

    func reset() {
        self.header.pointee.values.assumingMemoryBound(to: Value.self).deinitialize(count: self.header.pointee.count)
        self.header.pointee.count = 0
        self.header.pointee.levelCount = 0
        self.header.pointee.rejectedNulls = 0
        self.header.pointee.variableBytes = 0
    }

    /// Grows the value buffer to hold at least `minimum` values (doubling).
    static func growValues(_ header: UnsafeMutablePointer<ColumnBufferHeader>, _ type: Value.Type, to minimum: Int) {
        guard minimum > header.pointee.capacity else { return }
        let capacity = max(minimum, header.pointee.capacity * 2)
        let fresh = UnsafeMutablePointer<Value>.allocate(capacity: capacity)
        let old = header.pointee.values.assumingMemoryBound(to: Value.self)
        fresh.moveInitialize(from: old, count: header.pointee.count)
        old.deallocate()
        header.pointee.values = UnsafeMutableRawPointer(fresh)
        header.pointee.capacity = capacity
    }

    /// Grows the level buffer to hold at least `minimum` levels (doubling).
    static func growLevels(_ header: UnsafeMutablePointer<ColumnBufferHeader>, to minimum: Int) {
        guard minimum > header.pointee.levelCapacity else { return }
        let capacity = max(minimum, header.pointee.levelCapacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        fresh.moveInitialize(from: header.pointee.levels, count: header.pointee.levelCount)
        header.pointee.levels.deallocate()
        header.pointee.levels = fresh
        header.pointee.levelCapacity = capacity
    }
}

/// A typed handle for appending values to one column of a ``ParquetWriter``.
///
/// Get one per column once, with ``ParquetWriter/column(_:as:)`` or
/// ``ParquetWriter/column(named:as:)``, then append one value per row and call
/// ``ParquetWriter/endRow()`` after each row. An append stores into a typed buffer whose capacity
/// is reserved once per row group: no allocation, no reference counting.
///
/// ```swift
/// let ts = try writer.column(named: "ts_ns", as: Int64.self)
/// let px = try writer.column(named: "price", as: Double.self)
/// ts.append(1_700_000_000_000_000_000)
/// px.append(3024.66)
/// try writer.endRow()
/// ```
///
/// The handle points into the writer's buffers: use it on the writer's thread, and only while the
/// writer is alive (appending after the writer has been deallocated is undefined behaviour).
public struct ParquetColumnWriter<Value> {
    @usableFromInline let buffer: UnsafeMutablePointer<ColumnBufferHeader>
    /// The column's position in the schema.
    public let index: Int

    init(storage: ColumnStorage<Value>, index: Int) {
        self.buffer = storage.header
        self.index = index
    }

    /// Appends a value for the current row.
    @inlinable
    public func append(_ value: Value) {
        let header = self.buffer
        let n = header.pointee.count
        if n == header.pointee.capacity { Self.grow(header, to: n + 1) }
        (header.pointee.values.assumingMemoryBound(to: Value.self) + n).initialize(to: value)
        header.pointee.count = n + 1
        if header.pointee.isOptional { Self.appendLevel(header, 1) }
    }

    /// Appends a value or a null for the current row.
    ///
    /// A null in a REQUIRED column is rejected: the next ``ParquetWriter/flushRowGroup()`` throws.
    @inlinable
    public func append(_ value: Value?) {
        if let value { self.append(value) } else { self.appendNull() }
    }

    /// Appends a null for the current row (OPTIONAL columns only; see ``append(_:)-(Value?)``).
    @inlinable
    public func appendNull() {
        let header = self.buffer
        if header.pointee.isOptional {
            Self.appendLevel(header, 0)
        } else {
            header.pointee.rejectedNulls += 1
        }
    }

    /// Appends many values at once (one per row).
    public func append(contentsOf values: some Collection<Value>) {
        for value in values { self.append(value) }
    }

    /// Rows buffered in this column for the current row group.
    public var bufferedCount: Int {
        self.buffer.pointee.isOptional ? self.buffer.pointee.levelCount : self.buffer.pointee.count
    }

    @inlinable
    static func appendLevel(_ header: UnsafeMutablePointer<ColumnBufferHeader>, _ level: UInt8) {
        let n = header.pointee.levelCount
        if n == header.pointee.levelCapacity { Self.growLevels(header, to: n + 1) }
        header.pointee.levels[n] = level
        header.pointee.levelCount = n + 1
    }

    @usableFromInline
    static func grow(_ header: UnsafeMutablePointer<ColumnBufferHeader>, to minimum: Int) {
        ColumnStorage<Value>.growValues(header, Value.self, to: minimum)
    }

    @usableFromInline
    static func growLevels(_ header: UnsafeMutablePointer<ColumnBufferHeader>, to minimum: Int) {
        ColumnStorage<Value>.growLevels(header, to: minimum)
    }
}

extension ParquetColumnWriter where Value == String {
    /// Appends a string for the current row.
    @inlinable
    public func append(_ value: String) {
        self.buffer.pointee.variableBytes &+= value.utf8.count
        let header = self.buffer
        let n = header.pointee.count
        if n == header.pointee.capacity { Self.grow(header, to: n + 1) }
        (header.pointee.values.assumingMemoryBound(to: String.self) + n).initialize(to: value)
        header.pointee.count = n + 1
        if header.pointee.isOptional { Self.appendLevel(header, 1) }
    }

    /// Appends a string or a null for the current row.
    @inlinable
    public func append(_ value: String?) {
        if let value { self.append(value) } else { self.appendNull() }
    }
}
