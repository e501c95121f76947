import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation
import Synchronization
import Testing
import Trading

/// `LighterVenue` and the account channels against the in-process sandbox: positions, balances and
/// fees from `account_all` / `user_stats`, benign cancel races, stream drops, the dead-man's switch.
@Suite struct LighterVenueAccountTests {
    /// A venue for the sandbox's first account on ETH, with its sender task and stream.
    struct Setup {
        let sandbox: SandboxHarness
        let venue: LighterVenue
        let spec: MarketSpec
        let stream: LighterStreamClient
        let streamTask: Task<Void, Never>
        let senderTask: Task<Void, Never>
        let streamEvents: StreamRecorder

        static func start(
            fees: FeeSchedule = .zero, cancelAllMinimumMilliseconds: Int64 = 300_000,
            deadMansSwitchMilliseconds: Int64? = nil, raceWaitNanoseconds: Int64 = 3_000_000_000,
            volumeQuota: VolumeQuotaModel? = nil, quotaRecovery: LighterVenue.QuotaRecovery? = nil,
            reconcileIntervalNanoseconds: Int64? = 60_000_000_000,
            subscriptions extra: [LighterSubscription] = []
        ) async throws -> Setup {
            let sandbox = try await SandboxHarness.start(
                quiet: true, fees: fees, scheduledCancelAllMinimumMilliseconds: cancelAllMinimumMilliseconds,
                volumeQuota: volumeQuota)
            let specs = try await sandbox.rest.marketSpecs()
            let spec = try #require(specs.first { $0.marketID == 0 })
            let account = sandbox.first
            let sender = TransactionSender(rest: sandbox.rest, accountIndex: account.accountIndex, apiKeys: [account.apiKeyIndex])
            let venue = LighterVenue(
                configuration: .init(
                    chain: SandboxHarness.chain, accountIndex: account.accountIndex, apiKeyIndex: account.apiKeyIndex,
                    spec: spec, deadMansSwitchMilliseconds: deadMansSwitchMilliseconds,
                    raceWaitNanoseconds: raceWaitNanoseconds, resyncRetryNanoseconds: 200_000_000,
                    quotaRecovery: quotaRecovery, reconcileIntervalNanoseconds: reconcileIntervalNanoseconds),
                privateKey: account.privateKey, rest: sandbox.rest, sender: sender)
            let grant = venue.authToken()
            let recorder = StreamRecorder()
            let stream = LighterStreamClient(
                configuration: .init(
                    url: sandbox.server.streamURL, connection: .init(initialDelay: 300_000_000, jitter: 0.1), tickInterval: 0.2),
                markets: MarketDecimalsTable(specs),
                subscriptions: [
                    .accountAllOrders(account: account.accountIndex), .accountAll(account: account.accountIndex),
                    .userStats(account: account.accountIndex),
                ] + extra,
                tokenProvider: { _ in grant })
            let streamTask = Task {
                await stream.run { event in
                    recorder.record(event)
                    venue.handle(event)
                }
            }
            let senderTask = Task { await venue.runSender() }
            let setup = Setup(
                sandbox: sandbox, venue: venue, spec: spec, stream: stream, streamTask: streamTask, senderTask: senderTask,
                streamEvents: recorder)
            // The snapshots of the three channels arrive before anything we place.
            let ready = await SandboxHarness.eventually(seconds: 10) {
                !recorder.messages(type: "subscribed/account_all").isEmpty
                    && !recorder.messages(type: "subscribed/user_stats").isEmpty
                    && !recorder.messages(type: "subscribed/account_all_orders").isEmpty
            }
            #expect(ready)
            return setup
        }

        func stop() async {
            streamTask.cancel()
            senderTask.cancel()
            await sandbox.stop()
        }

        /// Drains until an event matching `match` arrives (or `seconds` pass); returns all drained events.
        func waitFor(seconds: Double = 10, _ match: (ExecutionEvent) -> Bool) async -> [ExecutionEvent] {
            var seen: [ExecutionEvent] = []
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                var events: [ExecutionEvent] = []
                venue.drainEvents(upTo: Timestamp(nanoseconds: .max), into: &events)
                seen.append(contentsOf: events)
                if seen.contains(where: match) { return seen }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            return seen
        }

