/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`): a 64-bit
/// generator with one word of state, used here to expand a seed into `Xoshiro256StarStar`'s
/// state. Deterministic: the same seed gives the same sequence on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The current state word.
    public private(set) var state: UInt64

    /// Creates the generator with `seed` as its initial state.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// The next 64 random bits: `z = state += 0x9E3779B97F4A7C15`, then two xor-shift-multiply
    /// rounds and a final xor-shift.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
/// reference `xoshiro256starstar.c`): fast, 256 bits of state, period 2²⁵⁶ − 1. Seeded through
/// SplitMix64 as its authors recommend. A value type: copying it forks the sequence.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Creates the generator with its state filled by four outputs of `SplitMix64(seed:)`.
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
    }

    /// Creates the generator with an explicit state; nil if all four words are zero (the one
    /// state the generator cannot leave).
    public init?(state: (UInt64, UInt64, UInt64, UInt64)) {
        guard state.0 | state.1 | state.2 | state.3 != 0 else { return nil }
        (s0, s1, s2, s3) = state
    }

    /// The next 64 random bits: `rotl(s1·5, 7)·9`, then the xoshiro state transition.
    /// (Inlinable: a simulation draws several per event.)
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform `Double` in [0, 1) built from the top 53 bits: `(next() >> 11) · 2⁻⁵³`.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inlinable
    func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
