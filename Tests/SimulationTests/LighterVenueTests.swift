import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation
import Synchronization
import Testing
import Trading

/// `LighterVenue` end to end against the in-process sandbox: real sockets, signatures and nonces.
@Suite struct LighterVenueTests {
    /// A venue for the sandbox's first account on ETH, its sender task and its stream.
    struct Setup {
        let sandbox: SandboxHarness
        let venue: LighterVenue
        let spec: MarketSpec
        let tasks: [Task<Void, Never>]

        static func start() async throws -> Setup {
            let sandbox = try await SandboxHarness.start(quiet: true)
            let specs = try await sandbox.rest.marketSpecs()
            let spec = try #require(specs.first { $0.marketID == 0 })
            let account = sandbox.first
            let sender = TransactionSender(rest: sandbox.rest, accountIndex: account.accountIndex, apiKeys: [account.apiKeyIndex])
            let venue = LighterVenue(
                configuration: .init(
                    chain: SandboxHarness.chain, accountIndex: account.accountIndex, apiKeyIndex: account.apiKeyIndex,
                    spec: spec),
                privateKey: account.privateKey, rest: sandbox.rest, sender: sender)
            let grant = venue.authToken()
            let stream = LighterStreamClient(
                configuration: .init(url: sandbox.server.streamURL, tickInterval: 0.2), markets: MarketDecimalsTable(specs),
                subscriptions: [.accountAllOrders(account: account.accountIndex)], tokenProvider: { _ in grant })
            let streamTask = Task { await stream.run { venue.handle($0) } }
            let senderTask = Task { await venue.runSender() }
            // The subscription's snapshot arrives before anything we place.
            try await Task.sleep(nanoseconds: 500_000_000)
            return Setup(sandbox: sandbox, venue: venue, spec: spec, tasks: [streamTask, senderTask])
        }

        func stop() async {
            for task in tasks { task.cancel() }
            await sandbox.stop()
        }

        /// Drains until an event matching `match` arrives (or 10 s pass); returns all drained events.
        func waitFor(_ match: (ExecutionEvent) -> Bool) async -> [ExecutionEvent] {
            var seen: [ExecutionEvent] = []
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                var events: [ExecutionEvent] = []
                venue.drainEvents(upTo: Timestamp(nanoseconds: .max), into: &events)
                seen.append(contentsOf: events)
                if seen.contains(where: match) { return seen }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            return seen
        }

        /// A size of a few times the market minimum at `ticks`.
        func size(at ticks: Int64) -> Quantity {
            Quantity(lots: spec.minimumQuantity(at: Price(ticks: ticks)).lots * 3)
        }
    }

    @Test func placeModifyCancelAndCancelAll() async throws {
        let setup = try await Setup.start()
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let id = try #require(ClientOrderID(rawValue: 7_001))
        let size = setup.size(at: top.bid)
        let price = Price(ticks: top.bid - 50)
        setup.venue.submit([.place(OrderRequest(id: id, side: .buy, price: price, size: size))], at: Timestamp(nanoseconds: 0))
        let placed = await setup.waitFor { if case .accepted(id, _, _) = $0 { true } else { false } }
        #expect(placed.contains { if case .accepted(id, let exchangeID, _) = $0 { exchangeID != nil } else { false } })

        // Modify to a new price and half the size: the stream reports the new price and remaining size.
        let newPrice = Price(ticks: top.bid - 60)
        let newSize = Quantity(lots: size.lots / 2)
        setup.venue.submit([.modify(id: id, price: newPrice, size: newSize)], at: Timestamp(nanoseconds: 0))
        let modified = await setup.waitFor { if case .modified(id, _, _, _) = $0 { true } else { false } }
        #expect(modified.contains { if case .modified(id, newPrice, newSize, _) = $0 { true } else { false } })

        setup.venue.submit([.cancel(id: id)], at: Timestamp(nanoseconds: 0))
        let canceled = await setup.waitFor { if case .canceled(id, .requested, _) = $0 { true } else { false } }
        #expect(canceled.contains { if case .canceled(id, .requested, _) = $0 { true } else { false } })

        // Two orders placed in one submit go out as one batch; cancel-all removes both.
        let second = try #require(ClientOrderID(rawValue: 7_002))
        let third = try #require(ClientOrderID(rawValue: 7_003))
        setup.venue.submit(
            [
                .place(OrderRequest(id: second, side: .buy, price: Price(ticks: top.bid - 70), size: size)),
                .place(OrderRequest(id: third, side: .sell, price: Price(ticks: top.ask + 70), size: size)),
            ], at: Timestamp(nanoseconds: 0))
        var both: [ExecutionEvent] = []
        for expected in [second, third] where !both.contains(where: { if case .accepted(expected, _, _) = $0 { true } else { false } }) {
            both += await setup.waitFor { if case .accepted(expected, _, _) = $0 { true } else { false } }
        }
        #expect(both.contains { if case .accepted(second, _, _) = $0 { true } else { false } })
        #expect(both.contains { if case .accepted(third, _, _) = $0 { true } else { false } })
        // The stream may show the orders open before the batch's HTTP answer is counted.
        let batched = await SandboxHarness.eventually(seconds: 5) { setup.venue.sendCounts.batches >= 1 }
        #expect(batched)
        #expect(try await setup.venue.openOrders().count == 2)

        setup.venue.submit([.cancelAll], at: Timestamp(nanoseconds: 0))
        let cleared = await SandboxHarness.eventually(seconds: 10) { (try? await setup.venue.openOrders().isEmpty) ?? false }
        #expect(cleared)
    }

