import Lighter
import MarketCore
import Testing

private let second: Int64 = 1_000_000_000

private func at(_ seconds: Double) -> Timestamp { Timestamp(nanoseconds: Int64(seconds * 1e9)) }

@Suite struct ClientConnectionStateMachineTests {
    private let configuration = ConnectionStateMachine.Configuration(
        initialDelay: 1 * second, maximumDelay: 8 * second, multiplier: 2, jitter: 0.25, pingInterval: 30 * second,
        receiveTimeout: 90 * second, stableAfter: 60 * second)

    @Test func backoffDoublesUpToTheCapWithJitter() {
        let machine = ConnectionStateMachine(configuration: configuration)
        // Middle of the jitter range (unit 0.5) = the plain delay: 1, 2, 4, 8, 8 s.
        #expect((0..<5).map { machine.reconnectDelay(attempt: $0, randomUnit: 0.5) } == [1, 2, 4, 8, 8].map { $0 * second })
        // unit 0 → −25 %, unit 1 → +25 %.
        #expect(machine.reconnectDelay(attempt: 1, randomUnit: 0) == 1_500_000_000)
        #expect(machine.reconnectDelay(attempt: 1, randomUnit: 1) == 2_500_000_000)
    }

    @Test func connectFailReconnectCycle() {
        var machine = ConnectionStateMachine(configuration: configuration)
        #expect(machine.start(at: at(0)) == [.connect])
        // Connection refused: wait 1 s, then 2 s.
        #expect(machine.didDisconnect(at: at(0), randomUnit: 0.5) == .wait(until: at(1)))
        #expect(machine.tick(at: at(0.5)) == [.wait(until: at(1))])
        #expect(machine.tick(at: at(1)) == [.connect])
        #expect(machine.didDisconnect(at: at(1), randomUnit: 0.5) == .wait(until: at(3)))
        #expect(machine.tick(at: at(3)) == [.connect])
        // Connected: resubscribe; a short-lived connection keeps growing the backoff (4 s).
        #expect(machine.didConnect(at: at(3)) == [.subscribeAll])
        #expect(machine.didDisconnect(at: at(10), randomUnit: 0.5) == .wait(until: at(14)))
        // A connection that stayed up past `stableAfter` resets it to 1 s.
        #expect(machine.tick(at: at(14)) == [.connect])
        _ = machine.didConnect(at: at(14))
        #expect(machine.didDisconnect(at: at(100), randomUnit: 0.5) == .wait(until: at(101)))
    }

    @Test func pingsWhenIdleAndClosesWhenSilent() {
        var machine = ConnectionStateMachine(configuration: configuration)
        _ = machine.start(at: at(0))
        _ = machine.didConnect(at: at(0))
        #expect(machine.tick(at: at(10)) == [.wait(until: at(30))])
        machine.didReceive(at: at(20))
        #expect(machine.tick(at: at(30)) == [.sendPing, .wait(until: at(60))])
        machine.didSend(at: at(45))
        #expect(machine.tick(at: at(50)) == [.wait(until: at(75))])
        // Nothing received since 20 s: at 110 s the watchdog fires.
        #expect(machine.tick(at: at(110)) == [.closeForSilence(silentFor: 90 * second)])
    }
}

@Suite struct ClientNonceManagerTests {
    @Test func lazyFetchLocalIncrementRoundRobinAndRefresh() throws {
        var nonces = NonceManager(apiKeys: [3, 4])
        #expect(nonces.nextKey() == 3)
        #expect(nonces.nextKey() == 4)
        #expect(nonces.nextKey() == 3)
        #expect(nonces.needsFetch(3))
        #expect(throws: NonceManager.Error.notFetched(3)) { try nonces.take(for: 3) }
        try nonces.setNextNonce(722, for: 3)
        #expect(try nonces.take(for: 3) == 722)
        #expect(try nonces.take(for: 3) == 723)
        // A failure of the last issued nonce gives it back; an older one does not.
        nonces.release(723, for: 3)
        #expect(nonces.peek(3) == 723)
        _ = try nonces.take(for: 3)
        nonces.release(722, for: 3)
        #expect(nonces.peek(3) == 724)
        // "invalid nonce": fetch again.
        nonces.invalidate(3)
        #expect(nonces.needsFetch(3))
        #expect(nonces.needsFetch(4))
        #expect(throws: NonceManager.Error.unknownKey(9)) { try nonces.take(for: 9) }
    }
}

