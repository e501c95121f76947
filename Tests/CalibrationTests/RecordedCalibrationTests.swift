import Calibration
import Foundation
import MarketCore
import Recorder
import Simulation
import Testing

/// Calibration from a dataset written by the recorder: the same result as from the events directly.
@Suite struct RecordedCalibrationTests {
    /// Records `configuration`'s synthetic market under `root` (as `lighter-mm collect` would) and returns its events.
    static func record(_ configuration: SyntheticMarketConfiguration, seed: UInt64, root: String) throws -> [MarketEvent] {
        let spec = configuration.spec
        var source = try SyntheticMarket(configuration: configuration, seed: seed)
        var events: [MarketEvent] = []
        while let event = source.nextEvent() { events.append(event) }
        let first = try #require(events.first)
        let clock = ManualClock(start: first.receivedAt)
        let recorder = DatasetRecorder(
            options: RecorderOptions(root: root),
            markets: [
                RecordedMarketInfo(
                    venue: "lighter", symbol: spec.symbol, marketID: spec.marketID, priceDecimals: spec.priceDecimals,
                    sizeDecimals: spec.sizeDecimals)
            ], clock: clock)
        for (index, event) in events.enumerated() {
            if event.receivedAt > clock.now { clock.advance(to: event.receivedAt) }
            let sequence = BookSequence(seq: Int64(index + 1))
            switch event {
            case .bookSnapshot(let s):
                recorder.recordSnapshot(
                    symbol: spec.symbol, receivedAt: s.receivedAt, exchangeTimeMs: s.exchangeTimeMs, sequence: sequence,
                    bids: s.bids, asks: s.asks)
            case .bookDelta(let d):
                let levels = [BookLevel(price: d.price, size: d.size)]
                recorder.recordUpdate(
                    symbol: spec.symbol, receivedAt: d.receivedAt, exchangeTimeMs: d.exchangeTimeMs, sequence: sequence,
                    bids: d.side == .buy ? levels : [], asks: d.side == .sell ? levels : [])
            case .trade(let t):
                recorder.recordTrade(t, symbol: spec.symbol)
            }
            recorder.tick()
        }
        recorder.close()
        return events
    }

    @Test func recordedDatasetCalibratesLikeTheEvents() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("calib-rec-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let configuration = SyntheticMarketConfiguration.eth(durationNanoseconds: 15 * 60_000_000_000)
        let events = try Self.record(configuration, seed: 8, root: root)
        var settings = CalibrationSettings()
        settings.intensityBucketTicks = 10
        settings.intensityMaximumTicks = 100
        let fromDisk = try Calibrator.calibrateRecorded(root: root, market: "ETH", hours: nil, settings: settings)
        let direct = try Calibrator.calibrate(events: events, spec: configuration.spec, market: "ETH", settings: settings)
        #expect(fromDisk.intensity == direct.intensity)
        #expect(fromDisk.garch == direct.garch)
        #expect(fromDisk.volatilityPerSecond == direct.volatilityPerSecond)
        // A 5-minute window ends at the last event and starts 300 s before it.
        let window = try Calibrator.loadRecorded(root: root, market: "ETH", hours: 300.0 / 3_600)
        let last = try #require(window.events.last).receivedAt
        let firstTime = try #require(window.events.first).receivedAt
        #expect(last == events.last?.receivedAt)
        #expect(Double(last - firstTime) / 1e9 <= 300.001 && Double(last - firstTime) / 1e9 >= 299)
        // A market that is not in the dataset is named in the error.
        #expect {
            _ = try Calibrator.calibrateRecorded(root: root, market: "BTC", hours: 1)
        } throws: { error in "\(error)".contains("BTC") }
    }
}
