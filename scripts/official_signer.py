#!/usr/bin/env python3
"""Outside reference for the Swift transaction layer: the official Lighter signer.

Loads the compiled Go signer shipped in the PyPI wheel ``lighter-sdk==1.1.8``
(``lighter/signers/lighter-signer-<os>-<arch>.so``) through ctypes, offline, and prints
freshly signed transactions as JSON lines in the format of
``/work/shared/vectors/lighter-signer.jsonl`` (see its README), plus one extra field per
transaction: ``tx_info_raw``, the exact bytes the signer emitted (as a JSON string), so a
test can compare its own tx_info byte for byte.

Usage:
    official_signer.py [--per-kind N] [--seed S]
    official_signer.py --invalid

With --invalid, a fixed list of inputs that each break (or sit on the edge of) one validation rule is
signed instead, one line per case with the signer's verdict in "error" (null when it signed).

Every line uses a fresh key from ``GenerateAPIKey`` and random, valid fields. The argument
lists follow the 1.1.8 header (``lighter-signer-*.h``), not the lighter-go README.
Offline recipe (protocol notes, section G): ``CreateClient`` with a dummy URL, an account
index > 0, and always an explicit nonce >= 0 (nonce -1 would make an HTTP call).

Exit status: 0 on success; 2 if the signer library cannot be found; 1 if the signer
rejected a transaction this script meant to be valid (the error is printed on stderr).
"""

import argparse
import ctypes
import importlib.util
import json
import os
import platform
import random
import sys
import time


class ApiKeyResponse(ctypes.Structure):
    _fields_ = [("privateKey", ctypes.c_void_p), ("publicKey", ctypes.c_void_p), ("err", ctypes.c_void_p)]


class StrOrErr(ctypes.Structure):
    _fields_ = [("str", ctypes.c_void_p), ("err", ctypes.c_void_p)]


class SignedTxResponse(ctypes.Structure):
    _fields_ = [
        ("txType", ctypes.c_uint8),
        ("txInfo", ctypes.c_void_p),
        ("txHash", ctypes.c_void_p),
        ("messageToSign", ctypes.c_void_p),
        ("err", ctypes.c_void_p),
    ]


class CreateOrderTxReq(ctypes.Structure):
    # 1.1.8 header: MarketIndex is int64_t.
    _fields_ = [
        ("MarketIndex", ctypes.c_longlong),
        ("ClientOrderIndex", ctypes.c_longlong),
        ("BaseAmount", ctypes.c_longlong),
        ("Price", ctypes.c_uint32),
        ("IsAsk", ctypes.c_uint8),
        ("Type", ctypes.c_uint8),
        ("TimeInForce", ctypes.c_uint8),
        ("ReduceOnly", ctypes.c_uint8),
        ("TriggerPrice", ctypes.c_uint32),
        ("OrderExpiry", ctypes.c_longlong),
    ]


LL, I, U8, U32, I16, ULL, CP = (ctypes.c_longlong, ctypes.c_int, ctypes.c_uint8, ctypes.c_uint32,
                                ctypes.c_int16, ctypes.c_ulonglong, ctypes.c_char_p)

# Argument lists transcribed from lighter-signer-linux-amd64.h (lighter-sdk 1.1.8).
SIGNATURES = {
    "CreateClient": ([CP, CP, I, I, LL], ctypes.c_void_p),
    "GenerateAPIKey": ([], ApiKeyResponse),
    "CreateAuthToken": ([LL, I, LL], StrOrErr),
    "SignCreateOrder": ([LL, LL, LL, I, I, I, I, I, I, LL, LL, I, I, U8, U8, U8, LL, I, LL], SignedTxResponse),
    "SignCreateGroupedOrders": ([U8, ctypes.POINTER(CreateOrderTxReq), I, LL, I, I, U8, U8, U8, LL, I, LL],
                                SignedTxResponse),
    "SignCancelOrder": ([LL, LL, U8, LL, I, LL], SignedTxResponse),
    "SignCancelAllOrders": ([I, LL, LL, U8, LL, I, LL], SignedTxResponse),
    "SignModifyOrder": ([LL, LL, LL, LL, LL, LL, I, I, U8, U8, U8, LL, LL, I, LL], SignedTxResponse),
    "SignUpdateLeverage": ([LL, I, I, U8, LL, I, LL], SignedTxResponse),
    "SignUpdateMargin": ([LL, LL, I, U8, LL, I, LL], SignedTxResponse),
    "SignWithdraw": ([I, I, ULL, U8, LL, I, LL], SignedTxResponse),
    "SignTransfer": ([LL, I16, U8, U8, LL, LL, CP, U8, LL, I, LL], SignedTxResponse),
    "Free": ([ctypes.c_void_p], None),
}


