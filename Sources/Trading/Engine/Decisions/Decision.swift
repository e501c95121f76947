import MarketCore

/// One decision the engine made about a side (or the whole market), with its reason: every order
/// action, every veto, and every deliberate non-action.
///
/// A value with no heap storage, so recording one allocates nothing. ``line(spec:)`` renders it for
/// people:
///
/// ```
/// buy: place 0.0100@3024.10 (target, inventory=-0.4)
/// buy: modify 3024.10→3024.20 (target moved 3.3bp > 2.0bp)
/// sell: hold (fill_lockout 412ms left)
/// ```
public struct Decision: Hashable, Sendable, CustomStringConvertible {
    /// What was decided.
    public enum Kind: UInt8, Hashable, Sendable, CustomStringConvertible {
        /// A new order was sent.
        case place
        /// A resting order was changed in place.
        case modify
        /// A resting order was canceled.
        case cancel
        /// Every order of ours in the market was canceled.
        case cancelAll
        /// An order (or an empty slot) was deliberately left as it is.
        case hold
        /// A side has no target and nothing resting: nothing to do.
        case none
        /// Risk refused an action.
        case veto
        /// Risk made an order smaller before it left.
        case shrink
        /// Quoting stopped (loss limit, circuit breaker, kill switch).
        case halt
        /// Quoting started again.
        case resume
        /// A reduce-only order was sent to close the position.
        case flatten
        /// The venue refused an action.
        case reject
        /// An event arrived for an order we do not know.
        case unknownOrder
        /// Our position differed from the venue's and was replaced by it.
        case positionMismatch

        public var description: String {
            switch self {
            case .place: "place"
            case .modify: "modify"
            case .cancel: "cancel"
            case .cancelAll: "cancel_all"
            case .hold: "hold"
            case .none: "none"
            case .veto: "veto"
            case .shrink: "shrink"
            case .halt: "halt"
            case .resume: "resume"
            case .flatten: "flatten"
            case .reject: "reject"
            case .unknownOrder: "unknown_order"
            case .positionMismatch: "position_mismatch"
            }
        }
    }

    /// When it was decided (engine time).
    public var time: Timestamp
    /// The exchange's market index.
    public var marketID: Int
    /// The side it concerns, or `nil` for the whole market.
    public var side: Side?
    /// The ladder level it concerns (0 = best), or −1 when not about one slot.
    public var level: Int
    /// What was decided.
    public var kind: Kind
    /// The order it concerns, if any.
    public var orderID: ClientOrderID?
    /// The price before (of the resting order), if any.
    public var fromPrice: Price?
    /// The price after (of the new or modified order), if any.
    public var toPrice: Price?
    /// The size before, if any.
    public var fromSize: Quantity?
    /// The size after, if any.
    public var toSize: Quantity?
    /// Why.
    public var reason: DecisionReason
    /// For a veto or shrink: the action risk refused or changed (`place`, `modify`, `flatten`).
    public var vetoedAction: Kind?
    /// Which alpha the strategy used for the targets behind this decision, if it said
    /// (``QuoteTargets/alpha``); shown after the reason.
    public var alpha: QuoteAlphaNote?

    /// A decision.
    public init(
        time: Timestamp, marketID: Int, side: Side?, level: Int = -1, kind: Kind, orderID: ClientOrderID? = nil,
        fromPrice: Price? = nil, toPrice: Price? = nil, fromSize: Quantity? = nil, toSize: Quantity? = nil,
        reason: DecisionReason, vetoedAction: Kind? = nil, alpha: QuoteAlphaNote? = nil
    ) {
        self.time = time
        self.marketID = marketID
        self.side = side
        self.level = level
        self.kind = kind
        self.orderID = orderID
        self.fromPrice = fromPrice
        self.toPrice = toPrice
        self.fromSize = fromSize
        self.toSize = toSize
        self.reason = reason
        self.vetoedAction = vetoedAction
        self.alpha = alpha
    }