        /// Three times the market minimum at `ticks`.
        func size(at ticks: Int64) -> Quantity {
            Quantity(lots: spec.minimumQuantity(at: Price(ticks: ticks)).lots * 3)
        }

        /// The second account sends one order (signed with the project's tx layer) over REST.
        func secondAccountOrder(lots: Int64, priceTicks: Int64, isAsk: Bool, timeInForce: TxTimeInForce, clientIndex: Int64)
            async throws
        {
            let second = sandbox.second
            let nonce = try await sandbox.rest.nextNonce(accountIndex: second.accountIndex, apiKeyIndex: second.apiKeyIndex)
            let order = try sandbox.sign(
                .createOrder(
                    OrderInfo(
                        marketIndex: 0, clientOrderIndex: clientIndex, baseAmount: lots, price: UInt32(priceTicks),
                        isAsk: isAsk, timeInForce: timeInForce,
                        orderExpiry: timeInForce == .immediateOrCancel ? 0 : SandboxHarness.nowMilliseconds + 3_600_000)),
                account: second, nonce: nonce)
            #expect(try await sandbox.rest.sendTx(order).code == 200)
        }
    }

    static func fills(_ events: [ExecutionEvent]) -> [Fill] {
        events.compactMap { if case .fill(let fill) = $0 { fill } else { nil } }
    }

    static func positions(_ events: [ExecutionEvent]) -> [(Quantity, Price?)] {
        events.compactMap { if case .positionUpdate(let position, let entry, _) = $0 { (position, entry) } else { nil } }
    }

    // MARK: Items 1 and 2: positions, balances and fees

    @Test func fillsCarryTheExchangeFeeAndPositionsAndBalancesFollow() async throws {
        // 40 ppm maker, 280 ppm taker: Lighter's base premium rates.
        let setup = try await Setup.start(fees: FeeSchedule(makerPPM: 40, takerPPM: 280))
        defer { Task { await setup.stop() } }
        // The snapshots: flat, and the starting collateral of 100 000 USDC all available.
        let start = await setup.waitFor { if case .balanceUpdate = $0 { true } else { false } }
        #expect(start.contains { if case .balanceUpdate(100_000, 100_000, _) = $0 { true } else { false } })
        #expect(Self.positions(start).contains { $0.0 == .zero && $0.1 == nil })

        // Maker: our bid inside the spread, hit by the second account's IOC sell of the same size.
        let top = try await setup.sandbox.ethTop()
        #expect(top.ask - top.bid >= 4, "the quiet sandbox book needs room inside the spread")
        let bidID = try #require(ClientOrderID(rawValue: 20_001))
        let size = setup.size(at: top.bid)
        let bid = Price(ticks: top.bid + 1)
        setup.venue.submit([.place(OrderRequest(id: bidID, side: .buy, price: bid, size: size))], at: .epoch)
        _ = await setup.waitFor { if case .accepted(bidID, _, _) = $0 { true } else { false } }
        try await setup.secondAccountOrder(
            lots: size.lots, priceTicks: bid.ticks, isAsk: true, timeInForce: .immediateOrCancel, clientIndex: 1)
        let afterMaker = await setup.waitFor { event in
            if case .positionUpdate(let position, _, _) = event { position == size } else { false }
        }
        let makerFill = try #require(Self.fills(afterMaker).first)
        // ETH: notional units are 10^-6 USDC (2 price + 4 size decimals); the fee is rounded up.
        let makerNotional = bid.ticks * size.lots
        let makerFee = (makerNotional * 40 + 999_999) / 1_000_000
        #expect(makerFill.id == bidID)
        #expect(makerFill.isMaker)
        #expect(makerFill.size == size)
        #expect(makerFill.price == bid)
        #expect(makerFill.fee == makerFee)
        #expect(makerFill.remaining == .zero)
        #expect(makerFill.tradeID != nil)
        #expect(Self.fills(afterMaker).count == 1, "one fill, not one per channel")
        // The position follows the fill (never before it), at the fill price.
        let fillIndex = try #require(afterMaker.firstIndex { if case .fill = $0 { true } else { false } })
        let positionIndex = try #require(
            afterMaker.firstIndex { if case .positionUpdate(let position, _, _) = $0 { position == size } else { false } })
        #expect(fillIndex < positionIndex)
        #expect(Self.positions(afterMaker).last.map { $0.0 == size && $0.1 == bid } == true)
        // The collateral drops by exactly the fee (the sandbox books the fee against collateral).
        let charged: (ExecutionEvent) -> Bool = { event in
            if case .balanceUpdate(let collateral, _, _) = event { collateral < 100_000 } else { false }
        }
        let balance = afterMaker.contains(where: charged) ? afterMaker : afterMaker + (await setup.waitFor(charged))
        let collateral = balance.compactMap { if case .balanceUpdate(let value, _, _) = $0 { value } else { nil } }.last
        #expect(collateral.map { abs($0 - (100_000 - Double(makerFee) / 1e6)) < 1e-6 } == true)