@Suite struct ClientRateLimiterTests {
    @Test func standardTierAllowsSixtyPerMinute() {
        var limiter = SlidingWindowRateLimiter.standard()
        for index in 0..<60 {
            #expect(limiter.delay(forWeight: 300, at: at(Double(index))) == 0)
            limiter.record(weight: 300, at: at(Double(index)))
        }
        // The 61st must wait until the first request (t=0) leaves the window at t=60.
        #expect(limiter.delay(forWeight: 300, at: at(59.5)) == 500_000_000)
        #expect(limiter.delay(forWeight: 6, at: at(60)) == 0)
    }

    @Test func premiumTierCountsWeights() {
        var limiter = SlidingWindowRateLimiter.premium(budget: 1000)
        limiter.record(weight: 600, at: at(0))  // recentTrades
        limiter.record(weight: 300, at: at(10))
        #expect(limiter.usedWeight(at: at(10)) == 900)
        #expect(limiter.delay(forWeight: 100, at: at(11)) == 0)
        // 150 does not fit until the 600 leaves at t=60.
        #expect(limiter.delay(forWeight: 150, at: at(11)) == 49 * second)
        #expect(limiter.usedWeight(at: at(60)) == 300)
        #expect(LighterEndpointWeight.weight(path: "/api/v1/sendTx") == 6)
        #expect(LighterEndpointWeight.weight(path: "/api/v1/apikeys") == 150)
        #expect(LighterEndpointWeight.weight(path: "/api/v1/account") == 300)
    }

    @Test func tooManyRequestsBackoffGrowsAndDecays() {
        var backoff = TooManyRequestsBackoff(initialDelay: 1 * second, maximumDelay: 4 * second, decayInterval: 10 * second)
        #expect(backoff.recordTooManyRequests(at: at(0)) == 1 * second)
        #expect(backoff.delay(at: at(0.25)) == 750_000_000)
        #expect(backoff.recordTooManyRequests(at: at(1)) == 2 * second)
        #expect(backoff.recordTooManyRequests(at: at(3)) == 4 * second)
        #expect(backoff.recordTooManyRequests(at: at(7)) == 4 * second)  // capped
        #expect(backoff.level == 4)
        // 25 s of quiet after the last 429 (t=7): two decay steps → level 2, next pause 4 s (level 3).
        backoff.recordSuccess(at: at(32))
        #expect(backoff.level == 2)
        #expect(backoff.delay(at: at(32)) == 0)
        #expect(backoff.recordTooManyRequests(at: at(32)) == 4 * second)
        backoff.recordSuccess(at: at(100))
        #expect(backoff.level == 0)
        #expect(backoff.recordTooManyRequests(at: at(100)) == 1 * second)
    }
}

@Suite struct ClientVolumeQuotaTests {
    @Test func freeSlotEveryFifteenSecondsAndReserveForCancels() {
        var pacer = VolumeQuotaPacer(reserve: 10)
        // Unknown quota: the first single send uses the free slot.
        #expect(pacer.decide(transactions: 1, isCancel: false, at: at(0)) == .sendFree)
        pacer.record(.sendFree, transactions: 1, at: at(0), quotaRemaining: 12)
        // Free slot used: paid sends while above the reserve (12 − 1 ≥ 10, then 11 − 1 ≥ 10).
        #expect(pacer.decide(transactions: 1, isCancel: false, at: at(1)) == .sendPaid)
        pacer.record(.sendPaid, transactions: 1, at: at(1), quotaRemaining: nil)
        #expect(pacer.remaining == 11)
        #expect(pacer.decide(transactions: 1, isCancel: false, at: at(2)) == .sendPaid)
        pacer.record(.sendPaid, transactions: 1, at: at(2), quotaRemaining: 10)
        // At the reserve: orders wait for the free slot at 15 s; cancels may spend the reserve.
        #expect(pacer.decide(transactions: 1, isCancel: false, at: at(3)) == .waitForFreeSlot(until: at(15)))
        #expect(pacer.decide(transactions: 1, isCancel: true, at: at(3)) == .sendPaid)
        // Batches never use the free slot.
        #expect(pacer.decide(transactions: 2, isCancel: false, at: at(15)) == .waitForFreeSlot(until: at(15)))
        #expect(pacer.decide(transactions: 1, isCancel: false, at: at(15)) == .sendFree)
    }

    @Test func authTokenGrantRefreshWindowAndRedaction() {
        let grant = AuthTokenGrant(token: "1700000000:5:3:secret", expiresAt: at(1000))
        #expect(!grant.needsRefresh(at: at(399), margin: 600 * second))
        #expect(grant.needsRefresh(at: at(400), margin: 600 * second))
        #expect(!grant.description.contains("secret"))
    }
}
