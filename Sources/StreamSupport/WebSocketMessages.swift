import MarketCore
import NIOCore
import WSClient

/// Whole WebSocket messages from a stream of frames, shared by the Lighter and Binance clients.
public enum WebSocketMessages {
    /// Reads frames from `inbound` until it ends, joins fragmented messages (continuation frames)
    /// and passes every whole text or binary message to `deliver` with the time it was completed.
    ///
    /// - Parameters:
    ///   - maxSize: the largest message accepted, in bytes; a larger one stops the reading.
    ///   - clock: the receive times' clock.
    /// - Returns: why reading stopped, in words (`closed by server`, `read error: …`,
    ///   `message larger than N bytes`), for the reconnect log line.
    public static func read(
        _ inbound: WebSocketInboundStream, maxSize: Int, clock: any TradingClock,
        deliver: (ByteBuffer, Timestamp) -> Void
    ) async -> String {
        var iterator = inbound.makeAsyncIterator()
        var pending: ByteBuffer?
        do {
            while let frame = try await iterator.next() {
                switch frame.opcode {
                case .text, .binary:
                    if frame.fin {
                        deliver(frame.data, clock.now)
                        pending = nil
                    } else {
                        pending = frame.data
                    }
                case .continuation:
                    guard var buffer = pending else { continue }
                    var data = frame.data
                    guard buffer.readableBytes + data.readableBytes <= maxSize else {
                        return "message larger than \(maxSize) bytes"
                    }
                    buffer.writeBuffer(&data)
                    if frame.fin {
                        deliver(buffer, clock.now)
                        pending = nil
                    } else {
                        pending = buffer
                    }
                }
            }
            return "closed by server"
        } catch {
            return "read error: \(error)"
        }
    }
}
