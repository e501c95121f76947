#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A distribution of delays, in nanoseconds.
public enum LatencyDistribution: Hashable, Sendable, CustomStringConvertible {
    /// Always the same delay.
    case constant(nanoseconds: Int64)
    /// Uniform between the two bounds (inclusive lower, exclusive upper).
    case uniform(minNanoseconds: Int64, maxNanoseconds: Int64)
    /// Log-normal with the given median and log-space standard deviation, capped at a maximum
    /// (network round trips: mostly near the median, with a long right tail).
    case logNormal(medianNanoseconds: Int64, sigma: Double, maxNanoseconds: Int64)

    /// No delay.
    public static let zero = LatencyDistribution.constant(nanoseconds: 0)

    /// A constant delay of `milliseconds`.
    public static func milliseconds(_ milliseconds: Double) -> LatencyDistribution {
        .constant(nanoseconds: Int64((milliseconds * 1e6).rounded()))
    }

    /// Whether every draw is the same (then no random numbers are consumed).
    @inlinable
    public var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }

    /// One delay, never negative.
    @inlinable
    public func sample(using random: inout SimulationRandom) -> Int64 {
        switch self {
        case .constant(let nanoseconds):
            return max(0, nanoseconds)
        case .uniform(let low, let high):
            guard high > low else { return max(0, low) }
            return max(0, low + Int64(random.integer(below: UInt64(high - low))))
        case .logNormal(let median, let sigma, let cap):
            let value = Double(median) * exp(sigma * random.gaussian())
            return max(0, min(cap, Int64(value.rounded())))
        }
    }

    public var description: String {
        switch self {
        case .constant(let ns): "\(Double(ns) / 1e6)ms"
        case .uniform(let low, let high): "uniform(\(Double(low) / 1e6)ms, \(Double(high) / 1e6)ms)"
        case .logNormal(let median, let sigma, let cap):
            "lognormal(median \(Double(median) / 1e6)ms, σ \(sigma), max \(Double(cap) / 1e6)ms)"
        }
    }
}

/// The delays between us and the exchange, in virtual time.
///
/// - ``feed``: from the exchange changing its book (or printing a trade) to our engine seeing it.
/// - ``orderEntry``: from our engine sending an action to the exchange receiving it (network).
/// - ``response``: from the exchange acting (ack, fill, cancel) to our engine hearing of it.
/// - ``makerDelayNanoseconds`` / ``takerDelayNanoseconds``: a delay the exchange itself adds before
///   processing an action: Lighter's standard accounts wait 200 ms for maker orders (post-only),
///   cancels and modifies, and 300 ms for orders that may take liquidity; premium accounts 0 ms and
///   200 ms.
///
/// Actions of one kind reach the exchange in the order they were sent; a cancel sent after a taker
/// order can overtake it when the taker delay is longer, as on Lighter. Responses reach us in the
/// order the exchange produced them.
///
/// ```swift
/// let latency = LatencyModel.lighterStandard(network: .milliseconds(5))
/// ```
public struct LatencyModel: Hashable, Sendable, CustomStringConvertible {
    /// Exchange → engine, market data.
    public var feed: LatencyDistribution
    /// Engine → exchange, order actions (network part).
    public var orderEntry: LatencyDistribution
    /// Exchange → engine, order and account updates.
    public var response: LatencyDistribution
    /// The exchange's own delay before it processes a post-only order, a cancel or a modify.
    public var makerDelayNanoseconds: Int64
    /// The exchange's own delay before it processes an order that may take liquidity
    /// (a market, immediate-or-cancel or plain limit order).
    public var takerDelayNanoseconds: Int64

    /// A latency model.
    public init(
        feed: LatencyDistribution = .zero, orderEntry: LatencyDistribution = .zero,
        response: LatencyDistribution = .zero, makerDelayNanoseconds: Int64 = 0, takerDelayNanoseconds: Int64 = 0
    ) {
        self.feed = feed
        self.orderEntry = orderEntry
        self.response = response
        self.makerDelayNanoseconds = makerDelayNanoseconds
        self.takerDelayNanoseconds = takerDelayNanoseconds
    }

    /// No delays anywhere: actions act and are reported at the instant they are sent.
    public static let zero = LatencyModel()

    /// Lighter's standard account: 200 ms maker/cancel/modify delay and 300 ms taker delay at the
    /// exchange, plus `network` one way for feed, entry and responses.
    public static func lighterStandard(network: LatencyDistribution = .milliseconds(5)) -> LatencyModel {
        LatencyModel(
            feed: network, orderEntry: network, response: network,
            makerDelayNanoseconds: 200_000_000, takerDelayNanoseconds: 300_000_000)
    }

    /// Lighter's premium account: no maker/cancel delay and a 200 ms taker delay (less with staked
    /// LIT), plus `network` one way.
    public static func lighterPremium(network: LatencyDistribution = .milliseconds(5)) -> LatencyModel {
        LatencyModel(
            feed: network, orderEntry: network, response: network,
            makerDelayNanoseconds: 0, takerDelayNanoseconds: 200_000_000)
    }

    public var description: String {
        "feed \(feed), entry \(orderEntry), response \(response), maker delay \(Double(makerDelayNanoseconds) / 1e6)ms, "
            + "taker delay \(Double(takerDelayNanoseconds) / 1e6)ms"
    }
}