def library_path():
    """Path of the compiled signer inside the installed `lighter` package (not imported)."""
    spec = importlib.util.find_spec("lighter")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "signers")
    system, machine = platform.system(), platform.machine().lower()
    arch = "amd64" if machine in ("x86_64", "amd64") else "arm64" if machine in ("arm64", "aarch64") else machine
    name = {"Linux": f"lighter-signer-linux-{arch}.so", "Darwin": f"lighter-signer-darwin-{arch}.dylib"}.get(system)
    if name is None:
        return None
    path = os.path.join(folder, name)
    return path if os.path.exists(path) else None


class SignerError(Exception):
    pass


class OfficialSigner:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        for name, (args, res) in SIGNATURES.items():
            fn = getattr(self.lib, name)
            fn.argtypes = args
            fn.restype = res

    def _take(self, ptr):
        if not ptr:
            return None
        try:
            return ctypes.cast(ptr, ctypes.c_char_p).value.decode("utf-8")
        finally:
            self.lib.Free(ptr)

    def generate_key(self):
        r = self.lib.GenerateAPIKey()
        priv, pub, err = self._take(r.privateKey), self._take(r.publicKey), self._take(r.err)
        if err:
            raise SignerError(err)
        return priv, pub

    def create_client(self, private_key, chain_id, api_key_index, account_index):
        err = self._take(self.lib.CreateClient(b"http://127.0.0.1:1", private_key.encode(), chain_id,
                                               api_key_index, account_index))
        if err:
            raise SignerError(err)

    def sign(self, name, *args):
        r = getattr(self.lib, name)(*args)
        tx_type = r.txType
        info, tx_hash, _msg, err = self._take(r.txInfo), self._take(r.txHash), self._take(r.messageToSign), \
            self._take(r.err)
        if err:
            raise SignerError(err)
        return tx_type, info, tx_hash

    def auth_token(self, deadline, api_key_index, account_index):
        r = self.lib.CreateAuthToken(deadline, api_key_index, account_index)
        token, err = self._take(r.str), self._take(r.err)
        if err:
            raise SignerError(err)
        return token


NO_ATTRIBUTES = {"integrator_account_index": 0, "integrator_taker_fee": 0, "integrator_maker_fee": 0,
                 "self_trade_behavior_mode": 0, "self_trade_equality_mode": 0, "skip_nonce": 0}


def random_attributes(rng):
    """Integrator fee / self-trade / skip-nonce arguments; only valid combinations."""
    attrs = dict(NO_ATTRIBUTES, skip_nonce=rng.choice([0, 1]))
    choice = rng.randrange(3)
    if choice == 1:
        attrs["integrator_account_index"] = rng.randint(1, (1 << 48) - 2)
        attrs["integrator_taker_fee"] = rng.randint(0, 1_000_000)
        attrs["integrator_maker_fee"] = rng.randint(0, 1_000_000)
    elif choice == 2:
        behavior = rng.randint(0, 3)
        attrs["self_trade_behavior_mode"] = behavior
        attrs["self_trade_equality_mode"] = rng.randint(0, 1) if behavior != 3 else 0
    return attrs


def attribute_args(a):
    a = dict(NO_ATTRIBUTES, **{k: v for k, v in a.items() if k in NO_ATTRIBUTES})
    return (a["integrator_account_index"], a["integrator_taker_fee"], a["integrator_maker_fee"],
            a["self_trade_behavior_mode"], a["self_trade_equality_mode"], a["skip_nonce"])


