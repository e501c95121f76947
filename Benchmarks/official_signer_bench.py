#!/usr/bin/env python3
"""Times the official Lighter signer (lighter-sdk 1.1.8, Go c-shared library) signing a CreateOrder, via ctypes.

Run with the development venv:  .venv-ci/bin/python Benchmarks/official_signer_bench.py [iterations]
Prints the median and percentiles of one SignCreateOrder call (explicit nonce, no network).
The key is the public test key of the protocol notes (section G), not a secret.
Note: hosted in CPython the Go library is much slower than from a native host (here about 2.9 ms per call
with heavy system time, against 0.35-0.55 ms from Swift or C via dlopen); the LighterCryptoBench target
measures it via dlopen in the same run as the Swift signer, which is the fairer baseline.
"""
import ctypes
import os
import pathlib
import platform
import statistics
import sys
import time

TEST_KEY = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728"


class SignedTxResponse(ctypes.Structure):
    _fields_ = [
        ("txType", ctypes.c_uint8),
        ("txInfo", ctypes.c_void_p),
        ("txHash", ctypes.c_void_p),
        ("messageToSign", ctypes.c_void_p),
        ("err", ctypes.c_void_p),
    ]


def library_path() -> str:
    override = os.environ.get("LIGHTER_SIGNER_LIBRARY")
    if override:
        return override
    import lighter  # from lighter-sdk==1.1.8

    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "amd64"
    return str(pathlib.Path(lighter.__file__).parent / "signers" / f"lighter-signer-linux-{arch}.so")


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    lib = ctypes.CDLL(library_path())
    lib.CreateClient.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_longlong]
    lib.CreateClient.restype = ctypes.c_void_p
    lib.SignCreateOrder.argtypes = [
        ctypes.c_longlong, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_int, ctypes.c_int, ctypes.c_int,
        ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_int, ctypes.c_int,
        ctypes.c_uint8, ctypes.c_uint8, ctypes.c_uint8, ctypes.c_longlong, ctypes.c_int, ctypes.c_longlong,
    ]
    lib.SignCreateOrder.restype = SignedTxResponse
    lib.Free.argtypes = [ctypes.c_void_p]
    lib.Free.restype = None

    err = lib.CreateClient(b"http://127.0.0.1:1", TEST_KEY.encode(), 304, 3, 1234)
    if err:
        message = ctypes.string_at(err).decode()
        lib.Free(err)
        sys.exit(f"CreateClient failed: {message}")

    def sign(nonce: int) -> None:
        r = lib.SignCreateOrder(1, nonce, 1000, 300000, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0, nonce, 3, 1234)
        if r.err:
            message = ctypes.string_at(r.err).decode()
            sys.exit(f"SignCreateOrder failed: {message}")
        for pointer in (r.txInfo, r.txHash, r.messageToSign):
            if pointer:
                lib.Free(pointer)

    for nonce in range(1, 201):  # warm-up
        sign(nonce)
    samples = []
    for nonce in range(1000, 1000 + iterations):
        start = time.perf_counter_ns()
        sign(nonce)
        samples.append(time.perf_counter_ns() - start)
    samples.sort()
    q = lambda f: samples[min(len(samples) - 1, int(f * len(samples)))] / 1000
    print(f"official SignCreateOrder (ctypes, {iterations} calls): median {statistics.median(samples) / 1000:.1f} µs, "
          f"p10 {q(0.10):.1f} µs, p90 {q(0.90):.1f} µs, p99 {q(0.99):.1f} µs")


if __name__ == "__main__":
    main()
