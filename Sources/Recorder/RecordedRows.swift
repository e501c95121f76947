import MarketCore
import Parquet

/// A failure reading a recorded dataset.
public struct RecordedDataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the file or directory.
    public var description: String

    /// An error.
    public init(_ description: String) {
        self.description = description
    }
}

/// One decoded `book_events` row.
struct BookEventRow {
    var ts: Int64
    var exchangeTs: Int64?
    var kind: BookEventKind
    var seq: Int64?
    var nonce: Int64?
    var beginNonce: Int64?
    var firstUpdateID: Int64?
    var previousUpdateID: Int64?
    var side: Side?
    var price: Double?
    var size: Double?
    var reason: String?
    var receiveSequence: Int64?

    /// Whether `other` belongs to the same message (snapshot rows are grouped this way).
    func sameMessage(as other: BookEventRow) -> Bool {
        ts == other.ts && kind == other.kind && seq == other.seq && nonce == other.nonce
    }
}

/// One decoded `trades` row.
struct TradeRow {
    var ts: Int64
    var exchangeTs: Int64?
    var tradeID: Int64
    var price: Double
    var size: Double
    var takerSide: Side
    var receiveSequence: Int64?
}

/// Reads the rows of a sequence of part files, one row group at a time.
struct RowGroupCursor<Row> {
    let files: [String]
    let decode: (ParquetReader, Int) throws -> [Row]
    private var fileIndex = 0
    private var reader: ParquetReader?
    private var rowGroup = 0
    private var rows: [Row] = []
    private var position = 0

    init(files: [String], decode: @escaping (ParquetReader, Int) throws -> [Row]) {
        self.files = files
        self.decode = decode
    }

    /// The next row without consuming it; nil at the end.
    mutating func peek() throws -> Row? {
        while position >= rows.count {
            if let reader, rowGroup < reader.rowGroupCount {
                do { rows = try decode(reader, rowGroup) } catch {
                    throw RecordedDataError("\(reader.path): row group \(rowGroup): \(error)")
                }
                position = 0
                rowGroup += 1
                continue
            }
            guard fileIndex < files.count else { return nil }
            do { reader = try ParquetReader(path: files[fileIndex]) } catch {
                throw RecordedDataError("\(files[fileIndex]): \(error)")
            }
            fileIndex += 1
            rowGroup = 0
        }
        return rows[position]
    }

    /// The next row, consumed.
    mutating func next() throws -> Row? {
        guard let row = try peek() else { return nil }
        position += 1
        return row
    }
}

enum RowDecoding {
    static func side(_ text: String?) -> Side? {
        switch text {
        case "bid", "buy": .buy
        case "ask", "sell": .sell
        default: nil
        }
    }

    static func bookEvents(_ reader: ParquetReader, _ group: Int) throws -> [BookEventRow] {
        func int64(_ name: String) throws -> [Int64?] { try reader.readColumn(named: name, rowGroup: group).optionalValues(as: Int64.self) }
        func double(_ name: String) throws -> [Double?] { try reader.readColumn(named: name, rowGroup: group).optionalValues(as: Double.self) }
        func string(_ name: String) throws -> [String?] { try reader.readColumn(named: name, rowGroup: group).optionalValues(as: String.self) }
        let ts = try int64("ts_ns")
        let exchangeTs = try int64("exchange_ts_ms")
        let kind = try string("kind")
        let seq = try int64("seq")
        let nonce = try int64("nonce")
        let beginNonce = try int64("begin_nonce")
        let first = try int64("first_update_id")
        let previous = try int64("prev_update_id")
        let side = try string("side")
        let price = try double("price")
        let size = try double("size")
        let reason = try string("reason")
        let receiveSequence = reader.schema.index(of: "recv_seq") == nil ? nil : try int64("recv_seq")
        var rows: [BookEventRow] = []
        rows.reserveCapacity(ts.count)
        for i in 0..<ts.count {
            guard let t = ts[i], let kindText = kind[i], let k = BookEventKind(rawValue: kindText) else {
                throw RecordedDataError("\(reader.path): row \(i) of row group \(group) has no ts_ns or an unknown kind")
            }
            rows.append(
                BookEventRow(
                    ts: t, exchangeTs: exchangeTs[i], kind: k, seq: seq[i], nonce: nonce[i], beginNonce: beginNonce[i],
                    firstUpdateID: first[i], previousUpdateID: previous[i], side: Self.side(side[i]), price: price[i],
                    size: size[i], reason: reason[i], receiveSequence: receiveSequence?[i] ?? nil))
        }
        return rows
    }

    static func trades(_ reader: ParquetReader, _ group: Int) throws -> [TradeRow] {
        let ts = try reader.readColumn(named: "ts_ns", rowGroup: group).values(as: Int64.self)
        let exchangeTs = try reader.readColumn(named: "exchange_ts_ms", rowGroup: group).optionalValues(as: Int64.self)
        let ids = try reader.readColumn(named: "trade_id", rowGroup: group).values(as: Int64.self)
        let price = try reader.readColumn(named: "price", rowGroup: group).values(as: Double.self)
        let size = try reader.readColumn(named: "size", rowGroup: group).values(as: Double.self)
        let side = try reader.readColumn(named: "taker_side", rowGroup: group).values(as: String.self)
        let receiveSequence =
            reader.schema.index(of: "recv_seq") == nil
            ? nil : try reader.readColumn(named: "recv_seq", rowGroup: group).optionalValues(as: Int64.self)
        var rows: [TradeRow] = []
        rows.reserveCapacity(ts.count)
        for i in 0..<ts.count {
            rows.append(
                TradeRow(
                    ts: ts[i], exchangeTs: exchangeTs[i], tradeID: ids[i], price: price[i], size: size[i],
                    takerSide: Self.side(side[i]) ?? .buy, receiveSequence: receiveSequence?[i] ?? nil))
        }
        return rows
    }
}
