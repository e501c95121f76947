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


def random_attributes(rng, with_integrator_and_stp):
    """Integrator fee / self-trade / skip-nonce arguments; all valid combinations."""
    attrs = {"integrator_account_index": 0, "integrator_taker_fee": 0, "integrator_maker_fee": 0,
             "self_trade_behavior_mode": 0, "self_trade_equality_mode": 0,
             "skip_nonce": rng.choice([0, 1])}
    if with_integrator_and_stp:
        choice = rng.randrange(3)
        if choice == 1:
            attrs["integrator_account_index"] = rng.randint(1, (1 << 48) - 2)
            attrs["integrator_taker_fee"] = rng.randint(0, 1_000_000)
            attrs["integrator_maker_fee"] = rng.randint(0, 1_000_000)
        elif choice == 2:
            behavior = rng.randint(0, 3)
            equality = rng.randint(0, 1) if behavior != 3 else 0
            attrs["self_trade_behavior_mode"] = behavior
            attrs["self_trade_equality_mode"] = equality
    return attrs


def attribute_args(a):
    return (a["integrator_account_index"], a["integrator_taker_fee"], a["integrator_maker_fee"],
            a["self_trade_behavior_mode"], a["self_trade_equality_mode"], a["skip_nonce"])


def random_order(rng, market, kind, is_ask, base=None, expiry=None):
    """One valid order of `kind` ('limit', 'market', 'sl', 'tp', 'sll', 'tpl', 'twap')."""
    price = rng.randint(1, (1 << 32) - 1)
    coi = rng.choice([0, rng.randint(1, (1 << 48) - 1)])
    base = rng.randint(1, (1 << 48) - 1) if base is None else base
    future = int(time.time() * 1000) + rng.randint(10 * 60_000, 25 * 86_400_000)
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


def order_args(o):
    return (o["market_index"], o["client_order_index"], o["base_amount"], o["price"], o["is_ask"],
            o["order_type"], o["time_in_force"], o["reduce_only"], o["trigger_price"], o["order_expiry"])


def make_create_order(rng, s):
    market = rng.choice([rng.randint(0, 254), rng.randint(0, 254), rng.randint(2048, 4094)])
    spot = market >= 2048
    kinds = ["limit", "market", "twap"] + ([] if spot else ["sl", "tp", "sll", "tpl"])
    order = random_order(rng, market, rng.choice(kinds), rng.randint(0, 1))
    if not spot and rng.random() < 0.3:
        order["reduce_only"] = 1
        if rng.random() < 0.3:
            order["base_amount"] = 0
    attrs = random_attributes(rng, True)
    inputs = dict(order, **attrs)
    return inputs, s.sign_for(inputs, "SignCreateOrder", *order_args(order), *attribute_args(attrs), s.nonce, s.api_key, s.account)


def make_cancel_order(rng, s):
    index = rng.choice([rng.randint(1, (1 << 48) - 1), rng.randint(1 << 48, (1 << 60) - 1)])
    inputs = {"market_index": rng.randint(0, 254), "order_index": index, "skip_nonce": rng.choice([0, 1])}
    return inputs, s.sign_for(inputs, "SignCancelOrder", inputs["market_index"], index, inputs["skip_nonce"], s.nonce,
                          s.api_key, s.account)


def make_cancel_all(rng, s):
    mode = rng.randint(0, 2)
    now = int(time.time() * 1000)
    t = 0 if mode != 1 else now + rng.randint(5 * 60_000, 15 * 86_400_000)
    market = rng.choice([255, rng.randint(0, 254)]) if mode == 0 else 255
    inputs = {"time_in_force": mode, "time": t, "market_index": market, "skip_nonce": rng.choice([0, 1])}
    return inputs, s.sign_for(inputs, "SignCancelAllOrders", mode, t, market, inputs["skip_nonce"], s.nonce, s.api_key, s.account)


def make_modify_order(rng, s):
    index = rng.choice([rng.randint(1, (1 << 48) - 1), rng.randint(1 << 48, (1 << 60) - 1)])
    trigger = rng.choice([0, rng.randint(1, (1 << 32) - 1)])
    attrs = random_attributes(rng, True)
    version = rng.choice([0, int(time.time() * 1000) + rng.randint(0, 10**6), rng.randint(1, (1 << 48) - 1)])
    if attrs["integrator_account_index"] and attrs["skip_nonce"]:
        version = 0  # at most 4 attributes per transaction
    inputs = {"market_index": rng.randint(0, 254), "order_index": index, "base_amount": rng.randint(0, (1 << 48) - 1),
              "price": rng.randint(1, (1 << 32) - 1), "trigger_price": trigger, "order_version": version}
    inputs.update(attrs)
    a = attribute_args(attrs)
    return inputs, s.sign_for(inputs, "SignModifyOrder", inputs["market_index"], index, inputs["base_amount"], inputs["price"],
                          trigger, *a, s.nonce, version, s.api_key, s.account)


