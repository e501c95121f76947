import MarketCore

/// The WebSocket connection's life cycle as a pure state machine: it is told what happened (with
/// the time) and answers with what to do. No I/O and no clock inside, so every path is testable.
///
/// - Reconnect delays grow exponentially (`initialDelay × multiplier^n`, capped at `maximumDelay`)
///   with ±`jitter` relative randomness; the random unit is passed in.
/// - The attempt counter resets once a connection has stayed up for `stableAfter`.
/// - Keepalive: a ping is due when nothing was sent for `pingInterval` (Lighter drops clients
///   that send nothing for 2 minutes).
/// - Watchdog: a connection that received nothing for `receiveTimeout` is closed and reconnected.
public struct ConnectionStateMachine: Sendable {
    /// Timing settings, in nanoseconds.
    public struct Configuration: Hashable, Sendable {
        /// First reconnect delay.
        public var initialDelay: Int64
        /// Largest reconnect delay.
        public var maximumDelay: Int64
        /// Growth factor per failed attempt.
        public var multiplier: Double
        /// Relative jitter, 0…1 (0.2 = ±20 %).
        public var jitter: Double
        /// Send a ping when nothing was sent for this long.
        public var pingInterval: Int64
        /// Close the connection when nothing was received for this long.
        public var receiveTimeout: Int64
        /// A connection up this long resets the backoff.
        public var stableAfter: Int64

        /// Settings; the defaults follow Lighter's 2-minute keepalive rule with a wide margin.
        public init(
            initialDelay: Int64 = 500_000_000, maximumDelay: Int64 = 30_000_000_000, multiplier: Double = 2,
            jitter: Double = 0.2, pingInterval: Int64 = 30_000_000_000, receiveTimeout: Int64 = 90_000_000_000,
            stableAfter: Int64 = 60_000_000_000
        ) {
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.multiplier = multiplier
            self.jitter = jitter
            self.pingInterval = pingInterval
            self.receiveTimeout = receiveTimeout
            self.stableAfter = stableAfter
        }
    }

    /// Where the connection is.
    public enum State: Hashable, Sendable {
        /// Not started, or stopped.
        case idle
        /// A connection attempt is under way.
        case connecting(attempt: Int)
        /// Connected since the given time.
        case connected(since: Timestamp)
        /// Waiting to reconnect at the given time.
        case waiting(until: Timestamp, attempt: Int)
    }

    /// What the driver should do.
    public enum Action: Hashable, Sendable {
        /// Open a connection now.
        case connect
        /// (Re)send every subscription (after a connect).
        case subscribeAll
        /// Send a keepalive frame.
        case sendPing
        /// Close the connection: it has been silent for too long.
        case closeForSilence(silentFor: Int64)
        /// Sleep until the given time, then call ``tick(at:)``.
        case wait(until: Timestamp)
    }

    /// The settings.
    public let configuration: Configuration
    /// The current state.
    public private(set) var state: State = .idle
    /// Failed attempts since the last stable connection.
    public private(set) var failedAttempts = 0
    /// When something was last received on the current connection.
    public private(set) var lastReceived: Timestamp = .epoch
    /// When something was last sent on the current connection.
    public private(set) var lastSent: Timestamp = .epoch

    /// A machine in the idle state.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Starts connecting.
    public mutating func start(at now: Timestamp) -> [Action] {
        state = .connecting(attempt: failedAttempts)
        return [.connect]
    }

    /// The connection opened: resubscribe everything.
    public mutating func didConnect(at now: Timestamp) -> [Action] {
        state = .connected(since: now)
        lastReceived = now
        lastSent = now
        return [.subscribeAll]
    }

    /// A frame arrived.
    public mutating func didReceive(at now: Timestamp) {
        lastReceived = now
    }

    /// A frame was sent.
    public mutating func didSend(at now: Timestamp) {
        lastSent = now
    }

    /// The connection closed or the attempt failed; `randomUnit` in [0, 1) picks the jitter.
    /// - Returns: the wait before reconnecting.
    public mutating func didDisconnect(at now: Timestamp, randomUnit: Double) -> Action {
        if case .connected(let since) = state, now - since >= configuration.stableAfter {
            failedAttempts = 0
        }
        let delay = reconnectDelay(attempt: failedAttempts, randomUnit: randomUnit)
        failedAttempts += 1
        let until = now + delay
        state = .waiting(until: until, attempt: failedAttempts)
        return .wait(until: until)
    }

    /// Time passed: returns what is due (reconnect, ping, watchdog close) and when to tick next.
    public mutating func tick(at now: Timestamp) -> [Action] {
        switch state {
        case .idle, .connecting:
            return []
        case .waiting(let until, let attempt):
            if now >= until {
                state = .connecting(attempt: attempt)
                return [.connect]
            }
            return [.wait(until: until)]
        case .connected:
            let silent = now - lastReceived
            if silent >= configuration.receiveTimeout {
                return [.closeForSilence(silentFor: silent)]
            }
            var actions: [Action] = []
            if now - lastSent >= configuration.pingInterval {
                actions.append(.sendPing)
                lastSent = now
            }
            let nextPing = lastSent + configuration.pingInterval
            let nextWatchdog = lastReceived + configuration.receiveTimeout
            actions.append(.wait(until: min(nextPing, nextWatchdog)))
            return actions
        }
    }

    /// Stops: no more reconnects.
    public mutating func stop() {
        state = .idle
    }

    /// The delay before attempt `attempt` (0-based), with jitter from `randomUnit` in [0, 1).
    public func reconnectDelay(attempt: Int, randomUnit: Double) -> Int64 {
        var base = Double(configuration.initialDelay)
        var step = 0
        while step < attempt && base < Double(configuration.maximumDelay) {
            base *= configuration.multiplier
            step += 1
        }
        base = min(base, Double(configuration.maximumDelay))
        let unit = min(max(randomUnit, 0), 1)
        let factor = 1 + configuration.jitter * (2 * unit - 1)
        return max(0, Int64((base * factor).rounded()))
    }
}
