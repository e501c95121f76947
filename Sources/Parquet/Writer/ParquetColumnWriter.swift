/// The buffered values of one column for the row group being built.
///
/// Values of OPTIONAL columns are stored densely (nulls take no slot in ``values``) with one
/// definition level per row (1 = present, 0 = null).
@usableFromInline
final class ColumnStorage<Value> {
    @usableFromInline var values: [Value] = []
    @usableFromInline var definitionLevels: [UInt8] = []
    @usableFromInline let isOptional: Bool
    /// Nulls appended to a REQUIRED column; reported as an error at the next flush.
    @usableFromInline var rejectedNulls = 0
    /// Payload bytes of variable-length values (strings), for the row-group byte limit.
    @usableFromInline var variableBytes = 0

    init(isOptional: Bool) {
        self.isOptional = isOptional
    }

    /// Rows buffered so far.
    var rowCount: Int { self.isOptional ? self.definitionLevels.count : self.values.count }

    func reserve(rows: Int) {
        self.values.reserveCapacity(rows)
        if self.isOptional { self.definitionLevels.reserveCapacity(rows) }
    }

    func reset() {
        self.values.removeAll(keepingCapacity: true)
        self.definitionLevels.removeAll(keepingCapacity: true)
        self.rejectedNulls = 0
        self.variableBytes = 0
    }
}

/// A typed handle for appending values to one column of a ``ParquetWriter``.
///
/// Get one per column once, with ``ParquetWriter/column(_:as:)`` or
/// ``ParquetWriter/column(named:as:)``, then append one value per row and call
/// ``ParquetWriter/endRow()`` after each row. Appends only touch a typed array (`[Double]`,
/// `[Int64]`, …) whose capacity is reserved once per row group, so they do not allocate.
///
/// ```swift
/// let ts = try writer.column(named: "ts_ns", as: Int64.self)
/// let px = try writer.column(named: "price", as: Double.self)
/// ts.append(1_700_000_000_000_000_000)
/// px.append(3024.66)
/// try writer.endRow()
/// ```
///
/// The handle refers to the writer's buffers; it must be used on the writer's thread.
public struct ParquetColumnWriter<Value> {
    @usableFromInline let storage: ColumnStorage<Value>
    /// The column's position in the schema.
    public let index: Int
    /// The column's name.
    public let name: String

    init(storage: ColumnStorage<Value>, index: Int, name: String) {
        self.storage = storage
        self.index = index
        self.name = name
    }

    /// Appends a value for the current row.
    @inlinable
    public func append(_ value: Value) {
        self.storage.values.append(value)
        if self.storage.isOptional { self.storage.definitionLevels.append(1) }
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
        if self.storage.isOptional {
            self.storage.definitionLevels.append(0)
        } else {
            self.storage.rejectedNulls += 1
        }
    }

    /// Appends many values at once (one per row).
    public func append(contentsOf values: some Collection<Value>) {
        self.storage.values.append(contentsOf: values)
        if self.storage.isOptional { self.storage.definitionLevels.append(contentsOf: repeatElement(1, count: values.count)) }
    }

    /// Rows buffered in this column for the current row group.
    public var bufferedCount: Int { self.storage.rowCount }
}

extension ParquetColumnWriter where Value == String {
    /// Appends a string for the current row.
    @inlinable
    public func append(_ value: String) {
        self.storage.variableBytes &+= value.utf8.count
        self.storage.values.append(value)
        if self.storage.isOptional { self.storage.definitionLevels.append(1) }
    }

    /// Appends a string or a null for the current row.
    @inlinable
    public func append(_ value: String?) {
        if let value { self.append(value) } else { self.appendNull() }
    }
}
