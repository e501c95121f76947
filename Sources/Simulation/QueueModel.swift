#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a simulated resting order's place in its price level's queue moves, when the market data is
/// L2 (sizes per price, not individual orders).
///
/// When our order joins a level, everything visible there is ahead of it. Trades at the price
/// consume the queue from the front. When the level's size drops without a trade (someone
/// cancelled), the models differ in how much of the drop they credit to the part of the queue
/// ahead of us:
///
/// - ``conservative``: none. The queue ahead only shrinks by trades, and only below the level's
///   visible size (it cannot be longer than the level). This is hftbacktest's `RiskAdverseQueueModel`.
/// - ``probabilistic(_:)``: a share of the drop, `1 − p`, where `p = f(back) / (f(back) + f(front))`
///   is the probability that the cancel happened *behind* us (`front` = size ahead, `back` = size
///   behind). Following hftbacktest's `ProbQueueModel` (Rigtorp, "Estimating order queue
///   position", 2013), trades already credited since the last size change are not counted again.
///
/// ```swift
/// let model = QueueModel.probabilistic(.power(3))
/// ```
public enum QueueModel: Hashable, Sendable, CustomStringConvertible {
    /// Advances only on trades (never credits cancels ahead of us).
    case conservative
    /// Credits size decreases ahead of us with the given probability shape.
    case probabilistic(QueueProbability)

    public var description: String {
        switch self {
        case .conservative: "conservative"
        case .probabilistic(let shape): "probabilistic(\(shape))"
        }
    }

    /// The default probabilistic model: `f(x) = x³`, a common choice in hftbacktest's examples.
    public static let power3 = QueueModel.probabilistic(.power(3))
}

/// The shape of the probability that a size decrease happened behind our order.
public enum QueueProbability: Hashable, Sendable, CustomStringConvertible {
    /// `f(x) = x^n`, `p = f(back) / (f(back) + f(front))`. Larger `n` moves us forward faster
    /// when we are near the back and slower near the front.
    case power(Double)
    /// `f(x) = ln(1 + x)`, `p = f(back) / (f(back) + f(front))`.
    case logarithmic

    /// The probability (0…1) that a decrease happened behind us, given the size `front` ahead of
    /// and `back` behind our order.
    @inlinable
    public func probabilityBehind(front: Double, back: Double) -> Double {
        let fFront: Double
        let fBack: Double
        switch self {
        case .power(let exponent):
            if exponent == 1 {
                fFront = front
                fBack = back
            } else if exponent == 2 {
                fFront = front * front
                fBack = back * back
            } else if exponent == 3 {
                fFront = front * front * front
                fBack = back * back * back
            } else {
                fFront = pow(front, exponent)
                fBack = pow(back, exponent)
            }
        case .logarithmic:
            fFront = log1p(front)
            fBack = log1p(back)
        }
        let total = fFront + fBack
        guard total > 0, total.isFinite else { return 1 }
        return fBack / total
    }

    public var description: String {
        switch self {
        case .power(let exponent): "power(\(exponent))"
        case .logarithmic: "log"
        }
    }
}

/// The queue state of one resting order: the size estimated ahead of it and the trade volume seen
/// at its price since the level's size last changed.
public struct QueuePosition: Hashable, Sendable {
    /// The size (in lots, fractional for the probabilistic model) estimated ahead of the order.
    public var ahead: Double
    /// Trade volume at the order's price not yet matched by a drop in the level's size.
    public var tradedSinceUpdate: Double

    /// A position with `ahead` lots in front.
    @inlinable
    public init(ahead: Double) {
        self.ahead = ahead
        self.tradedSinceUpdate = 0
    }

    /// Records a trade of `size` lots at the order's price; returns how many lots of it reach our
    /// order (the part beyond the queue ahead), before our order's own size is applied.
    @inlinable
    public mutating func trade(size: Double) -> Double {
        tradedSinceUpdate += size
        let beyond = size - ahead
        ahead = max(0, ahead - size)
        return max(0, beyond)
    }

    /// Applies a change of the level's visible size from `previous` to `new` lots.
    @inlinable
    public mutating func levelChanged(from previous: Double, to new: Double, model: QueueModel) {
        switch model {
        case .conservative:
            tradedSinceUpdate = 0
            ahead = min(ahead, new)
        case .probabilistic(let shape):
            var decrease = previous - new - tradedSinceUpdate
            tradedSinceUpdate = 0
            if decrease <= 0 {
                ahead = min(ahead, new)
                return
            }
            let front = ahead
            let back = max(0, previous - front)
            decrease = min(decrease, previous)
            let behind = shape.probabilityBehind(front: front, back: back)
            // Our share of the decrease, plus whatever of it could not have come from behind.
            let estimate = front - (1 - behind) * decrease + min(back - behind * decrease, 0)
            ahead = max(0, min(estimate, new))
        }
    }
}
