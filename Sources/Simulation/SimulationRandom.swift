#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Quant

/// The simulator's seeded random source: xoshiro256** with the draws the simulator needs.
///
/// Everything random in a simulation (order flow, price moves, sampled latencies) comes from
/// values of this type created from a seed, never from global randomness, so the same seed gives
/// byte-identical runs on every platform. It is a value type: copying it forks the sequence.
///
/// ```swift
/// var random = SimulationRandom(seed: 42)
/// let wait = random.exponential(rate: 3.0)   // seconds until the next event of a 3/s process
/// ```
public struct SimulationRandom: Sendable, Hashable {
    @usableFromInline var generator: Xoshiro256StarStar

    /// A source whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        generator = Xoshiro256StarStar(seed: seed)
    }

    /// A source for a sub-stream: a different, independent sequence derived from `seed` and `stream`
    /// (so the order flow and the latency draws do not consume each other's numbers).
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        generator = Xoshiro256StarStar(seed: mixer.next())
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 { generator.next() }

    /// A uniform value in [0, 1).
    @inlinable
    public mutating func unit() -> Double { Double(generator.next() >> 11) * 0x1.0p-53 }

    /// A uniform value in (0, 1]: safe to take the logarithm of.
    @inlinable
    public mutating func openUnit() -> Double { Double((generator.next() >> 11) &+ 1) * 0x1.0p-53 }

    /// A uniform integer in `0 ..< bound` (Lemire's multiply-shift; `bound` must be positive).
    @inlinable
    public mutating func integer(below bound: UInt64) -> UInt64 {
        generator.next().multipliedFullWidth(by: bound).high
    }

    /// An exponential draw with the given rate (mean `1 / rate`).
    @inlinable
    public mutating func exponential(rate: Double) -> Double { -log(openUnit()) / rate }

    /// A standard normal draw (Box–Muller; one pair member is used, so the sequence is simple to
    /// reproduce).
    @inlinable
    public mutating func gaussian() -> Double {
        let radius = (-2 * log(openUnit())).squareRoot()
        return radius * cos(2 * Double.pi * unit())
    }
}
