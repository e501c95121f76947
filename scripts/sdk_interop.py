#!/usr/bin/env python3
"""Drive a running `lighter-mm sandbox` with the official Lighter Python SDK (lighter-sdk==1.1.8).

The SDK is used unchanged: `SignerClient` (pointed at the sandbox's base URL, signing with the
sandbox's test account) creates, modifies and cancels an order, sends a batch and a cancel-all;
`WsClient` follows the ETH order book and the account. The script prints one JSON object with what
it saw; SandboxInteropTests checks it.

Usage:
    LIGHTER_SANDBOX_API_KEY=<sandbox private key hex> \
        python scripts/sdk_interop.py --base-url http://127.0.0.1:PORT --account-index 100 --api-key-index 4

The key is a local sandbox paper key; it is read from the environment and never printed.
"""

import argparse
import asyncio
import json
import os
import sys
import time

import lighter
from lighter import SignerClient, WsClient


def best_price(levels, highest):
    prices = [float(level["price"]) for level in levels if float(level["size"]) > 0]
    if not prices:
        return None
    return max(prices) if highest else min(prices)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--account-index", type=int, required=True)
    parser.add_argument("--api-key-index", type=int, required=True)
    parser.add_argument("--market", type=int, default=0)
    parser.add_argument("--price-decimals", type=int, default=2)
    args = parser.parse_args()
    key = os.environ.get("LIGHTER_SANDBOX_API_KEY")
    if not key:
        print(json.dumps({"fatal": "LIGHTER_SANDBOX_API_KEY is not set"}))
        return 2

    result = {"errors": []}
    scale = 10 ** args.price_decimals
    market = args.market
    account = args.account_index
    key_index = args.api_key_index

    # --- WebSocket: order book and account, as the SDK's WsClient sees them.
    book_updates = []
    account_messages = []

    def on_book(market_id, state):
        book_updates.append((market_id, json.loads(json.dumps(state))))

    def on_account(account_id, message):
        account_messages.append((account_id, message))

    ws_url = args.base_url.replace("http://", "ws://").rstrip("/") + "/stream"
    ws = WsClient(ws_url=ws_url, order_book_ids=[market], account_ids=[account],
                  on_order_book_update=on_book, on_account_update=on_account,
                  on_unhandled_message=lambda message: None)
    ws_task = asyncio.create_task(ws.run_async())

    deadline = time.time() + 15
    while time.time() < deadline and len(book_updates) < 3:
        await asyncio.sleep(0.05)
    if not book_updates:
        result["errors"].append("no order book from WsClient")
        print(json.dumps(result))
        return 1
    state = book_updates[-1][1]
    bid = best_price(state["bids"], highest=True)
    ask = best_price(state["asks"], highest=False)
    result["ws_best_bid"] = bid
    result["ws_best_ask"] = ask

    client = SignerClient(url=args.base_url, account_index=account, api_private_keys={key_index: key})
    try:
        result["check_client"] = client.check_client()
        auth, auth_error = client.create_auth_token_with_expiry(api_key_index=key_index)
        if auth_error:
            result["errors"].append(f"auth token: {auth_error}")
        order_api = lighter.OrderApi(client.api_client)
        account_api = lighter.AccountApi(client.api_client)

        async def active_orders():
            orders = await order_api.account_active_orders(authorization=auth, account_index=account, market_id=market)
            return orders.orders

        # Create: 0.0100 ETH post-only bid 50.00 below the best bid (rests, untouched by the flow).
        price = int(round((bid - 50) * scale))
        tx, response, error = await client.create_order(
            market_index=market, client_order_index=1001, base_amount=100, price=price, is_ask=False,
            order_type=SignerClient.ORDER_TYPE_LIMIT, time_in_force=SignerClient.ORDER_TIME_IN_FORCE_POST_ONLY,
            reduce_only=False, trigger_price=0)
        result["create"] = {"error": error, "code": response.code if response else None,
                            "tx_hash": response.tx_hash if response else None}
        orders = await active_orders()
        result["active_after_create"] = [
            {"client_order_index": o.client_order_index, "order_index": o.order_index, "price": o.price,
             "remaining_base_amount": o.remaining_base_amount, "status": o.status, "is_ask": o.is_ask}
            for o in orders]
        order_index = orders[0].order_index if orders else 0

        # Modify: price 10.00 lower, size 0.0200.
        new_price = price - 10 * scale
        _, response, error = await client.modify_order(
            market_index=market, order_index=order_index, base_amount=200, price=new_price, trigger_price=0)
        result["modify"] = {"error": error, "code": response.code if response else None}
        orders = await active_orders()
        result["active_after_modify"] = [
            {"price": o.price, "remaining_base_amount": o.remaining_base_amount, "order_index": o.order_index}
            for o in orders]

        # Cancel.
        _, response, error = await client.cancel_order(market_index=market, order_index=order_index)
        result["cancel"] = {"error": error, "code": response.code if response else None}
        result["active_after_cancel"] = len(await active_orders())

        # Below the 0.0050 minimum: the sandbox refuses it with Lighter's code, the SDK reports it.
        _, response, error = await client.create_order(
            market_index=market, client_order_index=1002, base_amount=10, price=price, is_ask=False,
            order_type=SignerClient.ORDER_TYPE_LIMIT, time_in_force=SignerClient.ORDER_TIME_IN_FORCE_POST_ONLY,
            reduce_only=False, trigger_price=0)
        result["below_minimum"] = {"error": error, "code": response.code if response else None}

        # Batch: two orders signed with explicit nonces from nextNonce, then a cancel-all.
        nonce = (await lighter.TransactionApi(client.api_client).next_nonce(
            account_index=account, api_key_index=key_index)).nonce
        result["nonce_before_batch"] = nonce
        types, infos = [], []
        for offset, (client_index, is_ask, level) in enumerate(
                [(2001, False, int(round((bid - 40) * scale))), (2002, True, int(round((ask + 40) * scale)))]):
            tx_type, tx_info, tx_hash, error = client.sign_create_order(
                market, client_index, 100, level, int(is_ask), SignerClient.ORDER_TYPE_LIMIT,
                SignerClient.ORDER_TIME_IN_FORCE_POST_ONLY, False, 0, SignerClient.DEFAULT_28_DAY_ORDER_EXPIRY,
                nonce=nonce + offset, api_key_index=key_index)
            if error:
                result["errors"].append(f"sign batch order: {error}")
            types.append(tx_type)
            infos.append(tx_info)
        batch = await client.send_tx_batch(tx_types=types, tx_infos=infos)
        result["batch"] = {"code": batch.code, "hashes": len(batch.tx_hash)}
        orders = await active_orders()
        result["active_after_batch"] = sorted(o.client_order_index for o in orders)

        _, response, error = await client.cancel_all_orders(
            time_in_force=SignerClient.CANCEL_ALL_TIF_IMMEDIATE, timestamp_ms=0, nonce=nonce + 2, api_key_index=key_index)
        result["cancel_all"] = {"error": error, "code": response.code if response else None}
        result["active_after_cancel_all"] = len(await active_orders())

        details = await account_api.account(by="index", value=str(account))
        result["account_collateral"] = details.accounts[0].collateral
        result["account_positions"] = len(details.accounts[0].positions)

        # Give the socket a moment to deliver the last account updates.
        await asyncio.sleep(0.5)
    except Exception as exc:  # report, do not hide
        result["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        await client.close()
        if ws.ws is not None:
            await ws.ws.close()  # a clean close handshake, so asyncio.run does not wait out timeouts
        ws_task.cancel()
        try:
            await ws_task
        except BaseException:
            pass

    result["ws_book_messages"] = len(book_updates)
    statuses = []
    for _, message in account_messages:
        orders = message.get("orders") or {}
        for market_orders in orders.values():
            for order in market_orders:
                statuses.append([order.get("client_order_index"), order.get("status")])
    result["ws_account_messages"] = len(account_messages)
    result["ws_account_order_statuses"] = statuses
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
