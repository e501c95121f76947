#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating system's cryptographically secure generator, reading all the words a scalar needs in one call
/// (`getentropy` on Linux, `arc4random_buf` on Apple platforms), with `SystemRandomNumberGenerator` as the fallback.
struct SecureRandomGenerator: RandomNumberGenerator {
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var available = 0
    private var system = SystemRandomNumberGenerator()

    mutating func next() -> UInt64 {
        if available == 0 { refill() }
        available -= 1
        return withUnsafeBytes(of: &buffer) { $0.load(fromByteOffset: 8 * available, as: UInt64.self) }
    }

    private mutating func refill() {
        let count = 8
        let filled: Bool = withUnsafeMutableBytes(of: &buffer) { raw in
            guard let base = raw.baseAddress else { return false }
            #if canImport(Glibc) || canImport(Musl)
            return getentropy(base, raw.count) == 0
            #elseif canImport(Darwin)
            arc4random_buf(base, raw.count)
            return true
            #else
            return false
            #endif
        }
        if !filled {
            buffer = (system.next(), system.next(), system.next(), system.next(),
                      system.next(), system.next(), system.next(), system.next())
        }
        available = count
    }
}