def make_update_leverage(rng, s):
    inputs = {"market_index": rng.randint(0, 254), "initial_margin_fraction": rng.randint(1, 10_000),
              "margin_mode": rng.randint(0, 1), "skip_nonce": rng.choice([0, 1])}
    return inputs, s.sign_for(inputs, "SignUpdateLeverage", inputs["market_index"], inputs["initial_margin_fraction"],
                          inputs["margin_mode"], inputs["skip_nonce"], s.nonce, s.api_key, s.account)


def make_update_margin(rng, s):
    inputs = {"market_index": rng.randint(0, 254), "usdc_amount": rng.choice([rng.randint(1, 1 << 32),
                                                                              rng.randint(1, (1 << 60) - 1)]),
              "direction": rng.randint(0, 1), "skip_nonce": rng.choice([0, 1])}
    return inputs, s.sign_for(inputs, "SignUpdateMargin", inputs["market_index"], inputs["usdc_amount"], inputs["direction"],
                          inputs["skip_nonce"], s.nonce, s.api_key, s.account)


def make_grouped(rng, s):
    market = rng.randint(0, 254)
    grouping = rng.randint(1, 3)
    future = int(time.time() * 1000) + rng.randint(10 * 60_000, 25 * 86_400_000)
    # An explicit expiry: with -1 the signer resolves each order's default separately, and two
    # clock reads a millisecond apart would break the "same expiry" rule of the group.
    expiry = future
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
    attrs = random_attributes(rng, True)
    arr = (CreateOrderTxReq * len(orders))(*[CreateOrderTxReq(*order_args(o)) for o in orders])
    inputs = {"grouping_type": grouping, "orders": orders}
    inputs.update(attrs)
    return inputs, s.sign_for(inputs, "SignCreateGroupedOrders", grouping, arr, len(orders), *attribute_args(attrs), s.nonce,
                          s.api_key, s.account)


def make_withdraw(rng, s):
    inputs = {"asset_index": rng.choice([1, 3, rng.randint(1, 62)]), "route_type": rng.randint(0, 1),
              "amount": rng.choice([rng.randint(1, 1 << 32), rng.randint(1, (1 << 60) - 1)]),
              "skip_nonce": rng.choice([0, 1])}
    return inputs, s.sign_for(inputs, "SignWithdraw", inputs["asset_index"], inputs["route_type"], inputs["amount"],
                          inputs["skip_nonce"], s.nonce, s.api_key, s.account)


def make_transfer(rng, s):
    memo = bytes(rng.randint(0, 255) for _ in range(32)) if rng.random() < 0.5 else bytes(32)
    inputs = {"to_account_index": rng.randint(1, (1 << 48) - 2), "asset_index": rng.choice([1, 3, rng.randint(1, 62)]),
              "from_route_type": rng.randint(0, 1), "to_route_type": rng.randint(0, 1),
              "amount": rng.randint(1, (1 << 60) - 1), "usdc_fee": rng.choice([0, rng.randint(0, (1 << 60) - 1)]),
              "memo": memo.hex(), "skip_nonce": rng.choice([0, 1])}
    return inputs, s.sign_for(inputs, "SignTransfer", inputs["to_account_index"], inputs["asset_index"], inputs["from_route_type"],
                          inputs["to_route_type"], inputs["amount"], inputs["usdc_fee"], ctypes.c_char_p(memo.hex().encode()),
                          inputs["skip_nonce"], s.nonce, s.api_key, s.account)


MAKERS = {
    "create_order": make_create_order,
    "cancel_order": make_cancel_order,
    "cancel_all_orders": make_cancel_all,
    "modify_order": make_modify_order,
    "update_leverage": make_update_leverage,
    "update_margin": make_update_margin,
    "create_grouped_orders": make_grouped,
    "withdraw": make_withdraw,
    "transfer": make_transfer,
}


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
    args = parser.parse_args()

    path = library_path()
    if path is None:
        print("official_signer.py: the lighter-sdk signer library was not found; install lighter-sdk==1.1.8 "
              "(scripts/test creates the venv from .ci/requirements.txt)", file=sys.stderr)
        return 2
    signer = OfficialSigner(path)
    rng = random.Random(args.seed)
    out = sys.stdout
    for kind, maker in list(MAKERS.items()) + [("auth_token", None)]:
        for _ in range(args.per_kind):
            s = Session(signer, rng)
            line = s.header(kind)
            try:
                if maker is None:
                    deadline = int(time.time()) + rng.randint(60, 30 * 86_400)
                    line["inputs"] = {"deadline": deadline}
                    line["auth_token"] = signer.auth_token(deadline, s.api_key, s.account)
                else:
                    inputs, (tx_type, info, tx_hash) = maker(rng, s)
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
