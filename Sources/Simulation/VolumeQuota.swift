/// Lighter's volume quota for premium accounts, as the simulated venue applies it.
///
/// Each action sent consumes one unit, except one action every ``freeIntervalNanoseconds`` which is
/// free; every ``notionalPerUnitUSD`` of traded volume earns one unit back, up to ``maximum``. An
/// action that finds no quota left is refused (code 23000, Lighter's "Too Many Requests"; the code
/// Lighter uses for an empty quota is not documented). After every action the venue reports the
/// remaining quota with ``Trading/ExecutionEvent/quotaUpdate(remaining:time:)``. Lighter charges a
/// batch either one unit or one per transaction (undocumented); the simulation charges one per action.
public struct VolumeQuotaModel: Hashable, Sendable {
    /// Units a new account starts with.
    public var initial: Int
    /// The most units an account can hold.
    public var maximum: Int
    /// Traded volume (USD) that earns one unit.
    public var notionalPerUnitUSD: Double
    /// One action in each interval of this length is free.
    public var freeIntervalNanoseconds: Int64

    /// Lighter's documented values: 1 000 to start, 5 000 000 at most, 1 unit per 10 USDC traded,
    /// one free action every 15 s.
    public init(
        initial: Int = 1000, maximum: Int = 5_000_000, notionalPerUnitUSD: Double = 10,
        freeIntervalNanoseconds: Int64 = 15_000_000_000
    ) {
        self.initial = initial
        self.maximum = maximum
        self.notionalPerUnitUSD = notionalPerUnitUSD
        self.freeIntervalNanoseconds = freeIntervalNanoseconds
    }
}

/// The running state of a ``VolumeQuotaModel``.
struct VolumeQuotaState {
    let model: VolumeQuotaModel
    var remaining: Int
    var lastFree: Int64 = .min
    var earnedUnits = 0

    init(model: VolumeQuotaModel) {
        self.model = model
        remaining = model.initial
    }

    /// Charges one action at `time`; false if none is left.
    mutating func charge(at time: Int64) -> Bool {
        if lastFree == .min || time - lastFree >= model.freeIntervalNanoseconds {
            lastFree = time
            return true
        }
        guard remaining > 0 else { return false }
        remaining -= 1
        return true
    }

    /// Credits the units earned by a total traded volume of `tradedUSD`.
    mutating func credit(tradedUSD: Double) {
        guard model.notionalPerUnitUSD > 0 else { return }
        let units = Int((tradedUSD / model.notionalPerUnitUSD).rounded(.down))
        if units > earnedUnits {
            remaining = min(model.maximum, remaining + units - earnedUnits)
            earnedUnits = units
        }
    }
}
