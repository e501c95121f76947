/// The JSON of one Binance `aggTrade` event, in the field order of Binance's documentation.
public func aggTradeJSON(
    symbol: String = "BTCUSDT", id: Int64, price: String, quantity: String, firstTradeID: Int64, lastTradeID: Int64,
    tradeTimeMs: Int64, eventTimeMs: Int64? = nil, buyerIsMaker: Bool
) -> String {
    #"{"e":"aggTrade","E":\#(eventTimeMs ?? tradeTimeMs + 2),"s":"\#(symbol)","a":\#(id),"p":"\#(price)","q":"\#(quantity)","f":\#(firstTradeID),"l":\#(lastTradeID),"T":\#(tradeTimeMs),"m":\#(buyerIsMaker)}"#
}

extension ServerWebSocket {
    /// Pushes one `aggTrade` event on the combined stream `<symbol>@aggTrade`.
    public func sendAggTrade(
        symbol: String = "BTCUSDT", id: Int64, price: String, quantity: String, tradeTimeMs: Int64, buyerIsMaker: Bool
    ) async throws {
        try await send(
            stream: "\(symbol.lowercased())@aggTrade",
            data: aggTradeJSON(
                symbol: symbol, id: id, price: price, quantity: quantity, firstTradeID: id * 10, lastTradeID: id * 10 + 2,
                tradeTimeMs: tradeTimeMs, buyerIsMaker: buyerIsMaker))
    }
}
