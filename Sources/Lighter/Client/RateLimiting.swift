import MarketCore

/// Lighter's REST request weights (section E.1 of the protocol notes).
public enum LighterEndpointWeight {
    /// The weight of a request to `path` (e.g. `/api/v1/sendTx`).
    public static func weight(path: String) -> Int {
        switch path {
        case "/api/v1/sendTx", "/api/v1/sendTxBatch", "/api/v1/nextNonce": 6
        case "/api/v1/publicPools", "/api/v1/txFromL1TxHash": 50
        case "/api/v1/accountInactiveOrders", "/api/v1/deposit/latest": 100
        case "/api/v1/apikeys": 150
        case "/api/v1/transferFeeInfo": 500
        case "/api/v1/trades", "/api/v1/recentTrades": 600
        case "/api/v1/changeAccountTier", "/api/v1/tokens", "/api/v1/tokens/revoke", "/api/v1/setAccountMetadata",
            "/api/v1/notification/ack", "/api/v1/createIntentAddress", "/api/v1/fastwithdraw":
            3000
        case "/api/v1/tokens/create": 23000
        default: path.hasPrefix("/api/v1/referral/") ? 3000 : 300
        }
    }
}

/// A sliding-window rate limiter: at most `budget` weight in any `window` nanoseconds.
///
/// Pure: the caller passes the time, asks ``delay(forWeight:at:)`` and records what it sent.
/// Standard accounts get 60 requests per minute (every request weight 1); premium accounts a
/// weighted budget (24 000/min) — see ``standard()`` and ``premium(budget:)``.
public struct SlidingWindowRateLimiter: Sendable {
    /// The window length, nanoseconds.
    public let window: Int64
    /// The weight allowed per window.
    public let budget: Int
    /// Whether every request counts 1 regardless of its endpoint weight.
    public let unweighted: Bool
    private var times: [Int64] = []
    private var weights: [Int] = []
    private var head = 0
    private var used = 0

    /// A limiter of `budget` weight per `window` nanoseconds.
    public init(budget: Int, window: Int64 = 60_000_000_000, unweighted: Bool = false) {
        precondition(budget > 0 && window > 0, "budget and window must be positive")
        self.budget = budget
        self.window = window
        self.unweighted = unweighted
    }

    /// The standard tier: 60 requests per minute.
    public static func standard() -> SlidingWindowRateLimiter { .init(budget: 60, unweighted: true) }

    /// A premium tier with a weighted budget per minute (24 000 by default).
    public static func premium(budget: Int = 24_000) -> SlidingWindowRateLimiter { .init(budget: budget) }

    /// The weight currently inside the window ending at `now`.
    public mutating func usedWeight(at now: Timestamp) -> Int {
        expire(before: now)
        return used
    }

    /// How long to wait (nanoseconds, 0 = send now) before a request of `weight` fits.
    public mutating func delay(forWeight weight: Int, at now: Timestamp) -> Int64 {
        expire(before: now)
        let cost = min(unweighted ? 1 : weight, budget)
        if used + cost <= budget { return 0 }
        // Free weight in time order until the request fits.
        var freed = used
        var index = head
        while index < times.count {
            freed -= weights[index]
            if freed + cost <= budget { return max(0, times[index] + window - now.nanoseconds) }
            index += 1
        }
        return window
    }

    /// Records a request of `weight` sent at `now`.
    public mutating func record(weight: Int, at now: Timestamp) {
        expire(before: now)
        let cost = min(unweighted ? 1 : weight, budget)
        times.append(now.nanoseconds)
        weights.append(cost)
        used += cost
    }

    private mutating func expire(before now: Timestamp) {
        let cutoff = now.nanoseconds - window
        while head < times.count && times[head] <= cutoff {
            used -= weights[head]
            head += 1
        }
        if head > 1024 && head * 2 > times.count {
            times.removeFirst(head)
            weights.removeFirst(head)
            head = 0
        }
    }
}

/// Exponential backoff after "too many requests" (HTTP 429 / code 23000) that decays again while
/// requests succeed. Pure: time is passed in.
///
/// Each 429 doubles the pause (from `initialDelay` up to `maximumDelay`) and blocks sending until
/// it has passed; every `decayInterval` without a 429 lowers the level by one.
public struct TooManyRequestsBackoff: Sendable {
    /// The first pause, nanoseconds.
    public let initialDelay: Int64
    /// The longest pause, nanoseconds.
    public let maximumDelay: Int64
    /// Quiet time that lowers the level by one, nanoseconds.
    public let decayInterval: Int64
    /// How many 429s in a row (decayed) the current pause reflects.
    public private(set) var level = 0
    /// No request before this time.
    public private(set) var blockedUntil: Timestamp = .epoch
    private var lastChange: Timestamp = .epoch