def order_args(o):
    return (o["market_index"], o["client_order_index"], o["base_amount"], o["price"], o["is_ask"],
            o["order_type"], o["time_in_force"], o["reduce_only"], o["trigger_price"], o["order_expiry"])


# One function per kind: the C call for an `inputs` dict (the vectors' `inputs` format).
def call_create_order(s, i):
    return s.sign_for(i, "SignCreateOrder", *order_args(i), *attribute_args(i), s.nonce, s.api_key, s.account)


def call_cancel_order(s, i):
    return s.sign_for(i, "SignCancelOrder", i["market_index"], i["order_index"], i.get("skip_nonce", 0), s.nonce,
                      s.api_key, s.account)


def call_cancel_all_orders(s, i):
    return s.sign_for(i, "SignCancelAllOrders", i["time_in_force"], i["time"], i["market_index"], i.get("skip_nonce", 0),
                      s.nonce, s.api_key, s.account)


def call_modify_order(s, i):
    return s.sign_for(i, "SignModifyOrder", i["market_index"], i["order_index"], i["base_amount"], i["price"],
                      i["trigger_price"], *attribute_args(i), s.nonce, i.get("order_version", 0), s.api_key, s.account)


def call_update_leverage(s, i):
    return s.sign_for(i, "SignUpdateLeverage", i["market_index"], i["initial_margin_fraction"], i["margin_mode"],
                      i.get("skip_nonce", 0), s.nonce, s.api_key, s.account)


def call_update_margin(s, i):
    return s.sign_for(i, "SignUpdateMargin", i["market_index"], i["usdc_amount"], i["direction"], i.get("skip_nonce", 0),
                      s.nonce, s.api_key, s.account)


def call_create_grouped_orders(s, i):
    orders = i["orders"]
    arr = (CreateOrderTxReq * max(1, len(orders)))(*[CreateOrderTxReq(*order_args(o)) for o in orders])
    return s.sign_for(i, "SignCreateGroupedOrders", i["grouping_type"], arr, len(orders), *attribute_args(i), s.nonce,
                      s.api_key, s.account)


def call_withdraw(s, i):
    return s.sign_for(i, "SignWithdraw", i["asset_index"], i["route_type"], i["amount"], i.get("skip_nonce", 0), s.nonce,
                      s.api_key, s.account)


def call_transfer(s, i):
    return s.sign_for(i, "SignTransfer", i["to_account_index"], i["asset_index"], i["from_route_type"],
                      i["to_route_type"], i["amount"], i["usdc_fee"], ctypes.c_char_p(i["memo"].encode()),
                      i.get("skip_nonce", 0), s.nonce, s.api_key, s.account)


CALLS = {
    "create_order": call_create_order,
    "cancel_order": call_cancel_order,
    "cancel_all_orders": call_cancel_all_orders,
    "modify_order": call_modify_order,
    "update_leverage": call_update_leverage,
    "update_margin": call_update_margin,
    "create_grouped_orders": call_create_grouped_orders,
    "withdraw": call_withdraw,
    "transfer": call_transfer,
}


def future_ms(rng):
    return int(time.time() * 1000) + rng.randint(10 * 60_000, 25 * 86_400_000)


def random_order(rng, market, kind, is_ask, base=None, expiry=None):
    """One valid order of `kind` ('limit', 'market', 'sl', 'tp', 'sll', 'tpl', 'twap')."""
    price = rng.randint(1, (1 << 32) - 1)
    coi = rng.choice([0, rng.randint(1, (1 << 48) - 1)])
    base = rng.randint(1, (1 << 48) - 1) if base is None else base
    future = future_ms(rng)
    if kind == "limit":
        tif = rng.choice([0, 1, 2])
        order_type, trigger = 0, 0
        exp = 0 if tif == 0 else (expiry if expiry is not None else rng.choice([-1, future]))
    elif kind == "market":
        order_type, tif, trigger, exp = 1, 0, 0, 0
    elif kind in ("sl", "tp"):
        order_type, tif, trigger = (2 if kind == "sl" else 4), 0, rng.randint(1, (1 << 32) - 1)
        exp = expiry if expiry is not None else rng.choice([-1, future])
    elif kind in ("sll", "tpl"):
        order_type, tif, trigger = (3 if kind == "sll" else 5), rng.choice([0, 1, 2]), rng.randint(1, (1 << 32) - 1)
        exp = expiry if expiry is not None else rng.choice([-1, future])
    else:  # twap
        order_type, tif, trigger = 6, 1, 0
        exp = expiry if expiry is not None else future
    return {"market_index": market, "client_order_index": coi, "base_amount": base, "price": price,
            "is_ask": is_ask, "order_type": order_type, "time_in_force": tif, "reduce_only": 0,
            "trigger_price": trigger, "order_expiry": exp}