    /// The decision as one human line, prices and sizes in the market's decimals.
    ///
    /// The subject is the side (`buy`, `sell`; `buy[1]` for the second ladder level) or `market`.
    public func line(spec: MarketSpec) -> String {
        var subject = side.map(\.description) ?? "market"
        if side != nil && level > 0 { subject += "[\(level)]" }
        var text = subject + ": "
        text += kind.description
        if kind == .veto || kind == .shrink, let action = vetoedAction { text += " " + action.description }
        let body = orderText(spec: spec)
        if !body.isEmpty { text += " " + body }
        text += " (" + reason.text(spec: spec)
        if let alpha { text += ", " + alpha.description }
        return text + ")"
    }

    private func orderText(spec: MarketSpec) -> String {
        switch kind {
        case .place, .flatten, .cancel, .veto, .shrink:
            guard let price = toPrice ?? fromPrice else { return "" }
            let size = toSize ?? fromSize
            if kind == .shrink, let before = fromSize, let after = toSize {
                return spec.string(before) + "→" + spec.string(after) + "@" + spec.string(price)
            }
            return (size.map { spec.string($0) + "@" } ?? "@") + spec.string(price)
        case .modify:
            guard let oldPrice = fromPrice, let newPrice = toPrice, let oldSize = fromSize, let newSize = toSize
            else { return "" }
            if oldSize == newSize {
                return spec.string(oldPrice) + "→" + spec.string(newPrice)
            }
            if oldPrice == newPrice {
                return spec.string(oldSize) + "→" + spec.string(newSize) + "@" + spec.string(newPrice)
            }
            return spec.string(oldSize) + "@" + spec.string(oldPrice) + "→" + spec.string(newSize) + "@"
                + spec.string(newPrice)
        default:
            return ""
        }
    }

    public var description: String {
        var text = "\(time) m\(marketID) \(side.map(\.description) ?? "market")"
        if level >= 0 { text += "[\(level)]" }
        text += " \(kind)"
        if let id = orderID { text += " \(id)" }
        if let price = fromPrice { text += " from \(fromSize?.lots ?? 0)@\(price.ticks)" }
        if let price = toPrice { text += " to \(toSize?.lots ?? 0)@\(price.ticks)" }
        return text + " (\(reason.code))"
    }
}

/// Why a decision was made, with the numbers behind it. No heap storage.
public enum DecisionReason: Hashable, Sendable {
    /// The strategy wants this quote; our inventory at the time.
    case target(inventory: Quantity)
    /// The target price moved beyond the tolerance band.
    case targetMoved(bps: Double, toleranceBps: Double)
    /// The target size differs from the resting size by at least one lot.
    case sizeChanged(fromLots: Int64, toLots: Int64)
    /// The target is within the tolerance band and the size within a lot: keep the order.
    case withinTolerance(bps: Double, toleranceBps: Double)
    /// A fill on this side happened recently; nanoseconds left.
    case fillLockout(remainingNs: Int64)
    /// An action on this slot happened recently; nanoseconds left.
    case actionLockout(remainingNs: Int64)
    /// The venue rejected an action on this slot recently; nanoseconds left.
    case rejectLockout(remainingNs: Int64)
    /// An action on this slot is still in flight.
    case inFlight(OrderSlotState)
    /// The market already has the most live orders allowed.
    case maxLiveOrders(limit: Int)
    /// The side has no target (suppressed by the strategy or the engine).
    case noQuote(NoQuoteReason)
    /// The ladder has fewer levels than before.
    case levelRemoved
    /// The order would take the position beyond the limit: position, resting same-side size, order size, limit
    /// (all as the side sees them: positive means towards the limit).
    case positionLimit(position: Quantity, resting: Quantity, order: Quantity, limit: Quantity)
    /// The order is below the exchange's minimum size or notional.
    case belowMinimum(minimumSize: Quantity)
    /// The capital needed for sizing or the dynamic limit is not known yet.
    case capitalUnknown
    /// The daily loss limit was breached: the day's PnL and the limit, in notional units.
    case dailyLossLimit(pnl: Int128, limit: Int128)
    /// The circuit breaker tripped after this many consecutive rejects.
    case circuitBreaker(consecutiveRejects: Int)
    /// The breaker's cooldown has this many nanoseconds left.
    case cooldown(remainingNs: Int64)
    /// The breaker's cooldown is over but reconciliation has not been reported yet.
    case awaitingReconcile
    /// Reconciliation was reported and the breaker's cooldown is over.
    case reconciled
    /// The kill switch is on.
    case killSwitch
    /// An operator resumed quoting.
    case operatorResume
    /// An operator (or the runner, e.g. at start-up) asked to cancel every order.
    case operatorCancelAll
    /// A new UTC day started (the daily loss window reset).
    case newTradingDay
    /// The venue rejected an action with this code.
    case venueReject(code: Int)
    /// An order was reported that the engine did not know.
    case unknownOrderID
    /// The venue's position differs from ours: ours, theirs.
    case positionDiffers(ours: Quantity, venue: Quantity)
    /// The position to flatten.
    case flattenPosition(Quantity)
    /// The book is not two-sided, so no price to act at.
    case bookNotReady
    /// This many slots have had an action unanswered past the in-flight timeout (milliseconds).
    case inFlightTimeout(slots: Int, timeoutMs: Int64)