    @Test func rejectedOrderCarriesTheExchangeCode() async throws {
        let setup = try await Setup.start()
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let id = try #require(ClientOrderID(rawValue: 8_001))
        // One lot is below the market's minimum base amount: Lighter answers 21706 (invalid order amount).
        setup.venue.submit(
            [.place(OrderRequest(id: id, side: .buy, price: Price(ticks: top.bid - 50), size: Quantity(lots: 1)))], at: Timestamp(nanoseconds: 0))
        let events = await setup.waitFor { if case .rejected(id, _, _, _) = $0 { true } else { false } }
        #expect(events.contains { if case .rejected(id, 21706, _, _) = $0 { true } else { false } })
    }

    @Test func aTakerAgainstOurBidArrivesAsAFill() async throws {
        let setup = try await Setup.start()
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        #expect(top.ask - top.bid >= 2, "the quiet sandbox book needs room inside the spread")
        let id = try #require(ClientOrderID(rawValue: 9_001))
        let size = setup.size(at: top.bid)
        let price = Price(ticks: top.bid + 1)
        setup.venue.submit([.place(OrderRequest(id: id, side: .buy, price: price, size: size))], at: Timestamp(nanoseconds: 0))
        _ = await setup.waitFor { if case .accepted(id, _, _) = $0 { true } else { false } }

        // The second account sells exactly our size at our price, immediate-or-cancel.
        let second = setup.sandbox.second
        let nonce = try await setup.sandbox.rest.nextNonce(accountIndex: second.accountIndex, apiKeyIndex: second.apiKeyIndex)
        let sell = try setup.sandbox.sign(
            .createOrder(
                OrderInfo(
                    marketIndex: 0, clientOrderIndex: 1, baseAmount: size.lots, price: UInt32(price.ticks), isAsk: true,
                    timeInForce: .immediateOrCancel, orderExpiry: 0)),
            account: second, nonce: nonce)
        let reply = try await setup.sandbox.rest.sendTx(sell)
        #expect(reply.code == 200)

        let events = await setup.waitFor { if case .fill = $0 { true } else { false } }
        let fill = try #require(events.compactMap { if case .fill(let fill) = $0 { fill } else { nil } }.first)
        #expect(fill.id == id)
        #expect(fill.side == .buy)
        #expect(fill.price == price)
        #expect(fill.size == size)
        #expect(fill.remaining == .zero)
        #expect(try await setup.venue.openOrders().isEmpty)
    }

    @Test func reconcileCancelsOrdersWeDoNotKnow() async throws {
        let setup = try await Setup.start()
        defer { Task { await setup.stop() } }
        let top = try await setup.sandbox.ethTop()
        let size = setup.size(at: top.bid)
        // A stale order from an earlier run, placed directly, and one of ours through the venue.
        let account = setup.sandbox.first
        let nonce = try await setup.sandbox.rest.nextNonce(accountIndex: account.accountIndex, apiKeyIndex: account.apiKeyIndex)
        let stale = try setup.sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 555, lots: size.lots, priceTicks: top.bid - 80, isAsk: false),
            account: account, nonce: nonce)
        #expect(try await setup.sandbox.rest.sendTx(stale).code == 200)
        let ours = try #require(ClientOrderID(rawValue: 10_001))
        setup.venue.submit([.place(OrderRequest(id: ours, side: .buy, price: Price(ticks: top.bid - 90), size: size))], at: Timestamp(nanoseconds: 0))
        _ = await setup.waitFor { if case .accepted(ours, _, _) = $0 { true } else { false } }
        #expect(try await setup.venue.openOrders().count == 2)

        let kept = try await setup.venue.reconcile(known: [ours])
        #expect(kept == [ours])
        let onlyOurs = await SandboxHarness.eventually(seconds: 10) {
            (try? await setup.venue.openOrders().map(\.clientOrderIndex)) == [ours.rawValue]
        }
        #expect(onlyOurs)
    }
}