    /// A backoff with the given pauses (defaults: 1 s doubling to 60 s, decaying every 30 s).
    public init(initialDelay: Int64 = 1_000_000_000, maximumDelay: Int64 = 60_000_000_000, decayInterval: Int64 = 30_000_000_000) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.decayInterval = decayInterval
    }

    /// The server answered 429 at `now`; returns the pause now in force (nanoseconds).
    @discardableResult
    public mutating func recordTooManyRequests(at now: Timestamp) -> Int64 {
        decay(at: now)
        level += 1
        var pause = initialDelay
        var step = 1
        while step < level && pause < maximumDelay {
            pause *= 2
            step += 1
        }
        pause = min(pause, maximumDelay)
        blockedUntil = max(blockedUntil, now + pause)
        lastChange = now
        return pause
    }

    /// A request succeeded at `now` (lets the level decay).
    public mutating func recordSuccess(at now: Timestamp) {
        decay(at: now)
    }

    /// Nanoseconds to wait before the next request (0 = go).
    public func delay(at now: Timestamp) -> Int64 {
        max(0, blockedUntil - now)
    }

    private mutating func decay(at now: Timestamp) {
        guard level > 0, now > lastChange else { return }
        let steps = Int((now - lastChange) / decayInterval)
        guard steps > 0 else { return }
        level = max(0, level - steps)
        lastChange = lastChange + Int64(steps) * decayInterval
    }
}

/// Paces transaction sends against Lighter's volume quota (premium accounts, section E.2).
///
/// Every sendTx/sendTxBatch spends quota (here: one unit per transaction, the conservative
/// reading), except one single send per 15 s which is free (used whenever open). The pacer remembers the last
/// `volume_quota_remaining` the server reported and keeps `reserve` units for cancels.
public struct VolumeQuotaPacer: Sendable {
    /// What to do with a send.
    public enum Decision: Hashable, Sendable {
        /// Send now in the free slot (no quota spent).
        case sendFree
        /// Send now, spending quota.
        case sendPaid
        /// Hold until the free slot opens at this time.
        case waitForFreeSlot(until: Timestamp)
    }

    /// The free-slot period, nanoseconds (15 s).
    public let freeInterval: Int64
    /// Units kept for cancels.
    public let reserve: Int64
    /// The last quota the server reported, if any.
    public private(set) var remaining: Int64?
    /// When the free slot was last used.
    public private(set) var lastFreeSend: Timestamp?

    /// A pacer keeping `reserve` units for cancels.
    public init(reserve: Int64 = 100, freeInterval: Int64 = 15_000_000_000) {
        self.reserve = reserve
        self.freeInterval = freeInterval
    }

    /// When the free slot is (or was) next available.
    public var nextFreeSlot: Timestamp {
        guard let lastFreeSend else { return .epoch }
        return lastFreeSend + freeInterval
    }

    /// Decides how to send `transactions` transactions at `now`; cancels may use the reserve.
    public func decide(transactions: Int, isCancel: Bool, at now: Timestamp) -> Decision {
        if transactions == 1 && now >= nextFreeSlot { return .sendFree }
        guard let remaining else { return .sendPaid }
        let floor = isCancel ? 0 : reserve
        if remaining - Int64(transactions) >= floor { return .sendPaid }
        return .waitForFreeSlot(until: max(nextFreeSlot, now))
    }

    /// Records a send made at `now` as the decision said, and the quota the server reported.
    public mutating func record(_ decision: Decision, transactions: Int, at now: Timestamp, quotaRemaining: Int64?) {
        switch decision {
        case .sendFree: lastFreeSend = now
        case .sendPaid: if let remaining { self.remaining = remaining - Int64(transactions) }
        case .waitForFreeSlot: break
        }
        if let quotaRemaining { remaining = quotaRemaining }
    }
}

/// An auth token with its expiry, and when to refresh it.
public struct AuthTokenGrant: Sendable, CustomStringConvertible {
    /// The token text (secret: never log it).
    public let token: String
    /// When the token stops being valid.
    public let expiresAt: Timestamp

    /// A token valid until `expiresAt`.
    public init(token: String, expiresAt: Timestamp) {
        self.token = token
        self.expiresAt = expiresAt
    }

    /// Whether the token should be replaced at `now` (within `margin` nanoseconds of expiry).
    public func needsRefresh(at now: Timestamp, margin: Int64) -> Bool {
        now + margin >= expiresAt
    }

    /// Redacted: the token itself is never printed.
    public var description: String { "AuthTokenGrant(expires \(expiresAt), token redacted)" }
}