    /// A short stable name for the reason (for metrics, log metadata, and de-duplication).
    public var code: String {
        switch self {
        case .target: "target"
        case .targetMoved: "target_moved"
        case .sizeChanged: "size_changed"
        case .withinTolerance: "within_tolerance"
        case .fillLockout: "fill_lockout"
        case .actionLockout: "action_lockout"
        case .rejectLockout: "reject_lockout"
        case .inFlight: "in_flight"
        case .maxLiveOrders: "max_live_orders"
        case .noQuote: "no_quote"
        case .levelRemoved: "level_removed"
        case .positionLimit: "position_limit"
        case .belowMinimum: "below_minimum"
        case .capitalUnknown: "capital_unknown"
        case .dailyLossLimit: "daily_loss_limit"
        case .circuitBreaker: "circuit_breaker"
        case .cooldown: "cooldown"
        case .awaitingReconcile: "awaiting_reconcile"
        case .reconciled: "reconciled"
        case .killSwitch: "kill_switch"
        case .operatorResume: "operator_resume"
        case .operatorCancelAll: "operator_cancel_all"
        case .newTradingDay: "new_trading_day"
        case .venueReject: "venue_reject"
        case .unknownOrderID: "unknown_order_id"
        case .positionDiffers: "position_differs"
        case .flattenPosition: "flatten_position"
        case .bookNotReady: "book_not_ready"
        case .inFlightTimeout: "in_flight_timeout"
        }
    }

    /// Whether two reasons are the same apart from their numbers (for de-duplicating holds).
    @inlinable
    public func sameKind(as other: DecisionReason) -> Bool {
        switch (self, other) {
        case (.noQuote(let a), .noQuote(let b)): a == b
        case (.inFlight(let a), .inFlight(let b)): a == b
        default: discriminator == other.discriminator
        }
    }

    @usableFromInline
    var discriminator: Int {
        switch self {
        case .target: 0
        case .targetMoved: 1
        case .sizeChanged: 2
        case .withinTolerance: 3
        case .fillLockout: 4
        case .actionLockout: 5
        case .rejectLockout: 6
        case .inFlight: 7
        case .maxLiveOrders: 8
        case .noQuote: 9
        case .levelRemoved: 10
        case .positionLimit: 11
        case .belowMinimum: 12
        case .capitalUnknown: 13
        case .dailyLossLimit: 14
        case .circuitBreaker: 15
        case .cooldown: 16
        case .awaitingReconcile: 17
        case .reconciled: 18
        case .killSwitch: 19
        case .operatorResume: 20
        case .newTradingDay: 21
        case .venueReject: 22
        case .unknownOrderID: 23
        case .positionDiffers: 24
        case .flattenPosition: 25
        case .bookNotReady: 26
        case .inFlightTimeout: 27
        case .operatorCancelAll: 28
        }
    }

