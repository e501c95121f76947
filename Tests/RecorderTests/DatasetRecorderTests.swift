import Foundation
import MarketCore
import Parquet
import Recorder
import Testing

private let ethInfo = RecordedMarketInfo(venue: "lighter", symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4)
private func level(_ price: Int64, _ size: Int64) -> BookLevel { BookLevel(price: Price(ticks: price), size: Quantity(lots: size)) }

/// 2026-11-21T23:59:58Z, two seconds before a UTC date change (1795305598 s since the epoch:
/// 20778 days × 86400 + 86398).
private let beforeMidnight = Timestamp(nanoseconds: 1_795_305_598_000_000_000)

@Suite struct DatasetRecorderTests {
    @Test func datesAreUTCCalendarDays() {
        // Reference values: Python `datetime.fromtimestamp(s, timezone.utc).date()`.
        #expect(DatasetLayout.dateString(Timestamp(nanoseconds: 0)) == "1970-01-01")
        #expect(DatasetLayout.dateString(beforeMidnight) == "2026-11-21")
        #expect(DatasetLayout.dateString(beforeMidnight + 2_000_000_000) == "2026-11-22")
        #expect(DatasetLayout.dateString(Timestamp(nanoseconds: 951_782_400_000_000_000)) == "2000-02-29")
        #expect(DatasetLayout.dateString(Timestamp(nanoseconds: -1)) == "1969-12-31")
        #expect(
            DatasetLayout.partitionDirectory(root: "/d", venue: "lighter", table: .bookTop10, symbol: "ETH", day: beforeMidnight)
                == "/d/lighter/book_top10/market=ETH/date=2026-11-21")
    }

    @Test func partsRollAtTheUTCDateChangeAndOnAgeAndEachStartsWithTheBook() throws {
        let root = try makeTemporaryDirectory("rotation")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(start: beforeMidnight)
        var options = RecorderOptions(root: root)
        options.maxFileDuration = 1_500_000_000
        let recorder = DatasetRecorder(options: options, markets: [ethInfo], clock: clock)
        recorder.recordSnapshot(
            symbol: "ETH", receivedAt: clock.now, exchangeTimeMs: nil, sequence: BookSequence(seq: 1, nonce: 10),
            bids: [level(300_000, 100)], asks: [level(300_100, 100)])
        // One update every 250 ms for 4 s: crosses midnight at 2 s; parts last at most 1.5 s.
        for step in 1...16 {
            clock.advance(byNanoseconds: 250_000_000)
            recorder.recordUpdate(
                symbol: "ETH", receivedAt: clock.now, exchangeTimeMs: nil,
                sequence: BookSequence(seq: Int64(1 + step), nonce: Int64(10 + step)), bids: [level(300_000 - Int64(step), 5)],
                asks: [])
            recorder.tick()
        }
        recorder.close()
        let parts = files(under: root) { $0.hasPrefix("part-") }.filter { $0.contains("/book_events/") }
        let dates = Set(parts.map { ($0 as NSString).deletingLastPathComponent.components(separatedBy: "date=").last ?? "" })
        #expect(dates == ["2026-11-21", "2026-11-22"])
        // 0–1.5 s, 1.5–2 s (date change), 2–3.5 s, 3.5–4 s.
        #expect(parts.count == 4)
        #expect(files(under: root) { $0.hasSuffix(".inprogress") }.isEmpty)
        for path in parts {
            let reader = try ParquetReader(path: path)
            let kinds = try reader.readColumn(named: "kind", rowGroup: 0).values(as: String.self)
            #expect(kinds.first == "snapshot" || kinds.first == "checkpoint", "\(path) starts with \(kinds.first ?? "nothing")")
            let ts = try reader.readColumn(named: "ts_ns", rowGroup: 0).values(as: Int64.self)
            // Every row of a part is on the part's date, and the name is its first row's time.
            let day = DatasetLayout.dateString(Timestamp(nanoseconds: ts[0]))
            #expect(ts.allSatisfy { DatasetLayout.dateString(Timestamp(nanoseconds: $0)) == day })
            #expect(path.contains("date=\(day)/part-\(ts[0]).parquet"))
        }
        // The last part replays to the final book on its own.
        var replay = try RecordedMarket(root: root, market: "ETH", from: beforeMidnight + 3_600_000_000)
        var book = OrderBook()
        while let event = replay.nextEvent() { book.apply(event) }
        #expect(book.bids.levels().count == 17)
        #expect(book.bids.levels().last == level(299_984, 5))
    }

    @Test func unwritableRootIsReportedAndWritingResumesWithAResyncMarker() throws {
        let parent = try makeTemporaryDirectory("unwritable")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        // The root is a regular file: no directory can be created under it.
        let root = parent + "/data"
        #expect(FileManager.default.createFile(atPath: root, contents: Data("not a directory".utf8)))
        let clock = ManualClock(start: Timestamp(nanoseconds: beforeMidnight.nanoseconds - 3_600_000_000_000))
        var options = RecorderOptions(root: root)
        options.retryInterval = 1_000_000_000
        let recorder = DatasetRecorder(options: options, markets: [ethInfo], clock: clock)
        recorder.recordSnapshot(
            symbol: "ETH", receivedAt: clock.now, exchangeTimeMs: nil, sequence: BookSequence(seq: 1, nonce: 10),
            bids: [level(300_000, 100)], asks: [level(300_100, 100)])
        let failed = try #require(recorder.statistics["ETH"]?.tables[.bookEvents])
        #expect(failed.droppedRows >= 1)
        #expect(failed.lastError?.contains("cannot create directory \(root)/lighter/book_events/market=ETH") == true)
        #expect(failed.lastError?.hasSuffix(": \(root) exists and is not a directory") == true)
        #expect(recorder.statusLines().first?.contains("DROPPED") == true)

        // The disk is fixed; after the retry interval the next update opens a file that first
        // says rows were lost, then holds the book as the recorder knows it.
        try FileManager.default.removeItem(atPath: root)
        clock.advance(byNanoseconds: 2_000_000_000)
        recorder.recordUpdate(
            symbol: "ETH", receivedAt: clock.now, exchangeTimeMs: nil, sequence: BookSequence(seq: 2, nonce: 11),
            bids: [level(299_990, 7)], asks: [])
        recorder.close()
        let parts = files(under: root) { $0.hasPrefix("part-") }.filter { $0.contains("/book_events/") }
        #expect(parts.count == 1)
        let reader = try ParquetReader(path: try #require(parts.first))
        let kinds = try reader.readColumn(named: "kind", rowGroup: 0).values(as: String.self)
        #expect(kinds == ["resync", "checkpoint", "checkpoint", "delta"])
        let reasons = try reader.readColumn(named: "reason", rowGroup: 0).optionalValues(as: String.self)
        #expect(reasons.first??.contains("rows lost") == true)
    }

    @Test func inspectorCountsSequenceGapsAndResyncMarkers() throws {
        let root = try makeTemporaryDirectory("inspect")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(start: Timestamp(nanoseconds: beforeMidnight.nanoseconds - 3_600_000_000_000))
        let recorder = DatasetRecorder(options: RecorderOptions(root: root), markets: [ethInfo], clock: clock)
        func update(_ seq: Int64, nonce: Int64, begin: Int64) {
            clock.advance(byNanoseconds: 1_000_000)
            recorder.recordUpdate(
                symbol: "ETH", receivedAt: clock.now, exchangeTimeMs: nil, sequence: BookSequence(seq: seq, nonce: nonce, beginNonce: begin),
                bids: [level(300_000, seq)], asks: [])
        }
        recorder.recordSnapshot(
            symbol: "ETH", receivedAt: clock.now, exchangeTimeMs: nil, sequence: BookSequence(seq: 1, nonce: 100),
            bids: [level(300_000, 1)], asks: [level(300_100, 1)])
        update(2, nonce: 105, begin: 100)
        update(3, nonce: 110, begin: 105)
        update(4, nonce: 120, begin: 112)  // gap: 110 → 112
        update(5, nonce: 121, begin: 120)
        update(5, nonce: 121, begin: 120)  // repeated message: skipped
        clock.advance(byNanoseconds: 1_000_000)
        recorder.recordUpdate(  // repeated, identified by its nonce only: skipped
            symbol: "ETH", receivedAt: clock.now, exchangeTimeMs: nil, sequence: BookSequence(nonce: 121, beginNonce: 120),
            bids: [level(300_000, 77)], asks: [])
        recorder.recordResync(symbol: "ETH", receivedAt: clock.now, reason: "test")
        recorder.recordTrade(
            Trade(receivedAt: clock.now, exchangeTimeMs: 1, tradeID: 9, price: Price(ticks: 300_000), size: Quantity(lots: 1), takerSide: .buy),
            symbol: "ETH")
        recorder.close()
        #expect(recorder.statistics["ETH"]?.duplicateBookMessages == 2)
        let entries = try DatasetInspector.inspect(root: root)
        #expect(entries.map(\.table) == [.bookEvents, .bookTop10, .trades])
        let events = try #require(entries.first)
        #expect(events.messages == 5)
        #expect(events.sequenceGaps == 1)
        #expect(events.resyncMarkers == 1)
        #expect(events.rows == 7)
        #expect(events.dates == ["2026-11-21"])
        let report = DatasetInspector.report(entries)
        #expect(report.contains("lighter/book_events/market=ETH\n"))
        #expect(report.contains("messages: 5, resync markers: 1, sequence gaps: 1"))
        #expect(report.contains("lighter/trades/market=ETH\n  files: 1"))
        #expect(report.contains("2026-11-21T22:59:58.000Z .. 2026-11-21T22:59:58.006Z"))
    }

    @Test func repairDiscardsAFileWithoutCompleteRowGroupsAndLeavesNothingForReaders() throws {
        let root = try makeTemporaryDirectory("discard")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/lighter/trades/market=ETH/date=2026-11-21"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let garbage = directory + "/.part-1.parquet.inprogress"
        #expect(FileManager.default.createFile(atPath: garbage, contents: Data("PAR1 torn".utf8)))
        let outcomes = DatasetRepair.repair(root: root)
        #expect(outcomes.count == 1)
        #expect(outcomes.first?.finalPath == directory + "/.part-1.parquet.discarded")
        #expect(outcomes.first?.description.hasPrefix("discarded ") == true)
        #expect(files(under: root) { $0.hasSuffix(".parquet") }.isEmpty)
        #expect(DatasetRepair.repair(root: root).isEmpty)
    }
}