# Random valid inputs per kind.
def inputs_create_order(rng):
    market = rng.choice([rng.randint(0, 254), rng.randint(0, 254), rng.randint(2048, 4094)])
    kinds = ["limit", "market", "twap", "sl", "tp", "sll", "tpl"]
    order = random_order(rng, market, rng.choice(kinds), rng.randint(0, 1))
    if rng.random() < 0.3:
        order["reduce_only"] = 1
        if rng.random() < 0.3:
            order["base_amount"] = 0
    return dict(order, **random_attributes(rng))


def inputs_cancel_order(rng):
    index = rng.choice([rng.randint(1, (1 << 48) - 1), rng.randint(1 << 48, (1 << 60) - 1)])
    return {"market_index": rng.randint(0, 254), "order_index": index, "skip_nonce": rng.choice([0, 1])}


def inputs_cancel_all_orders(rng):
    mode = rng.randint(0, 2)
    t = 0 if mode != 1 else int(time.time() * 1000) + rng.randint(5 * 60_000, 15 * 86_400_000)
    market = rng.choice([255, rng.randint(0, 254)]) if mode == 0 else 255
    return {"time_in_force": mode, "time": t, "market_index": market, "skip_nonce": rng.choice([0, 1])}


def inputs_modify_order(rng):
    index = rng.choice([rng.randint(1, (1 << 48) - 1), rng.randint(1 << 48, (1 << 60) - 1)])
    attrs = random_attributes(rng)
    version = rng.choice([0, int(time.time() * 1000) + rng.randint(0, 10**6), rng.randint(1, (1 << 48) - 1)])
    if attrs["integrator_account_index"] and attrs["skip_nonce"]:
        version = 0  # at most 4 attributes per transaction
    return dict(attrs, market_index=rng.randint(0, 254), order_index=index, base_amount=rng.randint(0, (1 << 48) - 1),
                price=rng.randint(1, (1 << 32) - 1), trigger_price=rng.choice([0, rng.randint(1, (1 << 32) - 1)]),
                order_version=version)


def inputs_update_leverage(rng):
    return {"market_index": rng.randint(0, 254), "initial_margin_fraction": rng.randint(1, 10_000),
            "margin_mode": rng.randint(0, 1), "skip_nonce": rng.choice([0, 1])}


def inputs_update_margin(rng):
    # The signer only rejects 0 and amounts above 2^60-1; negative amounts are signed too (their
    # high word hashes as a non-canonical field element), so a few are included on purpose.
    amount = rng.choice([rng.randint(1, 1 << 32), rng.randint(1, (1 << 60) - 1), -rng.randint(1, 1 << 40)])
    return {"market_index": rng.randint(0, 254), "usdc_amount": amount, "direction": rng.randint(0, 1),
            "skip_nonce": rng.choice([0, 1])}


def inputs_create_grouped_orders(rng):
    market = rng.randint(0, 254)
    grouping = rng.randint(1, 3)
    # An explicit expiry: with -1 the signer resolves each order's default separately, and two
    # clock reads a millisecond apart would break the "same expiry" rule of the group.
    expiry = future_ms(rng)
    side = rng.randint(0, 1)
    sl, tp = rng.choice(["sl", "sll"]), rng.choice(["tp", "tpl"])
    if grouping == 2:  # OCO: two reduce-only children, same side, size and expiry
        base = rng.randint(1, (1 << 48) - 1)
        orders = [random_order(rng, market, tp, side, base, expiry), random_order(rng, market, sl, side, base, expiry)]
        for o in orders:
            o["reduce_only"] = 1
    else:
        parent = random_order(rng, market, rng.choice(["limit", "market"]), side, None, expiry)
        if parent["order_type"] == 1 or parent["time_in_force"] == 0:
            parent["order_expiry"] = 0
        children = [random_order(rng, market, sl, 1 - side, 0, expiry)]
        if grouping == 3:
            children.append(random_order(rng, market, tp, 1 - side, 0, expiry))
        for c in children:
            c["reduce_only"] = 1
        orders = [parent] + children
    return dict(random_attributes(rng), grouping_type=grouping, orders=orders)