    /// The reason in words, sizes and prices in the market's decimals.
    public func text(spec: MarketSpec) -> String {
        switch self {
        case .target(let inventory): "target, inventory=\(Self.trimmed(spec.string(inventory)))"
        case .targetMoved(let bps, let tolerance):
            "target moved \(Self.oneDecimal(bps))bp > \(Self.oneDecimal(tolerance))bp"
        case .sizeChanged(let from, let to):
            "size \(spec.string(Quantity(lots: from)))→\(spec.string(Quantity(lots: to)))"
        case .withinTolerance(let bps, let tolerance):
            "within tolerance \(Self.oneDecimal(bps))bp ≤ \(Self.oneDecimal(tolerance))bp"
        case .fillLockout(let ns): "fill_lockout \(Self.milliseconds(ns))ms left"
        case .actionLockout(let ns): "action_lockout \(Self.milliseconds(ns))ms left"
        case .rejectLockout(let ns): "reject_lockout \(Self.milliseconds(ns))ms left"
        case .inFlight(let state): "in_flight \(state)"
        case .maxLiveOrders(let limit): "max_live_orders \(limit)"
        case .noQuote(let reason): reason.description
        case .levelRemoved: "level_removed"
        case .positionLimit(let position, let resting, let order, let limit):
            "position_limit \(spec.string(position))+\(spec.string(resting))+\(spec.string(order)) > \(spec.string(limit))"
        case .belowMinimum(let minimum): "below_minimum \(spec.string(minimum))"
        case .capitalUnknown: "capital_unknown"
        case .dailyLossLimit(let pnl, let limit):
            "daily_loss_limit pnl \(Self.twoDecimals(spec.notionalDouble(pnl))) < -\(Self.twoDecimals(spec.notionalDouble(limit)))"
        case .circuitBreaker(let rejects): "circuit_breaker \(rejects) consecutive rejects"
        case .cooldown(let ns): "cooldown \(Self.milliseconds(ns))ms left"
        case .awaitingReconcile: "awaiting_reconcile"
        case .reconciled: "reconciled"
        case .killSwitch: "kill_switch"
        case .operatorResume: "operator_resume"
        case .operatorCancelAll: "operator_cancel_all"
        case .newTradingDay: "new_trading_day"
        case .venueReject(let code): "venue_reject code \(code)"
        case .unknownOrderID: "unknown_order_id"
        case .positionDiffers(let ours, let venue): "position ours \(spec.string(ours)) venue \(spec.string(venue))"
        case .flattenPosition(let position): "flatten position \(spec.string(position))"
        case .bookNotReady: "book_not_ready"
        case .inFlightTimeout(let slots, let timeout): "in_flight_timeout \(slots) unanswered > \(timeout)ms"
        }
    }

    /// Drops trailing fractional zeros: `-0.4000` → `-0.4`, `2.0000` → `2`.
    static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.last == "0" { result = result.dropLast() }
        if result.last == "." { result = result.dropLast() }
        return String(result)
    }

    static func oneDecimal(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(tenths.magnitude / 10).\(tenths.magnitude % 10)"
    }

    static func twoDecimals(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let hundredths = Int64((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let fraction = hundredths.magnitude % 100
        return "\(sign)\(hundredths.magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Nanoseconds as whole milliseconds, rounded up (a lockout with 0.2 ms left still has "1ms left").
    static func milliseconds(_ nanoseconds: Int64) -> Int64 {
        (nanoseconds + 999_999).dividedRoundingDown(by: 1_000_000)
    }
}
