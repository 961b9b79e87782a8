#!/usr/bin/env python3
"""A loopback TCP proxy for outage tests: forwards 127.0.0.1:LISTEN to TARGET_HOST:TARGET (a
loopback address, 127.0.0.1 by default).
SIGUSR1 starts an outage (every connection is dropped and new ones are refused: the listening
socket is closed); SIGUSR2 ends it. SIGTERM stops the proxy. Loopback only."""
import argparse, os, select, signal, socket, threading

parser = argparse.ArgumentParser()
parser.add_argument("--listen", type=int, required=True)
parser.add_argument("--target", type=int, required=True)
parser.add_argument("--target-host", default="127.0.0.1")
args = parser.parse_args()

lock = threading.Lock()
connections = []          # (client, upstream) socket pairs
outage = threading.Event()
listener = None

def open_listener():
    global listener
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", args.listen))
    s.listen(64)
    listener = s

def pump(a, b):
    try:
        while True:
            ready, _, _ = select.select([a, b], [], [], 0.5)
            if outage.is_set():
                break
            for source in ready:
                data = source.recv(65536)
                if not data:
                    raise ConnectionError
                (b if source is a else a).sendall(data)
    except (OSError, ConnectionError, ValueError):
        pass
    finally:
        for s in (a, b):
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST: a hard drop
                s.close()
            except OSError:
                pass

def serve():
    while True:
        if outage.is_set() or listener is None:
            threading.Event().wait(0.05)
            continue
        try:
            ready, _, _ = select.select([listener], [], [], 0.2)
            if not ready:
                continue
            client, _ = listener.accept()
        except (OSError, ValueError):
            continue
        try:
            upstream = socket.create_connection((args.target_host, args.target), timeout=5)
        except OSError:
            client.close()
            continue
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()

def start_outage(*_):
    global listener
    outage.set()
    if listener is not None:
        listener.close()
        listener = None

def end_outage(*_):
    outage.clear()
    open_listener()

signal.signal(signal.SIGUSR1, start_outage)
signal.signal(signal.SIGUSR2, end_outage)
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
open_listener()
print(f"proxy 127.0.0.1:{args.listen} -> {args.target_host}:{args.target}", flush=True)
serve()