def inputs_withdraw(rng):
    return {"asset_index": rng.choice([1, 3, rng.randint(1, 62)]), "route_type": rng.randint(0, 1),
            "amount": rng.choice([rng.randint(1, 1 << 32), rng.randint(1, (1 << 60) - 1)]),
            "skip_nonce": rng.choice([0, 1])}


def inputs_transfer(rng):
    memo = bytes(rng.randint(0, 255) for _ in range(32)) if rng.random() < 0.5 else bytes(32)
    return {"to_account_index": rng.randint(1, (1 << 48) - 2), "asset_index": rng.choice([1, 3, rng.randint(1, 62)]),
            "from_route_type": rng.randint(0, 1), "to_route_type": rng.randint(0, 1),
            "amount": rng.randint(1, (1 << 60) - 1), "usdc_fee": rng.choice([0, rng.randint(0, (1 << 60) - 1)]),
            "memo": memo.hex(), "skip_nonce": rng.choice([0, 1])}


INPUTS = {
    "create_order": inputs_create_order,
    "cancel_order": inputs_cancel_order,
    "cancel_all_orders": inputs_cancel_all_orders,
    "modify_order": inputs_modify_order,
    "update_leverage": inputs_update_leverage,
    "update_margin": inputs_update_margin,
    "create_grouped_orders": inputs_create_grouped_orders,
    "withdraw": inputs_withdraw,
    "transfer": inputs_transfer,
}