        // Taker: the second account rests an ask inside the spread; our IOC buy takes it.
        let ask = Price(ticks: top.ask - 1)
        try await setup.secondAccountOrder(
            lots: size.lots, priceTicks: ask.ticks, isAsk: true, timeInForce: .postOnly, clientIndex: 2)
        let takerID = try #require(ClientOrderID(rawValue: 20_002))
        setup.venue.submit(
            [.place(OrderRequest(id: takerID, side: .buy, price: ask, size: size, timeInForce: .immediateOrCancel))],
            at: .epoch)
        let afterTaker = await setup.waitFor { event in
            if case .positionUpdate(let position, _, _) = event { position.lots == 2 * size.lots } else { false }
        }
        let takerFill = try #require(Self.fills(afterTaker).first { $0.id == takerID })
        let takerFee = (ask.ticks * size.lots * 280 + 999_999) / 1_000_000
        #expect(!takerFill.isMaker)
        #expect(takerFill.price == ask)
        #expect(takerFill.size == size)
        #expect(takerFill.fee == takerFee)
        #expect(takerFill.remaining == .zero)
    }

    @Test func anEngineFedByTheVenueHoldsTheExchangePosition() async throws {
        let setup = try await Setup.start()
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let engine = Self.engine(spec: setup.spec, size: setup.size(at: top.bid))
        // A fill of an order the engine never placed (another program on the account): the engine
        // has no fill to count, so the exchange's position is what corrects it.
        try await setup.secondAccountOrder(
            lots: setup.size(at: top.bid).lots, priceTicks: top.ask - 1, isAsk: true, timeInForce: .postOnly, clientIndex: 3)
        let first = setup.sandbox.first
        let nonce = try await setup.sandbox.rest.nextNonce(accountIndex: first.accountIndex, apiKeyIndex: first.apiKeyIndex)
        let foreign = try setup.sandbox.sign(
            .createOrder(
                OrderInfo(
                    marketIndex: 0, clientOrderIndex: 777, baseAmount: setup.size(at: top.bid).lots,
                    price: UInt32(top.ask - 1), isAsk: false, timeInForce: .immediateOrCancel, orderExpiry: 0)),
            account: first, nonce: nonce)
        #expect(try await setup.sandbox.rest.sendTx(foreign).code == 200)
        let events = await setup.waitFor { event in
            if case .positionUpdate(let position, _, _) = event { position.lots > 0 } else { false }
        }
        for event in events { engine.handle(event) }
        #expect(engine.position == setup.size(at: top.bid))
        #expect(engine.counters.positionMismatches == 1)
        #expect(Self.fills(events).isEmpty, "no fill is invented for an order the venue did not place")
    }

    // MARK: Item 3: stream drops

    @Test func aDroppedStreamPausesTheEngineAndTheReconnectReconcilesBeforeQuoting() async throws {
        let setup = try await Setup.start()
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let size = setup.size(at: top.bid)
        let engine = Self.engine(spec: setup.spec, size: size)
        let book = BookSnapshot(
            receivedAt: .epoch, exchangeTimeMs: 0, sequence: 1,
            bids: [BookLevel(price: Price(ticks: top.bid), size: Quantity(lots: 10_000))],
            asks: [BookLevel(price: Price(ticks: top.ask), size: Quantity(lots: 10_000))])
        let open = await Self.pump(engine, setup, book: book) { (try? await setup.venue.openOrders().count) == 2 }
        #expect(open)
        let before = Set(try await setup.venue.openOrders().map(\.clientOrderIndex))

        // The sandbox drops every connection; an order unknown to the engine appears meanwhile.
        await setup.sandbox.server.dropConnections()
        let first = setup.sandbox.first
        let nonce = try await setup.sandbox.rest.nextNonce(accountIndex: first.accountIndex, apiKeyIndex: first.apiKeyIndex)
        let stale = try setup.sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 555, lots: size.lots, priceTicks: top.bid - 100, isAsk: false),
            account: first, nonce: nonce)
        #expect(try await setup.sandbox.rest.sendTx(stale).code == 200)

        // Paused: the kill switch is on (quoting stopped, our orders cancelled).
        let paused = await Self.pump(engine, setup, book: book) { setup.venue.isEnginePaused && engine.risk.isKilled }
        #expect(paused)
        #expect(setup.streamEvents.all.contains { if case .disconnected = $0 { true } else { false } })

        // After the reconnect: reconciled (the unknown order cancelled, nothing adopted), then quoting again.
        var staleOpenAtResume: Bool?
        let resumed = await Self.pump(engine, setup, book: book) {
            guard !setup.venue.isEnginePaused else { return false }
            if staleOpenAtResume == nil {
                staleOpenAtResume = (try? await setup.venue.openOrders().contains { $0.clientOrderIndex == 555 }) ?? true
            }
            return true
        }
        #expect(resumed)
        #expect(staleOpenAtResume == false, "the unknown order was cancelled before quoting resumed")
        #expect(setup.venue.resynchronisations == 1)
        #expect(!engine.risk.isKilled)
        #expect(setup.streamEvents.all.filter { if case .connected = $0 { true } else { false } }.count >= 2)
        // Quoting resumes with new orders; none of the old ones nor the unknown one is open.
        let requoted = await Self.pump(engine, setup, book: book) { (try? await setup.venue.openOrders().count) == 2 }
        #expect(requoted)
        let after = Set(try await setup.venue.openOrders().map(\.clientOrderIndex))
        #expect(after.isDisjoint(with: before))
        #expect(!after.contains(555))
    }

    // MARK: Reconcile while healthy: after a breaker trip, and the periodic sweep

    /// Places an order for the sandbox's first account by hand (unknown to any engine).
    static func handPlacedOrder(_ setup: Setup, clientIndex: Int64, lots: Int64, priceTicks: Int64) async throws {
        let first = setup.sandbox.first
        let nonce = try await setup.sandbox.rest.nextNonce(accountIndex: first.accountIndex, apiKeyIndex: first.apiKeyIndex)
        let order = try setup.sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: clientIndex, lots: lots, priceTicks: priceTicks, isAsk: false),
            account: first, nonce: nonce)
        #expect(try await setup.sandbox.rest.sendTx(order).code == 200)
    }

    @Test func aTrippedBreakerIsReconciledBeforeQuotingResumes() async throws {
        let setup = try await Setup.start(reconcileIntervalNanoseconds: nil)
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let size = setup.size(at: top.bid)
        var configuration = EngineConfiguration()
        configuration.risk = RiskConfiguration(
            maxPosition: .base(Quantity(lots: size.lots * 10)), useDynamicLimit: false, circuitBreakerRejects: 1,
            circuitBreakerCooldownMs: 0)
        configuration.sizing = SizingConfiguration(rule: .fixed(size))
        let engine = Engine(
            spec: setup.spec, strategy: OutsideQuotes(), configuration: configuration,
            ids: ClientOrderIDGenerator(startTime: LiveClock().now))
        let book = BookSnapshot(
            receivedAt: .epoch, exchangeTimeMs: 0, sequence: 1,
            bids: [BookLevel(price: Price(ticks: top.bid), size: Quantity(lots: 10_000))],
            asks: [BookLevel(price: Price(ticks: top.ask), size: Quantity(lots: 10_000))])
        let quoting = await Self.pump(engine, setup, book: book) { (try? await setup.venue.openOrders().count) == 2 }
        #expect(quoting)

        // An order placed by hand, then one reject: the breaker (1 reject) trips and cancels ours.
        try await Self.handPlacedOrder(setup, clientIndex: 777, lots: size.lots, priceTicks: top.bid - 100)
        engine.handle(.rejected(id: nil, code: 21120, message: "test reject", time: LiveClock().now))
        #expect(engine.risk.isBreakerTripped)

        // The cooldown is 0: the venue reconciles (the hand-placed order is cancelled, nothing is
        // adopted), then the breaker lets quoting resume with two new orders.
        let resumed = await Self.pump(engine, setup, book: book) {
            guard setup.venue.breakerReconciles == 1, !engine.risk.isBreakerTripped else { return false }
            let open = (try? await setup.venue.openOrders()) ?? []
            return open.count == 2 && !open.contains { $0.clientOrderIndex == 777 }
        }
        #expect(resumed)
        #expect(setup.venue.breakerReconciles == 1)
        #expect(!(try await setup.venue.openOrders()).contains { $0.clientOrderIndex == 777 })
    }

    @Test func thePeriodicSweepCancelsUnknownOrdersAndKeepsOurs() async throws {
        let setup = try await Setup.start(reconcileIntervalNanoseconds: 300_000_000)
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let size = setup.size(at: top.bid)
        let engine = Self.engine(spec: setup.spec, size: size)
        let book = BookSnapshot(
            receivedAt: .epoch, exchangeTimeMs: 0, sequence: 1,
            bids: [BookLevel(price: Price(ticks: top.bid), size: Quantity(lots: 10_000))],
            asks: [BookLevel(price: Price(ticks: top.ask), size: Quantity(lots: 10_000))])
        let quoting = await Self.pump(engine, setup, book: book) { (try? await setup.venue.openOrders().count) == 2 }
        #expect(quoting)
        let ours = Set(try await setup.venue.openOrders().map(\.clientOrderIndex))

        try await Self.handPlacedOrder(setup, clientIndex: 778, lots: size.lots, priceTicks: top.bid - 100)
        let swept = await Self.pump(engine, setup, book: book) {
            guard setup.venue.sweptUnknownOrders == 1 else { return false }
            return (try? await setup.venue.openOrders().contains { $0.clientOrderIndex == 778 }) == false
        }
        #expect(swept)
        #expect(setup.venue.sweptUnknownOrders == 1)
        // Our own orders were never touched: the same two are still open, and the engine never halted.
        #expect(Set(try await setup.venue.openOrders().map(\.clientOrderIndex)) == ours)
        #expect(!engine.risk.isBreakerTripped && !engine.risk.isKilled)
        #expect(setup.venue.reconcileSweeps >= 1)
    }

    // MARK: Item 4: dead-man's switch

    @Test func deadMansSwitchArmsWithinLightersWindowAndDisarms() async throws {
        // The sandbox keeps Lighter's 5-minute minimum here.
        let setup = try await Setup.start(deadMansSwitchMilliseconds: 600_000)
        defer { Task { await setup.stop() } }
        let armed = await SandboxHarness.eventually(seconds: 10) { setup.venue.deadMansSwitchArmedUntil != nil }
        #expect(armed)
        let account = try await setup.sandbox.rest.account(index: setup.sandbox.first.accountIndex)
        let scheduled = try #require(account.cancelAllTime)
        let ahead = scheduled - SandboxHarness.nowMilliseconds
        #expect(ahead > 590_000 && ahead <= 600_000)
        try await setup.venue.disarmDeadMansSwitch()
        #expect(try await setup.sandbox.rest.account(index: setup.sandbox.first.accountIndex).cancelAllTime == 0)
        #expect(setup.venue.deadMansSwitchArmedUntil == nil)

        // A schedule closer than 5 minutes is refused with Lighter's "invalid cancel all time".
        let sender = TransactionSender(
            rest: setup.sandbox.rest, accountIndex: setup.sandbox.first.accountIndex, apiKeys: [setup.sandbox.first.apiKeyIndex])
        let shortVenue = LighterVenue(
            configuration: .init(
                chain: SandboxHarness.chain, accountIndex: setup.sandbox.first.accountIndex,
                apiKeyIndex: setup.sandbox.first.apiKeyIndex, spec: setup.spec, deadMansSwitchMilliseconds: 60_000),
            privateKey: setup.sandbox.first.privateKey, rest: setup.sandbox.rest, sender: sender)
        await #expect {
            try await shortVenue.armDeadMansSwitch()
        } throws: { error in
            (error as? LighterClientError)?.apiError?.code.rawValue == 21714
        }
    }

    @Test func deadMansSwitchCancelsOurOrdersOnceRenewalsStop() async throws {
        // A 3 s switch (the sandbox's 5-minute minimum lowered for the test), renewed every second.
        let setup = try await Setup.start(cancelAllMinimumMilliseconds: 1_000, deadMansSwitchMilliseconds: 3_000)
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let id = try #require(ClientOrderID(rawValue: 30_001))
        setup.venue.submit(
            [.place(OrderRequest(id: id, side: .buy, price: Price(ticks: top.bid - 40), size: setup.size(at: top.bid)))],
            at: .epoch)
        _ = await setup.waitFor { if case .accepted(id, _, _) = $0 { true } else { false } }
        // Renewed in time, the order outlives several switch periods.
        try await Task.sleep(nanoseconds: 7_000_000_000)
        #expect(setup.venue.deadMansSwitchRenewals >= 5)
        #expect(try await setup.venue.openOrders().map(\.clientOrderIndex) == [id.rawValue])
        // The process "dies": nothing renews; the exchange cancels the order when the switch fires.
        setup.senderTask.cancel()
        let events = await setup.waitFor(seconds: 8) { if case .canceled(id, _, _) = $0 { true } else { false } }
        #expect(events.contains { if case .canceled(id, .requested, _) = $0 { true } else { false } })
        #expect(try await setup.venue.openOrders().isEmpty)
    }

    // MARK: Item 5: cancel racing a fill

    @Test func aCancelRacingAFillIsABenignRaceNotAReject() async throws {
        let setup = try await Setup.start(raceWaitNanoseconds: 1_500_000_000)
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let id = try #require(ClientOrderID(rawValue: 40_001))
        let size = setup.size(at: top.bid)
        let price = Price(ticks: top.bid + 1)
        setup.venue.submit([.place(OrderRequest(id: id, side: .buy, price: price, size: size))], at: .epoch)
        _ = await setup.waitFor { if case .accepted(id, _, _) = $0 { true } else { false } }
        // The order fills completely; our cancel, sent right after, finds it inactive (21600).
        try await setup.secondAccountOrder(
            lots: size.lots, priceTicks: price.ticks, isAsk: true, timeInForce: .immediateOrCancel, clientIndex: 4)
        setup.venue.submit([.cancel(id: id)], at: .epoch)
        // A cancel of an order that never existed gets the same code and is a real reject.
        let ghost = try #require(ClientOrderID(rawValue: 40_999))
        setup.venue.submit([.cancel(id: ghost)], at: .epoch)
        let events = await setup.waitFor(seconds: 6) { if case .rejected(ghost, _, _, _) = $0 { true } else { false } }
        #expect(events.contains { if case .rejected(ghost, 21600, _, _) = $0 { true } else { false } })
        #expect(Self.fills(events).contains { $0.id == id && $0.remaining == .zero })
        #expect(!events.contains { if case .rejected(id, _, _, _) = $0 { true } else { false } })
        #expect(setup.venue.benignRaces == 1)
    }

    @Test func aPlaceExecutedInAFailedBatchIsNeverLeftOrphaned() async throws {
        let setup = try await Setup.start(raceWaitNanoseconds: 500_000_000)
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let placed = try #require(ClientOrderID(rawValue: 60_001))
        let ghost = try #require(ClientOrderID(rawValue: 60_999))
        // One batch: a valid place, then a cancel of an order that never existed. The exchange runs
        // the place, refuses the cancel (21600) and answers the batch with the error.
        setup.venue.submit(
            [
                .place(OrderRequest(id: placed, side: .buy, price: Price(ticks: top.bid - 60), size: setup.size(at: top.bid))),
                .cancel(id: ghost),
            ], at: .epoch)
        let events = await setup.waitFor { if case .rejected(ghost, _, _, _) = $0 { true } else { false } }
        let accepted = events.contains { if case .accepted(placed, _, _) = $0 { true } else { false } }
        let rejected = events.contains { if case .rejected(placed, 21600, _, _) = $0 { true } else { false } }
        // Either the stream showed it open before the batch's answer (then it stays ours: accepted,
        // not rejected), or after (then it was reported rejected and the venue cancels it).
        #expect(accepted != rejected)
        if rejected {
            let cleaned = await SandboxHarness.eventually(seconds: 10) { (try? await setup.venue.openOrders().isEmpty) ?? false }
            #expect(cleaned)
            #expect(setup.venue.disownedOrdersCancelled == 1)
            let later = await setup.waitFor(seconds: 1) { _ in false }
            #expect(!later.contains { $0.orderID == placed }, "the engine hears nothing more of it")
        } else {
            #expect(try await setup.venue.openOrders().map(\.clientOrderIndex) == [placed.rawValue])
            #expect(setup.venue.disownedOrdersCancelled == 0)
        }
    }

    // MARK: Item 6: quota recovery

    @Test func lowQuotaIsRecoveredByASmallIOCPairWithinTheLossBudget() async throws {
        // 12 units to start, only the very first send free, 1 unit per 10 USDC traded.
        let quota = VolumeQuotaModel(initial: 12, notionalPerUnitUSD: 10, freeIntervalNanoseconds: 3_600_000_000_000)
        let setup = try await Setup.start(
            volumeQuota: quota,
            quotaRecovery: .init(below: 10, maxDailyLossUSD: 5, legNotionalUSD: 50, intervalNanoseconds: 100_000_000))
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let bid = Price(ticks: top.bid)
        let ask = Price(ticks: top.ask)
        // Nothing to recover while the quota is unknown or high.
        #expect(!setup.venue.recoverQuotaIfNeeded(bestBid: bid, bestAsk: ask, at: LiveClock().now))
        // Four resting orders far from the touch, one send each: free, then 11, 10, 9.
        for index in 0..<4 {
            let id = try #require(ClientOrderID(rawValue: 50_001 + Int64(index)))
            setup.venue.submit(
                [.place(OrderRequest(id: id, side: .buy, price: Price(ticks: top.bid - 200 - Int64(index)), size: setup.size(at: top.bid)))],
                at: .epoch)
            _ = await setup.waitFor { if case .accepted(id, _, _) = $0 { true } else { false } }
        }
        #expect(setup.venue.quotaRemaining == 9)
        #expect(setup.venue.recoverQuotaIfNeeded(bestBid: bid, bestAsk: ask, at: LiveClock().now))
        // The legs' size: 50 USDC at the mid, rounded up to the lot (ETH: 4 size decimals, prices in cents).
        let midCents = Double(top.bid + top.ask) / 2
        let lots = Int64((50 / (midCents / 100) * 10_000).rounded(.up))
        let tradedUSD = Double(lots) * Double(top.ask + top.bid) / 1e6
        // The pair costs 2 units and earns one per 10 USDC traded on both legs.
        let expected = 9 - 2 + Int64(tradedUSD / 10)
        let recovered = await SandboxHarness.eventually(seconds: 10) { setup.venue.quotaRemaining == expected }
        #expect(recovered, "quota \(setup.venue.quotaRemaining.map(String.init) ?? "?"), expected \(expected)")
        #expect(expected >= 10)
        // Bought at the ask, sold at the bid, no fees here: the cost is the spread on the size.
        let spreadUSD = Double((top.ask - top.bid) * lots) / 1e6
        let costed = await SandboxHarness.eventually(seconds: 5) { abs(setup.venue.quotaRecoveryLossUSD - spreadUSD) < 1e-9 }
        #expect(costed, "loss \(setup.venue.quotaRecoveryLossUSD), expected \(spreadUSD)")
        #expect(setup.venue.quotaRecoveryPairs == 1)
        // Flat again, and the engine was shown none of it.
        let account = try await setup.sandbox.rest.account(index: setup.sandbox.first.accountIndex)
        let position = try #require(account.positions.first { $0.marketID == 0 })
        #expect(try position.signedQuantity(sizeDecimals: 4) == .zero)
        var events: [ExecutionEvent] = []
        setup.venue.drainEvents(upTo: Timestamp(nanoseconds: .max), into: &events)
        #expect(!Self.fills(events).contains { $0.id.rawValue >= 1 << 47 })
        #expect(!events.contains { if case .accepted(let id, _, _) = $0 { id.rawValue >= 1 << 47 } else { false } })

        // A venue whose budget cannot pay the spread sends nothing, however low the quota.
        let sender = TransactionSender(
            rest: setup.sandbox.rest, accountIndex: setup.sandbox.first.accountIndex, apiKeys: [setup.sandbox.first.apiKeyIndex])
        let broke = LighterVenue(
            configuration: .init(
                chain: SandboxHarness.chain, accountIndex: setup.sandbox.first.accountIndex,
                apiKeyIndex: setup.sandbox.first.apiKeyIndex, spec: setup.spec,
                quotaRecovery: .init(below: 1_000_000, maxDailyLossUSD: spreadUSD / 2)),
            privateKey: setup.sandbox.first.privateKey, rest: setup.sandbox.rest, sender: sender)
        let id = try #require(ClientOrderID(rawValue: 50_100))
        broke.submit(
            [.place(OrderRequest(id: id, side: .buy, price: Price(ticks: top.bid - 300), size: setup.size(at: top.bid)))],
            at: .epoch)
        await broke.sendQueued()
        #expect(broke.quotaRemaining != nil)
        #expect(!broke.recoverQuotaIfNeeded(bestBid: bid, bestAsk: ask, at: LiveClock().now))
        #expect(broke.quotaRecoveryPairs == 0)
    }

    // MARK: Helpers

    /// Quotes one bid 50 ticks under the best bid and one ask 50 ticks over the best ask.
    struct OutsideQuotes: QuoteStrategy {
        var name: String { "outside" }

        mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) {
            guard let bid = input.book.bestBid?.price, let ask = input.book.bestAsk?.price else { return }
            targets.append(QuoteLevel(price: Price(ticks: bid.ticks - 50), size: input.orderSize), to: .buy)
            targets.append(QuoteLevel(price: Price(ticks: ask.ticks + 50), size: input.orderSize), to: .sell)
        }
    }

    static func engine(spec: MarketSpec, size: Quantity) -> Engine<OutsideQuotes> {
        var configuration = EngineConfiguration()
        configuration.risk = RiskConfiguration(
            maxPosition: .base(Quantity(lots: size.lots * 10)), useDynamicLimit: false, circuitBreakerCooldownMs: 0)
        configuration.sizing = SizingConfiguration(rule: .fixed(size))
        return Engine(
            spec: spec, strategy: OutsideQuotes(), configuration: configuration,
            ids: ClientOrderIDGenerator(startTime: LiveClock().now))
    }

    /// Runs the engine's loop (pump, supervise) every 20 ms until `condition` holds or 15 s pass;
    /// `book` is shown to the engine again at every step (the quiet sandbox book does not move).
    static func pump(
        _ engine: Engine<OutsideQuotes>, _ setup: Setup, book: BookSnapshot, until condition: () async -> Bool
    ) async -> Bool {
        let clock = LiveClock()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let now = clock.now
            var snapshot = book
            snapshot.receivedAt = now
            engine.handle(.bookSnapshot(snapshot), at: now)
            engine.pump(setup.venue, upTo: now)
            await setup.venue.supervise(engine, at: now)
            engine.submitPendingActions(to: setup.venue)
            if await condition() { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return await condition()
    }
}
