import Logging
import MarketCore
import Synchronization
import Testing
import Trading

/// A log handler that keeps every record, for checking what the engine logs.
final class CapturingLogHandler: LogHandler, Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    let records = Mutex<[Record]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .info }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let flat = (event.metadata ?? [:]).mapValues { "\($0)" }
        records.withLock { $0.append(Record(level: event.level, message: "\(event.message)", metadata: flat)) }
    }
}

@Suite struct DecisionLoggingTests {
    @Test func oneHumanLinePerDecisionWithStructuredFields() throws {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "test", factory: { _ in handler })
        var strategy = ScriptedStrategy()
        strategy.bids = [level(302_410, 100)]
        strategy.askReason = .positionLimit
        let engine = Engine(
            spec: try ethSpec(), strategy: strategy, configuration: testConfiguration(),
            ids: ClientOrderIDGenerator(start: 1000), logger: logger)
        engine.handle(.bookSnapshot(BookSnapshot(
            receivedAt: at(0), exchangeTimeMs: baseMs, sequence: 1,
            bids: [BookLevel(price: px(302_400), size: qty(10_000))],
            asks: [BookLevel(price: px(302_500), size: qty(10_000))])))

        let records = handler.records.withLock { $0 }
        let place = try #require(records.first { $0.metadata["kind"] == "place" })
        #expect(place.level == .info)
        #expect(place.message.hasPrefix("buy: place 0.0100@3024.10"))
        #expect(place.metadata["market"] == "ETH")
        #expect(place.metadata["side"] == "buy")
        #expect(place.metadata["order_id"].flatMap { Int64($0) } != nil)
        // Holds and no-quotes are debug lines: not emitted at the info level.
        #expect(!records.contains { $0.metadata["side"] == "sell" && $0.level < .info })
    }
}
