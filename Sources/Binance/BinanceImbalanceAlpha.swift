import MarketCore
import Trading

/// The order-book-imbalance alpha computed from a Binance book: the z-score of
/// `bid depth − ask depth` within ``Configuration/lookingDepth`` of the Binance mid, over a
/// rolling window of samples.
///
/// It is a pure value: feed it books with ``observe(book:at:)`` and ask for the alpha with the
/// engine's time. Time comes only from the arguments, so staleness is testable without sleeping.
///
/// - The imbalance of one sample is `depth(.buy) − depth(.sell)` in the Binance size units
///   (``MarketCore/OrderBook/depth(_:withinFractionOfMid:)``).
/// - The z-score is `(x − mean) / std` over the window including the newest sample `x`
///   (sample standard deviation; a window with zero spread gives 0).
/// - Sampling: every book update is a sample, unless ``Configuration/sampleInterval`` is set, in
///   which case at most one sample is taken per interval (the first update at or after the
///   interval boundary).
/// - ``alpha(at:)`` is non-nil only when warm (≥ ``Configuration/minSamples``), fresh (last sample
///   no older than ``Configuration/staleAfterNanoseconds``), and connected.
///
/// ```swift
/// var alpha = BinanceImbalanceAlpha(configuration: .init(lookingDepth: 0.001, windowSize: 600, minSamples: 100))
/// alpha.observe(book: book, at: receivedAt)
/// input.externalAlpha = alpha.alpha(at: now)   // nil → the strategy falls back to its own OBI
/// ```
public struct BinanceImbalanceAlpha: Sendable {
    /// Settings of the alpha.
    public struct Configuration: Hashable, Sendable {
        /// The band around the mid that counts, as a fraction of the mid (e.g. 0.001 = 10 bp).
        public var lookingDepth: Double
        /// Samples in the rolling window.
        public var windowSize: Int
        /// Samples needed before the alpha is published.
        public var minSamples: Int
        /// Age of the last sample after which the alpha is stale, in nanoseconds.
        public var staleAfterNanoseconds: Int64
        /// Minimum time between samples, in nanoseconds; `nil` samples every book update.
        public var sampleIntervalNanoseconds: Int64?

        /// Settings; `staleSeconds` and `sampleInterval` are in seconds.
        ///
        /// - Parameters:
        ///   - lookingDepth: fraction of the mid (> 0).
        ///   - windowSize: rolling window length in samples (≥ 2).
        ///   - minSamples: warm-up length (clamped to 2…windowSize).
        ///   - staleSeconds: age after which the alpha is withheld.
        ///   - sampleInterval: seconds between samples, or `nil` for one sample per book update.
        public init(
            lookingDepth: Double = 0.001, windowSize: Int = 600, minSamples: Int = 100, staleSeconds: Double = 2,
            sampleInterval: Double? = nil
        ) {
            self.lookingDepth = lookingDepth
            self.windowSize = max(2, windowSize)
            self.minSamples = min(max(2, minSamples), max(2, windowSize))
            self.staleAfterNanoseconds = Int64((staleSeconds * 1e9).rounded())
            self.sampleIntervalNanoseconds = sampleInterval.map { Int64(($0 * 1e9).rounded()) }
        }
    }

    /// Why the alpha is or is not available, for logs.
    public enum Status: Hashable, Sendable, CustomStringConvertible {
        /// Published: the current z-score.
        case ready(value: Double)
        /// Not enough samples yet.
        case warming(samples: Int, needed: Int)
        /// No sample for longer than the stale limit.
        case stale(ageNanoseconds: Int64)
        /// The feed is disconnected or resyncing.
        case disconnected

        /// A short description for logs.
        public var description: String {
            switch self {
            case .ready(let value): "ready(\(value))"
            case .warming(let samples, let needed): "warming(\(samples)/\(needed))"
            case .stale(let age): "stale(\(Double(age) / 1e9)s)"
            case .disconnected: "disconnected"
            }
        }
    }

    /// The source name written into ``Trading/ExternalAlpha/source``.
    public static let sourceName: StaticString = "binance_obi"

    /// The settings.
    public let configuration: Configuration
    private var window: RollingWindow
    private var lastValue = 0.0
    private var lastSampleAt: Timestamp?
    /// The most recent raw imbalance (bid depth − ask depth, in size units), if any.
    public private(set) var lastImbalance: Double?
    /// Whether the feed behind the alpha is connected and its book valid.
    public private(set) var isConnected = false

    /// An alpha with no samples.
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.window = RollingWindow(capacity: configuration.windowSize)
    }

    /// Samples collected so far (up to the window size).
    public var sampleCount: Int { window.count }

    /// Takes a sample from `book` received at `time`, if the sampling rule allows one.
    ///
    /// Marks the feed connected. A one-sided or empty book is not sampled.
    /// - Returns: whether a sample was taken.
    @discardableResult
    public mutating func observe(book: OrderBook, at time: Timestamp) -> Bool {
        isConnected = true
        guard book.isTwoSided else { return false }
        if let interval = configuration.sampleIntervalNanoseconds, let last = lastSampleAt, time - last < interval {
            return false
        }
        let bidDepth = book.depth(.buy, withinFractionOfMid: configuration.lookingDepth)
        let askDepth = book.depth(.sell, withinFractionOfMid: configuration.lookingDepth)
        return observe(imbalance: Double(bidDepth.lots - askDepth.lots), at: time)
    }

    /// Adds a raw imbalance sample (bid depth − ask depth) taken at `time`.
    ///
    /// Used by ``observe(book:at:)``; public so recorded imbalances can be replayed.
    @discardableResult
    public mutating func observe(imbalance: Double, at time: Timestamp) -> Bool {
        isConnected = true
        window.add(imbalance)
        lastImbalance = imbalance
        lastSampleAt = time
        let std = window.standardDeviation
        lastValue = std > 0 ? (imbalance - window.mean) / std : 0
        return true
    }

    /// Marks the feed disconnected (or its book invalid): the alpha is withheld until the next sample.
    /// The window is kept.
    public mutating func markDisconnected() {
        isConnected = false
    }

    /// The state of the alpha at engine time `now`.
    public func status(at now: Timestamp) -> Status {
        guard isConnected else { return .disconnected }
        guard window.count >= configuration.minSamples else {
            return .warming(samples: window.count, needed: configuration.minSamples)
        }
        guard let last = lastSampleAt else { return .warming(samples: 0, needed: configuration.minSamples) }
        let age = now - last
        if age > configuration.staleAfterNanoseconds { return .stale(ageNanoseconds: age) }
        return .ready(value: lastValue)
    }

    /// The alpha for the strategy at engine time `now`: non-nil only when warm, fresh and connected.
    public func alpha(at now: Timestamp) -> ExternalAlpha? {
        guard case .ready(let value) = status(at: now), let last = lastSampleAt else { return nil }
        return ExternalAlpha(value: value, updatedAt: last, source: Self.sourceName)
    }
}