def invalid_cases():
    """(kind, inputs) pairs, each breaking one validation rule (or probing a boundary)."""
    far = 1_800_000_000_000
    limit = {"market_index": 1, "client_order_index": 7, "base_amount": 1000, "price": 300000, "is_ask": 0,
             "order_type": 0, "time_in_force": 1, "reduce_only": 0, "trigger_price": 0, "order_expiry": far}
    sl = dict(limit, client_order_index=0, base_amount=0, is_ask=1, order_type=2, time_in_force=0, reduce_only=1,
              trigger_price=290000, price=290000)
    tp = dict(sl, order_type=4, trigger_price=310000, price=310000)
    oco_tp, oco_sl = dict(tp, base_amount=1000), dict(sl, base_amount=1000)
    cases = [("create_order", dict(limit, **changes)) for changes in [
        {}, {"price": 0}, {"order_expiry": 0}, {"time_in_force": 0}, {"client_order_index": 1 << 48},
        {"client_order_index": -1}, {"market_index": 255}, {"market_index": -1}, {"market_index": 300},
        {"base_amount": 0}, {"base_amount": 0, "reduce_only": 1}, {"base_amount": 1 << 48}, {"base_amount": -5},
        {"trigger_price": 5}, {"order_expiry": -2}, {"order_type": 1}, {"order_type": 1, "time_in_force": 0},
        {"order_type": 1, "time_in_force": 0, "order_expiry": 0},
        {"order_type": 1, "time_in_force": 0, "order_expiry": 0, "trigger_price": 5},
        {"order_type": 2}, {"order_type": 2, "time_in_force": 0}, {"order_type": 2, "time_in_force": 0, "trigger_price": 5},
        {"order_type": 2, "time_in_force": 0, "trigger_price": 5, "order_expiry": 0},
        {"order_type": 3, "trigger_price": 5}, {"order_type": 5}, {"order_type": 5, "trigger_price": 5, "order_expiry": 0},
        {"order_type": 6}, {"order_type": 6, "time_in_force": 0}, {"order_type": 6, "trigger_price": 5},
        {"order_type": 6, "order_expiry": 0}, {"time_in_force": 2, "order_expiry": 0},
        {"self_trade_behavior_mode": 3, "self_trade_equality_mode": 1},
        {"integrator_account_index": 55, "integrator_taker_fee": 10, "self_trade_behavior_mode": 1},
        {"integrator_taker_fee": 10}, {"integrator_maker_fee": 10},
        {"integrator_account_index": 5, "integrator_taker_fee": 1_000_001},
        {"integrator_account_index": (1 << 48) - 1}, {"integrator_account_index": 55},
        {"self_trade_behavior_mode": 4}, {"self_trade_equality_mode": 2},
        {"integrator_account_index": 5, "integrator_taker_fee": 1, "integrator_maker_fee": 2, "skip_nonce": 1},
    ]]
    cases += [("cancel_order", {"market_index": m, "order_index": i}) for m, i in [
        (1, 0), (1, -3), (1, 1 << 60), (1, (1 << 60) - 1), (1, (1 << 48) - 1), (1, 1 << 48), (255, 7), (-1, 7)]]
    modify = {"market_index": 1, "order_index": 7, "base_amount": 1000, "price": 300000, "trigger_price": 0}
    cases += [("modify_order", dict(modify, **changes)) for changes in [
        {"order_index": 0}, {"order_index": 1 << 60}, {"base_amount": 0}, {"base_amount": -1}, {"base_amount": 1 << 48},
        {"price": 0}, {"market_index": 255}, {"order_version": -1}, {"order_version": 1 << 48},
        {"order_version": (1 << 48) - 1}, {"self_trade_behavior_mode": 3, "self_trade_equality_mode": 1},
        {"order_version": 5, "integrator_account_index": 1, "integrator_taker_fee": 1, "integrator_maker_fee": 1,
         "skip_nonce": 1}]]
    cases += [("cancel_all_orders", {"time_in_force": f, "time": t, "market_index": m}) for f, t, m in [
        (0, 5, 255), (1, 0, 255), (1, -5, 255), (1, far, 3), (2, 0, 3), (2, 5, 255), (0, 0, -1), (0, 0, 1 << 48),
        (0, 0, (1 << 48) - 1), (0, 0, 0)]]
    cases += [("update_leverage", {"market_index": m, "initial_margin_fraction": f, "margin_mode": 0}) for m, f in [
        (1, 0), (1, 10_001), (1, 10_000), (255, 500), (-1, 500), (2048, 500)]]
    cases += [("update_margin", {"market_index": m, "usdc_amount": a, "direction": 1}) for m, a in [
        (1, 0), (1, 1 << 60), (1, (1 << 60) - 1), (255, 5), (-1, 5), (1, -7)]]
    cases += [("create_grouped_orders", {"grouping_type": g, "orders": orders}) for g, orders in [
        (3, [limit, sl, tp]), (1, [limit, sl]), (2, [oco_tp, oco_sl]), (1, []), (3, [limit, sl, tp, tp]),
        (1, [limit, dict(sl, market_index=2)]), (1, [dict(limit, market_index=255), dict(sl, market_index=255)]),
        (1, [dict(limit, client_order_index=5), dict(sl, client_order_index=5)]), (1, [limit, dict(sl, is_ask=0)]),
        (1, [limit, dict(sl, base_amount=5)]), (1, [sl, sl]), (1, [limit, dict(sl, order_expiry=far + 1)]),
        (1, [limit, dict(sl, order_type=0)]), (1, [dict(limit, order_type=1), sl]),
        (1, [dict(limit, order_type=1, time_in_force=0, order_expiry=0), sl]), (3, [limit, sl, sl]), (3, [limit, sl]),
        (3, [limit, sl, dict(tp, order_expiry=far + 1)]), (3, [limit, sl, dict(tp, is_ask=0)]),
        (2, [limit, sl, tp]), (2, [dict(oco_tp, reduce_only=0), oco_sl]), (2, [oco_tp, dict(oco_sl, base_amount=999)]),
        (2, [oco_tp, dict(oco_sl, is_ask=0)]), (2, [oco_tp, dict(oco_sl, order_expiry=far + 1)]), (2, [oco_tp, oco_tp]),
        (2, [oco_tp, dict(oco_sl, time_in_force=1)]), (2, [oco_tp, dict(oco_sl, trigger_price=0)]), (0, [limit, sl]),
        (4, [limit, sl]), (1, [dict(limit, price=0), sl]), (1, [limit, dict(sl, client_order_index=1 << 48)])]]
    cases += [("withdraw", {"asset_index": a, "route_type": r, "amount": n}) for a, r, n in [
        (0, 0, 5), (63, 0, 5), (62, 0, 5), (3, 0, 0), (3, 0, 1 << 60), (3, 0, (1 << 60) - 1)]]
    transfer = {"to_account_index": 5, "asset_index": 3, "from_route_type": 0, "to_route_type": 0, "amount": 5,
                "usdc_fee": 0, "memo": "ab" * 32}
    cases += [("transfer", dict(transfer, **changes)) for changes in [
        {}, {"amount": 0}, {"amount": -1}, {"amount": 1 << 60}, {"usdc_fee": -1}, {"usdc_fee": 1 << 60},
        {"to_account_index": -2}, {"to_account_index": (1 << 48) - 1}, {"asset_index": 0}, {"asset_index": 63}]]
    return cases


class Session:
    def __init__(self, signer, rng):
        self.signer = signer
        self.private_key, self.public_key = signer.generate_key()
        self.chain = rng.choice([300, 304])
        self.account = rng.randint(1, (1 << 48) - 2)
        self.api_key = rng.randint(0, 254)
        self.nonce = rng.choice([rng.randint(0, 1000), rng.randint(0, (1 << 47) - 1)])
        signer.create_client(self.private_key, self.chain, self.api_key, self.account)

    def sign_for(self, inputs, name, *args):
        self.inputs = inputs  # kept for the error message if the signer rejects them
        return self.signer.sign(name, *args)

    def header(self, kind):
        return {"kind": kind, "chain_id": self.chain, "private_key": self.private_key, "public_key": self.public_key,
                "account_index": self.account, "api_key_index": self.api_key, "nonce": self.nonce}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=10, help="transactions per kind (and auth tokens)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the field generator (keys stay random)")
    parser.add_argument("--invalid", action="store_true",
                        help="instead: sign a fixed list of rule-breaking inputs and print each with the signer's "
                             "error (\"error\": null when it accepted them)")
    args = parser.parse_args()

    path = library_path()
    if path is None:
        print("official_signer.py: the lighter-sdk signer library was not found; install lighter-sdk==1.1.8 "
              "(scripts/test creates the venv from .ci/requirements.txt)", file=sys.stderr)
        return 2
    signer = OfficialSigner(path)
    rng = random.Random(args.seed)
    out = sys.stdout
    if args.invalid:
        # One fixed key and account; report the signer's verdict for each case.
        s = Session(signer, rng)
        for kind, inputs in invalid_cases():
            line = s.header(kind)
            line["inputs"] = inputs
            try:
                tx_type, info, tx_hash = CALLS[kind](s, inputs)
                line.update({"error": None, "tx_type": tx_type, "tx_info": json.loads(info), "tx_info_raw": info,
                             "tx_hash": tx_hash})
            except SignerError as error:
                line["error"] = str(error)
            out.write(json.dumps(line) + "\n")
        out.flush()
        return 0
    for kind in list(INPUTS) + ["auth_token"]:
        for _ in range(args.per_kind):
            s = Session(signer, rng)
            line = s.header(kind)
            try:
                if kind == "auth_token":
                    deadline = int(time.time()) + rng.randint(60, 30 * 86_400)
                    line["inputs"] = {"deadline": deadline}
                    line["auth_token"] = signer.auth_token(deadline, s.api_key, s.account)
                else:
                    inputs = INPUTS[kind](rng)
                    tx_type, info, tx_hash = CALLS[kind](s, inputs)
                    line["inputs"] = inputs
                    line["tx_type"] = tx_type
                    line["tx_info"] = json.loads(info)
                    line["tx_info_raw"] = info
                    line["tx_hash"] = tx_hash
            except SignerError as error:
                print(f"official_signer.py: the signer rejected a {kind}: {error}; inputs: "
                      f"{json.dumps(getattr(s, 'inputs', None))}", file=sys.stderr)
                return 1
            out.write(json.dumps(line) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
