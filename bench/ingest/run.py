#!/usr/bin/env python3
"""MQTT ingest benchmark, driven by bench/ingest.sh (which installs the tools, builds the release
binary and the load generator first). Standard library only.

Parts, each on fresh processes and empty directories, all on loopback:
  burst   the same precomputed N messages (QoS 1, 128-byte JSON, 1000 devices) published as fast
          as the broker takes them, to
            mosquitto_sub   mosquitto + `mosquitto_sub -q 1` writing to /dev/null
            sluice          mosquitto + `sluice run` (the shipped config: fsync interval 250 ms,
                            telemetry 6 partitions, zstd)
            nats            nats-server alone: its MQTT listener and a file-backed JetStream
                            stream on sensors.> (the load publishes to it directly)
  steady  1000 msg/s for S seconds, first into mosquitto + `mosquitto_sub -F '%U %p'` (the
          broker hop alone, as a reference), then into mosquitto + Sluice with `perf record` on
          Sluice's pwrite64/fdatasync/fsync syscalls: publish -> append and publish -> durable
          per record, matched through the batches' file positions.

Every process started here is stopped here (finally + signal handlers), every wait is bounded.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TOPIC_LEN = 20       # "sensors/env-0042/env"
PAYLOAD_LEN = 128
PROBE_TOPIC = b"sensors/probe-00/env"
CLK_TCK = os.sysconf("SC_CLK_TCK")
FSYNC_EVENTS = ["syscalls:sys_enter_fsync", "syscalls:sys_enter_fdatasync", "syscalls:sys_enter_sync_file_range", "syscalls:sys_enter_msync"]
POLL = 0.005         # progress poll interval (s)
STALL = 5.0          # no progress for this long after the last publish: the rest is lost


def log(*parts):
    print("ingest:", *parts, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Processes


class Processes:
    """Every process this script starts; `stop_all` ends the ones still running (SIGTERM, then SIGKILL)."""

    def __init__(self):
        self.started = []

    def start(self, args, name, stdout=None, stderr=None, env=None, cwd=None):
        process = subprocess.Popen(args, stdout=stdout or subprocess.DEVNULL, stderr=stderr or subprocess.DEVNULL, env=env, cwd=cwd)
        process.bench_name = name
        self.started.append(process)
        return process

    def stop(self, process, timeout=10):
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{process.bench_name} (pid {process.pid}) ignored SIGTERM for {timeout} s: SIGKILL")
                process.kill()
                process.wait(5)
        return process.returncode

    def stop_all(self):
        for process in reversed(self.started):
            if process.poll() is None:
                self.stop(process, timeout=5)


def child_of(parent_pid, comm, timeout=5.0):
    """The pid of `parent_pid`'s child named `comm` (for a process started under perf)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(f"/proc/{parent_pid}/task/{parent_pid}/children") as f:
                for pid in f.read().split():
                    try:
                        with open(f"/proc/{pid}/comm") as c:
                            if c.read().strip() == comm[:15]:
                                return int(pid)
                    except OSError:
                        pass
        except OSError:
            pass
        time.sleep(0.01)
    raise BenchError(f"{comm} did not start under pid {parent_pid}")


class Sample:
    """CPU seconds, RSS and I/O of one process at one moment, from /proc."""

    def __init__(self, pid):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        self.cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK   # utime + stime
        status = open(f"/proc/{pid}/status").read()
        self.hwm_kib = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
        self.rss_kib = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        io = dict(line.split(": ") for line in open(f"/proc/{pid}/io").read().splitlines())
        self.write_bytes = int(io["write_bytes"]) - int(io["cancelled_write_bytes"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, process, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{process.bench_name} exited with {process.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise BenchError(f"{process.bench_name} is not listening on {port} after {timeout} s")


def wait_for(condition, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise BenchError(f"timed out after {timeout} s waiting for {what}")


def loadavg():
    return open("/proc/loadavg").read().split()[0]


# ---------------------------------------------------------------------------------------------
# Messages


def write_messages(path, count, seed=1):
    """`count` messages from 1000 env sensors (devices/env-sensor.yaml's schema), each device once
    per simulated second in shuffled order: 20-byte topic + 128-byte JSON payload, fixed size.
    `ts` (13 digits) and `sent_us` (16 digits) are placeholders the load generator overwrites
    with the send time."""
    rng = random.Random(seed)
    devices = [[18 + rng.random() * 8, 35 + rng.random() * 30, 1005 + rng.random() * 15, 3.6 + rng.random() * 0.6, 0] for _ in range(1000)]
    written = 0
    with open(path, "wb") as f:
        while written < count:
            order = list(range(1000))
            rng.shuffle(order)
            for index in order[: count - written]:
                d = devices[index]
                d[0] += rng.uniform(-0.05, 0.05)
                d[1] = min(100.0, max(0.0, d[1] + rng.uniform(-0.2, 0.2)))
                d[2] += rng.uniform(-0.1, 0.1)
                d[3] = max(3.0, d[3] - 1e-5)
                d[4] += 1
                f.write(b"sensors/env-%04d/env" % index + payload(index, d))
                written += 1


def payload(index, d):
    body = '{"ts":1764063000000,"temp":%.2f,"hum":%.1f,"pres":%.2f,"battery":%.3f,"seq":%d,"sent_us":1764063000000000' % (d[0], d[1], d[2], d[3], d[4])
    room = PAYLOAD_LEN - len(body) - len(',"fw":""}')
    firmware = ("2.14.7-g%08x" % (index * 2654435761 % 2**32))[:room].ljust(room, "0")
    text = body + ',"fw":"%s"}' % firmware
    assert len(text) == PAYLOAD_LEN, text
    return text.encode()


def write_probe(path):
    with open(path, "wb") as f:
        f.write(PROBE_TOPIC + payload(0, [20.0, 50.0, 1013.0, 3.7, 1]))


def run_load(config, port, messages, count, rate=0, client_id="bench-load", timeout=600):
    """Runs the load generator to completion; returns its report plus its CPU and peak RSS (wait4)."""
    args = [config.load, "--port", str(port), "--messages", messages, "--topic-len", str(TOPIC_LEN),
            "--payload-len", str(PAYLOAD_LEN), "--count", str(count), "--rate", str(rate), "--qos", "1",
            "--window", "1000", "--client-id", client_id]
    process = config.processes.start(args, "mqtt-load", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            config.processes.stop(process)
            raise BenchError(f"the load generator did not finish within {timeout} s")
        time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.stdout.read().decode(), process.stderr.read().decode()
    if process.returncode not in (0, 3) or not out.strip():
        raise BenchError(f"the load generator failed ({process.returncode}): {err.strip()}")
    report = json.loads(out)
    report["cpu"] = usage.ru_utime + usage.ru_stime
    report["maxrss_kib"] = usage.ru_maxrss
    return report


def probe(config, port, delivered, what, attempts=10):
    """Publishes one probe message at a time until `delivered()` (a count) moves: proves the
    subscriber is subscribed and warm. Returns the count afterwards."""
    for _ in range(attempts):
        before = delivered()
        run_load(config, port, config.probe_file, 1, client_id="bench-probe")
        deadline = time.time() + 2
        while time.time() < deadline:
            if delivered() > before:
                time.sleep(0.3)
                return delivered()
            time.sleep(0.02)
    raise BenchError(f"{what} never received a probe message")


# ---------------------------------------------------------------------------------------------
# Brokers and subscribers


def perf_wrapped(config, args, name):
    """`args` under `perf stat` counting fsync-family syscalls (all threads), if perf can."""
    if not config.perf:
        return args, None
    path = os.path.join(config.work, f"perf-stat-{name}-{time.monotonic_ns()}.csv")
    return ["perf", "stat", "-x", ",", "-o", path, "-e", ",".join(FSYNC_EVENTS), "--"] + args, path


def read_perf_stat(path):
    if not path:
        return None
    deadline = time.time() + 5
    total = None
    while time.time() < deadline and total is None:
        try:
            for line in open(path):
                parts = line.strip().split(",")
                if len(parts) > 2 and parts[2] in FSYNC_EVENTS:
                    total = (total or 0) + (int(parts[0]) if parts[0].isdigit() else 0)
        except OSError:
            pass
        if total is None:
            time.sleep(0.05)
    return total


class Target:
    """A started process, maybe under perf (`stat`: counts fsync-family syscalls; `record`: traces
    `record_events` into `record_path`), and the pid to measure (perf's child, if wrapped)."""

    def __init__(self, config, args, name, comm, wrapper="stat", record_path=None, record_events=(), **kwargs):
        self.perf_path = None
        if wrapper == "stat" and config.perf:
            args, self.perf_path = perf_wrapped(config, args, name)
        elif wrapper == "record":
            args = ["perf", "record", "-q", "-k", "monotonic", "-o", record_path, "-e", ",".join(record_events), "--"] + args
        self.wrapped = args[0] == "perf"
        self.process = config.processes.start(args, name, **kwargs)
        self.pid = child_of(self.process.pid, comm) if self.wrapped else self.process.pid
        self.config = config
        self.name = name

    def sample(self):
        return Sample(self.pid)

    def stop(self):
        if self.wrapped:  # stop the measured process; perf then writes its file and exits by itself
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.process.wait(15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                log(f"{self.name} (pid {self.pid}) did not stop within 15 s of SIGTERM")
        return self.config.processes.stop(self.process, timeout=15)

    def fsyncs(self):
        return read_perf_stat(self.perf_path)


def start_mosquitto(config, directory):
    port = free_port()
    shipped = open(os.path.join(config.repo, "config/mosquitto.conf")).read().splitlines()
    kept = [line for line in shipped if not line.strip().startswith(("listener", "port ", "log_dest", "persistence_location", "pid_file"))]
    path = os.path.join(directory, "mosquitto.conf")
    with open(path, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nlog_dest stdout\n" + "\n".join(kept) + "\n")
    out = open(os.path.join(directory, "mosquitto.log"), "w")
    broker = Target(config, ["mosquitto", "-c", path], "mosquitto", "mosquitto", stdout=out, stderr=subprocess.STDOUT)
    wait_listening(port, broker.process)
    return broker, port


# ---------------------------------------------------------------------------------------------
# Sluice's log, read directly (batch headers only)


class LogWatcher:
    """Counts records in a Sluice data directory by reading RecordBatch v2 headers of the .log
    files as they grow (only whole batches count). Cheap enough to poll every few ms."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.files = {}  # path -> [position, records]

    def count(self):
        total = 0
        try:
            folders = os.listdir(self.data_dir)
        except OSError:
            return 0
        for folder in folders:
            directory = os.path.join(self.data_dir, folder)
            try:
                names = [n for n in os.listdir(directory) if n.endswith(".log")]
            except OSError:
                continue
            for name in names:
                path = os.path.join(directory, name)
                state = self.files.setdefault(path, [0, 0])
                try:
                    size = os.path.getsize(path)
                    if size - state[0] >= 61:
                        with open(path, "rb") as f:
                            f.seek(state[0])
                            data = f.read(size - state[0])
                        position = 0
                        while len(data) - position >= 61:
                            length = struct.unpack_from(">i", data, position + 8)[0]
                            if length < 49 or position + 12 + length > len(data):
                                break
                            state[1] += struct.unpack_from(">i", data, position + 57)[0]
                            position += 12 + length
                        state[0] += position
                except OSError:
                    pass
                total += state[1]
        return total


def batches(data_dir, folder):
    """(file position, base offset, record count, size) of every batch of a partition folder's segments, in file order, per segment file."""
    result = {}
    directory = os.path.join(data_dir, folder)
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".log"):
            continue
        data = open(os.path.join(directory, name), "rb").read()
        position, found = 0, []
        while len(data) - position >= 61:
            base, length = struct.unpack_from(">qi", data, position)
            if position + 12 + length > len(data):
                break
            found.append((position, base, struct.unpack_from(">i", data, position + 57)[0], 12 + length))
            position += 12 + length
        result[os.path.join(directory, name)] = found
    return result


def disk_bytes(directory):
    total = 0
    for root, _, names in os.walk(directory):
        for name in names:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def sluice_config(config, directory, port, metrics_port=None):
    """The shipped config/sluice.yaml with only the data dir, the devices dir (env-sensor only),
    the broker port and the topics that exist changed; the metrics endpoint on a free port when
    `metrics_port` is given, else off."""
    devices = os.path.join(directory, "devices")
    os.makedirs(devices)
    shutil.copy(os.path.join(config.repo, "devices/env-sensor.yaml"), devices)
    text = open(os.path.join(config.repo, "config/sluice.yaml")).read()
    data = os.path.join(directory, "data")
    text = re.sub(r"(?m)^data_dir: .*$", f"data_dir: {data}", text)
    text = re.sub(r"(?m)^devices_dir: .*$", f"devices_dir: {devices}", text)
    text = re.sub(r"(?m)^(\s+port:) \d+", rf"\g<1> {port}", text, count=1)
    text = re.sub(r"(?m)^  (energy|positions|vibration): .*\n", "", text)  # topics of absent profiles
    if metrics_port:
        text = re.sub(r"(?m)^(  listen:) 127\.0\.0\.1:9464", rf"\g<1> 127.0.0.1:{metrics_port}", text, count=1)
    else:
        text = re.sub(r"(?m)^metrics:\n  enabled: true", "metrics:\n  enabled: false", text, count=1)
    if config.sluice_overrides:
        for key, value in config.sluice_overrides.items():
            text = re.sub(rf"(?m)^(\s*{key}:) [^#\n]*", rf"\g<1> {value} ", text, count=1)
    path = os.path.join(directory, "sluice.yaml")
    open(path, "w").write(text)
    flush = re.search(r"(?m)^\s*flush_interval:\s*(\d+)ms", text)
    return path, data, (int(flush.group(1)) if flush else 250)


def read_status(runtime):
    try:
        return json.load(open(os.path.join(runtime, "status.json")))
    except (OSError, ValueError):
        return None


def start_sluice(config, directory, port, perf_record=None, metrics_port=None):
    path, data, flush_ms = sluice_config(config, directory, port, metrics_port)
    check = subprocess.run([config.sluice, "check-config", "--config", path], capture_output=True, text=True, timeout=60)
    if check.returncode:
        raise BenchError(f"sluice check-config failed: {check.stdout}{check.stderr}")
    runtime = os.path.join(directory, "run")
    os.makedirs(runtime)
    env = dict(os.environ, RUNTIME_DIRECTORY=runtime)
    env.pop("NOTIFY_SOCKET", None)
    err = open(os.path.join(directory, "sluice.log"), "w")
    args = [config.sluice, "run", "--config", path, "--log-level", "notice"]
    if perf_record:
        sluice = Target(config, args, "sluice", "sluice", wrapper="record", record_path=perf_record, record_events=LATENCY_EVENTS, stderr=err, env=env)
    else:
        sluice = Target(config, args, "sluice", "sluice", stderr=err, env=env)
    wait_for(lambda: (read_status(runtime) or {}).get("isConnected"), 20, "Sluice to connect to the broker (status.json)")
    return sluice, data, runtime, flush_ms


def sluice_topics(config, data):
    out = subprocess.run([config.sluice, "topics", "--data-dir", data], capture_output=True, text=True, timeout=60)
    if out.returncode:
        raise BenchError(f"sluice topics failed: {out.stderr}")
    counts = {}
    for line in out.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5:
            counts[parts[0]] = counts.get(parts[0], 0) + int(parts[4])
    return counts


# ---------------------------------------------------------------------------------------------
# NATS JetStream


def nats_request(port, subject, body):
    """One request over the NATS protocol (plain socket): returns the reply payload."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rb")
        f.readline()  # INFO
        s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\nSUB _INBOX.bench 1\r\n'
                  + b"PUB %s _INBOX.bench %d\r\n%s\r\n" % (subject.encode(), len(body), body))
        while True:
            line = f.readline()
            if not line:
                raise BenchError(f"nats-server closed the connection during {subject}")
            if line.startswith(b"PING"):
                s.sendall(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise BenchError(f"nats-server: {line.decode().strip()}")
            elif line.startswith(b"MSG"):
                size = int(line.split()[-1])
                return json.loads(f.read(size + 2)[:size])


def start_nats(config, directory):
    client, mqtt, http = free_port(), free_port(), free_port()
    store = os.path.join(directory, "store")
    path = os.path.join(directory, "nats.conf")
    with open(path, "w") as f:
        f.write(f'server_name: sluice-bench\nlisten: 127.0.0.1:{client}\nhttp: 127.0.0.1:{http}\n'
                f'jetstream {{ store_dir: "{store}" }}\nmqtt {{ listen: 127.0.0.1:{mqtt} }}\n')
    out = open(os.path.join(directory, "nats.log"), "w")
    server = Target(config, ["nats-server", "-c", path], "nats-server", "nats-server", stdout=out, stderr=subprocess.STDOUT)
    wait_listening(client, server.process)
    wait_listening(mqtt, server.process)
    stream = {"name": "SENSORS", "subjects": ["sensors.>"], "storage": "file", "retention": "limits", "num_replicas": 1, "discard": "old"}
    reply = nats_request(client, "$JS.API.STREAM.CREATE.SENSORS", json.dumps(stream).encode())
    if "error" in reply:
        raise BenchError(f"creating the JetStream stream failed: {reply['error']}")
    return server, mqtt, http, store


def nats_stream_messages(http):
    with urllib.request.urlopen(f"http://127.0.0.1:{http}/jsz?streams=true", timeout=5) as response:
        info = json.load(response)
    for account in info.get("account_details", []):
        for stream in account.get("stream_detail", []):
            if stream["name"] == "SENSORS":
                return stream["state"]["messages"]
    return 0


class StoreWatcher:
    """Sum of the sizes of the stream's message block files: moves whenever nats-server writes
    to the stream (no request to the server, so no CPU of its own is spent on watching)."""

    def __init__(self, store):
        self.directory = os.path.join(store, "jetstream", "$G", "streams", "SENSORS", "msgs")

    def size(self):
        try:
            return sum(os.path.getsize(os.path.join(self.directory, n)) for n in os.listdir(self.directory) if n.endswith(".blk"))
        except OSError:
            return 0


# ---------------------------------------------------------------------------------------------
# The burst part


def watch(progress, target, published_done):
    """Polls `progress()` until it reaches `target` or stalls for STALL seconds after the load
    finished. Returns (value, time of the last change)."""
    value, changed = progress(), time.time()
    while True:
        if target is not None and value >= target:
            return value, changed
        time.sleep(POLL)
        now_value = progress()
        now = time.time()
        if now_value != value:
            value, changed = now_value, now
        if published_done() and now - max(changed, published_done()) > STALL:
            return value, changed
        if now - changed > 600:
            return value, changed


class LoadThread:
    """Runs the load generator on a thread so progress can be polled meanwhile."""

    def __init__(self, config, port, count):
        import threading
        self.result, self.error, self.finished = None, None, None
        def body():
            try:
                self.result = run_load(config, port, config.messages_file, count)
            except Exception as error:  # noqa: BLE001 - reported by the caller
                self.error = error
            self.finished = time.time()
        self.thread = threading.Thread(target=body, daemon=True)
        self.thread.start()

    def done(self):
        return self.finished

    def join(self):
        self.thread.join(660)
        if self.error:
            raise self.error
        if self.result is None:
            raise BenchError("the load generator did not report")
        return self.result


def burst_mosquitto_sub(config, run):
    directory = tempfile.mkdtemp(prefix="sub-", dir=config.work)
    n = config.count
    broker, port = start_mosquitto(config, directory)
    sub_args = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", "sensors/+/env", "-i", f"bench-sub-{run}"]
    # -C: it exits on its N+1th message (the probe, which shows that the subscription is live,
    # and the N), so its exit time is the time of its last message and wait4 gives its CPU.
    sub = config.processes.start(sub_args + ["-C", str(n + 1)], "mosquitto_sub", stdout=subprocess.DEVNULL)
    exited = {}
    def reaped():
        if "usage" not in exited:
            pid, status, usage = os.wait4(sub.pid, os.WNOHANG)
            if pid:
                sub.returncode = os.waitstatus_to_exitcode(status)
                exited["usage"], exited["at"] = usage, time.time()
        return "usage" in exited
    def wchar():
        try:
            return int(re.search(r"wchar: (\d+)", open(f"/proc/{sub.pid}/io").read()).group(1))
        except (OSError, AttributeError):
            return 0
    wait_for(lambda: reaped() or wchar() > 0, 10, "mosquitto_sub to connect")
    if reaped():
        raise BenchError(f"mosquitto_sub exited early with {sub.returncode}")
    base = wchar()
    probe(config, port, lambda: 1 if wchar() - base >= PAYLOAD_LEN + 1 else 0, "mosquitto_sub")
    broker_before, sub_before = broker.sample(), Sample(sub.pid)
    log(f"run {run}: mosquitto_sub (load {loadavg()})")
    start_wchar = wchar()
    load = LoadThread(config, port, n)
    # mosquitto_sub writes each message with one write(1, payload + "\n"), a 4-byte PUBACK and a
    # 1-byte wake-up: its wchar counts messages while it runs (the count is exact once it exits
    # on its -C'th message; the estimate is used only if it never does, i.e. messages were lost).
    per_message = PAYLOAD_LEN + 1 + 4 + 1
    def progress():
        if reaped():
            return n
        return min(n - 1, (wchar() - start_wchar) // per_message)
    received, last = watch(progress, n, load.done)
    report = load.join()
    broker_after = broker.sample()
    if "usage" in exited:
        usage = exited["usage"]
        sub_cpu = usage.ru_utime + usage.ru_stime - sub_before.cpu
        sub_hwm = usage.ru_maxrss
        last = exited["at"]
    else:
        sub_after = Sample(sub.pid)
        sub_cpu, sub_hwm = sub_after.cpu - sub_before.cpu, sub_after.hwm_kib
        config.processes.stop(sub)
    broker.stop()
    return {
        "target": "mosquitto_sub", "published": report["published"], "stored": received,
        "seconds": last - report["first_publish_us"] / 1e6, "load": report,
        "processes": [
            proc_row("mosquitto", broker_before, broker_after, broker.fsyncs()),
            {"name": "mosquitto_sub", "cpu": sub_cpu, "hwm_kib": sub_hwm, "write_bytes": 0, "fsyncs": 0},
        ],
        "disk_bytes": None, "durable": "no (RAM → /dev/null)",
    }


def proc_row(name, before, after, fsyncs):
    return {"name": name, "cpu": after.cpu - before.cpu, "hwm_kib": after.hwm_kib, "rss_kib": after.rss_kib,
            "write_bytes": after.write_bytes - before.write_bytes, "fsyncs": fsyncs}


class Scraper:
    """GETs /metrics (as Prometheus would) every `interval` seconds until stopped."""

    def __init__(self, port, interval=1.0):
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.interval, self.scrapes, self.failures, self.bytes = interval, 0, 0, 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.body, daemon=True)
        self.thread.start()

    def body(self):

        while not self.stopping.wait(self.interval):
            try:
                with urllib.request.urlopen(self.url, timeout=5) as answer:
                    self.bytes += len(answer.read())
                    self.scrapes += 1
            except OSError:
                self.failures += 1

    def stop(self):
        self.stopping.set()
        self.thread.join(10)


def burst_sluice_scraped(config, run):
    """Sluice with its metrics endpoint on and scraped every second (the cost of metrics)."""
    return burst_sluice(config, run, scraped=True)


def burst_sluice(config, run, scraped=False):
    directory = tempfile.mkdtemp(prefix="sluice-", dir=config.work)
    n = config.count
    broker, port = start_mosquitto(config, directory)
    metrics_port = free_port() if scraped else None
    sluice, data, runtime, flush_ms = start_sluice(config, directory, port, metrics_port=metrics_port)
    scraper = Scraper(metrics_port) if scraped else None
    watcher = LogWatcher(data)
    base = probe(config, port, watcher.count, "Sluice")
    status_before = wait_for(lambda: read_status(runtime), 5, "status.json")
    broker_before, sluice_before = broker.sample(), sluice.sample()
    log(f"run {run}: sluice (load {loadavg()})")
    load = LoadThread(config, port, n)
    stored, last = watch(lambda: watcher.count() - base, n, load.done)
    report = load.join()
    time.sleep(flush_ms / 1000 + 0.1)  # the group commit that makes the last batch durable
    broker_after, sluice_after = broker.sample(), sluice.sample()
    # A status.json written after the end, for Sluice's own fsync count.
    status = wait_for(lambda: (s := read_status(runtime)) and s["generatedAtMillis"] > (last + flush_ms / 1000 + 0.2) * 1000 and s, 6, "a fresh status.json")
    if scraper:
        scraper.stop()
    sluice.stop()
    broker.stop()
    topics = sluice_topics(config, data)
    stored_final = topics.get("telemetry", 0) - base
    dead = sum(v for k, v in topics.items() if k != "telemetry")
    perf_fsyncs = sluice.fsyncs()
    row = proc_row("sluice", sluice_before, sluice_after, status["fsyncs"] - status_before["fsyncs"])
    row["fsyncs_perf"] = perf_fsyncs
    return {
        "target": "sluice_scraped" if scraped else "sluice", "published": report["published"], "stored": stored_final, "dead_letters": dead,
        "scrapes": {"count": scraper.scrapes, "failures": scraper.failures, "bytes": scraper.bytes} if scraper else None,
        "seconds": last - report["first_publish_us"] / 1e6, "load": report,
        "processes": [proc_row("mosquitto", broker_before, broker_after, broker.fsyncs()), row],
        "disk_bytes": disk_bytes(data), "durable": f"fdatasync per partition every {flush_ms} ms",
        "status": {"received": status["messagesReceived"] - status_before["messagesReceived"], "largestBurst": status["largestBurst"],
                   "bytesWritten": status["bytesWritten"] - status_before["bytesWritten"]},
    }


def burst_nats(config, run):
    directory = tempfile.mkdtemp(prefix="nats-", dir=config.work)
    n = config.count
    server, mqtt, http, store = start_nats(config, directory)
    base = probe(config, mqtt, lambda: nats_stream_messages(http), "the JetStream stream")
    files = StoreWatcher(store)
    before = server.sample()
    log(f"run {run}: nats (load {loadavg()})")
    load = LoadThread(config, mqtt, n)
    # The block files' size is what is watched (no request to the server while it works); once it
    # has not moved for 100 ms, the stream's message count is asked for, until it is complete.
    size, last, confirmed = files.size(), time.time(), -1
    while True:
        time.sleep(POLL)
        now_size, now = files.size(), time.time()
        if now_size != size:
            size, last = now_size, now
        elif load.done() and now - last >= 0.1 and confirmed != size:
            confirmed = size
            if nats_stream_messages(http) - base >= n:
                break
        if load.done() and now - max(last, load.done()) > STALL:
            break
    report = load.join()
    stored = nats_stream_messages(http) - base
    after = server.sample()
    server.stop()
    return {
        "target": "nats", "published": report["published"], "stored": stored,
        "seconds": last - report["first_publish_us"] / 1e6, "load": report,
        "processes": [proc_row("nats-server", before, after, server.fsyncs())],
        "disk_bytes": disk_bytes(store), "durable": "page cache (fsync counted below)",
    }


# ---------------------------------------------------------------------------------------------
# The steady part: publish -> durable


LATENCY_EVENTS = ["syscalls:sys_enter_pwrite64", "syscalls:sys_exit_pwrite64", "syscalls:sys_enter_fdatasync",
                  "syscalls:sys_exit_fdatasync", "syscalls:sys_enter_fsync", "syscalls:sys_exit_fsync"]


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def clock_offset():
    """CLOCK_REALTIME − CLOCK_MONOTONIC in µs (perf records monotonic time; the load stamps real time)."""
    best = None
    for _ in range(20):
        a = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        r = time.time_ns()
        b = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        if best is None or b - a < best[0]:
            best = (b - a, r - (a + b) // 2)
    return best[1] / 1000


def steady_sluice(config):
    directory = tempfile.mkdtemp(prefix="steady-", dir=config.work)
    seconds, rate = config.latency_seconds, config.latency_rate
    n = seconds * rate
    broker, port = start_mosquitto(config, directory)
    trace = os.path.join(directory, "perf.data")
    sluice, data, runtime, flush_ms = start_sluice(config, directory, port, perf_record=trace)
    watcher = LogWatcher(data)
    base = probe(config, port, watcher.count, "Sluice")
    status_before = wait_for(lambda: read_status(runtime), 5, "status.json")
    offset_start = clock_offset()
    broker_before, sluice_before = broker.sample(), sluice.sample()
    log(f"steady: {rate} msg/s for {seconds} s into Sluice (load {loadavg()})")
    import threading
    rss, stop_sampling = [], threading.Event()
    def sample_rss():
        while not stop_sampling.wait(1.0):
            try:
                rss.append((time.time(), Sample(sluice.pid).rss_kib))
            except OSError:
                return
    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    report = run_load(config, port, config.messages_file, n, rate=rate, timeout=seconds * 3 + 60)
    load_done = time.time()
    stored, last = watch(lambda: watcher.count() - base, n, lambda: load_done)
    time.sleep(flush_ms / 1000 + 0.2)
    stop_sampling.set()
    sampler.join(5)
    broker_after, sluice_after = broker.sample(), sluice.sample()
    offset_end = clock_offset()
    status = wait_for(lambda: (s := read_status(runtime)) and s["generatedAtMillis"] > (last + flush_ms / 1000 + 0.3) * 1000 and s, 6, "a fresh status.json")
    fds = {}
    for fd in os.listdir(f"/proc/{sluice.pid}/fd"):
        try:
            fds[int(fd)] = os.readlink(f"/proc/{sluice.pid}/fd/{fd}")
        except OSError:
            pass
    sluice.stop()
    broker.stop()
    latencies = steady_latencies(config, data, trace, fds, offset_start, offset_end, report["first_publish_us"] / 1e6)
    first_us = report["first_publish_us"] / 1e6
    warmup = min(5, seconds / 4)
    steady_rss = [kib for t, kib in rss if t >= first_us + warmup]
    topics = sluice_topics(config, data)
    return {
        "published": report["published"], "stored": topics.get("telemetry", 0) - base, "rate": rate, "seconds": seconds,
        "flush_ms": flush_ms, "latency": latencies, "clock_drift_us": offset_end - offset_start,
        "processes": [proc_row("mosquitto", broker_before, broker_after, None),
                      proc_row("sluice", sluice_before, sluice_after, status["fsyncs"] - status_before["fsyncs"])],
        "rss_kib": {"min": min(steady_rss, default=0), "median": statistics.median(steady_rss) if steady_rss else 0, "max": max(steady_rss, default=0)},
        "bytes_written_log": status["bytesWritten"] - status_before["bytesWritten"], "warmup": warmup,
        "dead_letters": sum(v for k, v in topics.items() if k != "telemetry"),
        "disk_bytes": disk_bytes(data), "partitions_active": latencies.get("partitions", 0),
    }


def steady_reference(config):
    """The broker hop alone, as a reference for the latency budget: the same steady load into
    mosquitto, received by `mosquitto_sub -F '%U %p'` (its receive time, then the payload)."""
    directory = tempfile.mkdtemp(prefix="steady-sub-", dir=config.work)
    seconds, rate = config.latency_seconds, config.latency_rate
    n = seconds * rate
    broker, port = start_mosquitto(config, directory)
    path = os.path.join(directory, "received.txt")
    out = open(path, "w")
    sub = config.processes.start(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", "sensors/+/env", "-F", "%U %p"],
                                 "mosquitto_sub", stdout=out)
    lines = lambda: sum(1 for _ in open(path))
    base = probe(config, port, lines, "mosquitto_sub (steady)")
    log(f"steady: {rate} msg/s for {seconds} s into mosquitto_sub, the broker hop alone (load {loadavg()})")
    run_load(config, port, config.messages_file, n, rate=rate, timeout=seconds * 3 + 60)
    done = time.time()
    received, _ = watch(lambda: lines() - base, n, lambda: done)
    config.processes.stop(sub)
    broker.stop()
    out.close()
    hop = []
    for line in open(path):
        parts = line.split(" ", 1)
        m = re.search(r'"sent_us":(\d+)', parts[1]) if len(parts) == 2 else None
        if m and "probe" not in line:
            hop.append((float(parts[0]) - int(m.group(1)) / 1e6) * 1000)
    return {"published": n, "received": received, "hop": summarize(hop)}


def summarize(values):
    return {"n": len(values), "p50": percentile(values, 50), "p90": percentile(values, 90), "p99": percentile(values, 99),
            "p999": percentile(values, 99.9), "max": max(values, default=float("nan"))}


def steady_latencies(config, data, trace, fds, offset_start, offset_end, first_publish):
    """publish → append (pwrite64 returned) and publish → durable (the first fdatasync on the
    same file that started after that pwrite returned, at its return), per record."""
    script = subprocess.run(["perf", "script", "-i", trace, "-F", "tid,time,event,trace", "--ns"], capture_output=True, text=True, timeout=600)
    if script.returncode:
        raise BenchError(f"perf script failed: {script.stderr[-2000:]}")
    offset = (offset_start + offset_end) / 2 / 1e6  # seconds, realtime − monotonic
    pending = {}        # tid -> (event, fd, pos, count, t_enter)
    writes = {}         # path -> {pos: (t_enter, t_exit, count)}
    syncs = {}          # path -> [(t_enter, t_exit)]
    line_re = re.compile(r"^\s*(\d+)\s+([\d.]+):\s+syscalls:sys_(enter|exit)_(\w+):\s*(.*)$")
    for line in script.stdout.splitlines():
        m = line_re.match(line)
        if not m:
            continue
        tid, t, phase, call, rest = int(m.group(1)), float(m.group(2)) + offset, m.group(3), m.group(4), m.group(5)
        if phase == "enter":
            args = dict(re.findall(r"(\w+): (0x[0-9a-f]+)", rest))
            pending[tid] = (call, int(args.get("fd", "0x0"), 16), int(args.get("pos", "0x0"), 16), int(args.get("count", "0x0"), 16), t)
        elif tid in pending:
            call, fd, pos, count, t_enter = pending.pop(tid)
            path = fds.get(fd, f"fd {fd}")
            if call == "pwrite64":
                writes.setdefault(path, {}).setdefault(pos, (t_enter, t, count))
            else:
                syncs.setdefault(path, []).append((t_enter, t))
    # Record -> batch -> pwrite -> fdatasync.
    append_ms, durable_ms, wait_ms, sync_ms, unmatched, partitions = [], [], [], [], 0, 0
    sent = {}
    consume = subprocess.run([config.sluice, "consume", "telemetry", "--data-dir", data], capture_output=True, text=True, timeout=600)
    for line in consume.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 6:
            m = re.search(r'"sent_us":(\d+)', parts[5])
            if m and "probe" not in parts[3]:
                sent[(int(parts[0]), int(parts[1]))] = int(m.group(1)) / 1e6
    fsyncs_per_partition, gaps = [], []
    for folder in sorted(os.listdir(data)):
        if not folder.startswith("telemetry-"):
            continue
        partition = int(folder.rsplit("-", 1)[1])
        for path, found in batches(data, folder).items():
            file_writes = writes.get(path, {})
            file_syncs = sorted(syncs.get(path, []))
            if found:
                partitions += 1
            fsyncs_per_partition.append(len(file_syncs))
            gaps += [(b[0] - a[0]) * 1000 for a, b in zip(file_syncs, file_syncs[1:]) if a[0] >= first_publish]
            for position, base, count, size in found:
                write = file_writes.get(position)
                if write is None or write[2] != size:
                    unmatched += count
                    continue
                sync = next(((s_enter, s_exit) for s_enter, s_exit in file_syncs if s_enter >= write[1]), None)
                durable = sync[1] if sync else None
                for offset_in_batch in range(count):
                    t_sent = sent.get((partition, base + offset_in_batch))
                    if t_sent is None:
                        continue
                    append_ms.append((write[1] - t_sent) * 1000)
                    if durable is None:
                        unmatched += 1
                    else:
                        durable_ms.append((durable - t_sent) * 1000)
                        wait_ms.append((sync[0] - write[1]) * 1000)
                        sync_ms.append((sync[1] - sync[0]) * 1000)
    return {"append": summarize(append_ms), "durable": summarize(durable_ms), "wait": summarize(wait_ms), "sync": summarize(sync_ms), "unmatched": unmatched, "partitions": partitions,
            "fsyncs_traced": sum(fsyncs_per_partition), "records_with_send_time": len(sent), "fsync_gap": summarize(gaps),
            "fdatasync_ms": summarize([(e - b) * 1000 for path in syncs for b, e in syncs[path]])}


# ---------------------------------------------------------------------------------------------
# Report


def per_100k(cpu, records):
    return cpu / records * 100_000 if records else float("nan")


def fmt(value, digits=2):
    if value is None:
        return "n/m"
    if isinstance(value, float) and value != value:
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def median_run(runs):
    ordered = sorted(runs, key=lambda r: r["published"] / r["seconds"])
    return ordered[len(ordered) // 2]


def report(config, burst, steady):
    lines = []
    out = lines.append
    cpu = re.search(r"model name\s*: (.*)", open("/proc/cpuinfo").read()).group(1)
    out(f"messages={config.count} runs={config.runs} latency={config.latency_seconds}s@{config.latency_rate}/s · {os.cpu_count()} CPUs ({cpu}) · "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB RAM · work dir on "
        f"{subprocess.run(['df', '--output=source,fstype', config.work], capture_output=True, text=True).stdout.splitlines()[-1].split()} · Linux {os.uname().release}")
    if burst:
        out("")
        out("| target | process | msg/s | range (runs) | lost | CPU s / 100k rec | peak RSS MiB | disk B/rec | written B/rec | fsyncs / 1000 rec |")
        out("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    chosen = {}
    for name in ("mosquitto_sub", "sluice", "sluice_scraped", "nats"):
        runs = burst.get(name, [])
        if not runs:
            continue
        r = median_run(runs)
        chosen[name] = r
        rates = [x["published"] / x["seconds"] for x in runs]
        rate = r["published"] / r["seconds"]
        lost = r["published"] - r["stored"]
        total_cpu = 0
        for index, p in enumerate(r["processes"]):
            total_cpu += p["cpu"]
            first = index == 0
            disk = r["disk_bytes"] / r["stored"] if (r["disk_bytes"] is not None and r["stored"] and p is r["processes"][-1]) else None
            fsyncs = p.get("fsyncs")
            out("| " + " | ".join([
                name if first else "", p["name"],
                f"{rate:.0f}" if first else "", f"{min(rates):.0f}–{max(rates):.0f} ({len(rates)})" if first else "",
                f"{lost}" + (f" (+{r['dead_letters']} dead letters)" if r.get("dead_letters") else "") if first else "",
                f"{per_100k(p['cpu'], r['published']):.2f}", f"{p['hwm_kib'] / 1024:.1f}",
                fmt(disk, 1) if disk is not None else "—",
                f"{p['write_bytes'] / r['published']:.1f}",
                fmt(fsyncs / r['published'] * 1000, 2) if fsyncs is not None else "n/m",
            ]) + " |")
        if len(r["processes"]) > 1:
            out(f"| {name} | **all** | | | | **{per_100k(total_cpu, r['published']):.2f}** | | | | |")
        r["total_cpu_per_100k"] = per_100k(total_cpu, r["published"])
        r["rate"] = rate
    if chosen:
        out("")
        out("- 1-min load average when each target started (other work on this machine): " + "; ".join(
            f"{name} " + ", ".join(r.get("loadavg", "?") for r in burst.get(name, [])) for name in chosen))
        load_cpu = {name: per_100k(r["load"]["cpu"], r["published"]) for name, r in chosen.items()}
        out("- load generator (mqtt-load) CPU s / 100k: " + ", ".join(f"{k} {v:.2f}" for k, v in load_cpu.items()))
    if "sluice" in chosen and "status" in chosen["sluice"]:
        s = chosen["sluice"]["status"]
        out(f"- sluice: largest burst {s['largestBurst']} messages, log bytes appended {s['bytesWritten'] / chosen['sluice']['published']:.1f} B/rec")
    if "sluice" in chosen and "sluice_scraped" in chosen:
        plain, scraped = chosen["sluice"], chosen["sluice_scraped"]
        cpu = lambda r: next(p for p in r["processes"] if p["name"] == "sluice")["cpu"]
        scrapes = scraped["scrapes"] or {"count": 0, "failures": 0, "bytes": 0}
        out(f"- the cost of metrics: sluice_scraped (endpoint on, /metrics scraped every 1 s: {scrapes['count']} scrapes, "
            f"{scrapes['failures']} failed, {scrapes['bytes'] / max(1, scrapes['count']):.0f} B each) vs sluice (endpoint off): "
            f"msg/s {scraped['rate'] / plain['rate']:.3f} ×, Sluice CPU per record "
            f"{per_100k(cpu(scraped), scraped['published']) / per_100k(cpu(plain), plain['published']):.3f} ×")
    if steady:
        s = steady
        lat = s["latency"]
        sl = next(p for p in s["processes"] if p["name"] == "sluice")
        mq = next(p for p in s["processes"] if p["name"] == "mosquitto")
        out("")
        out(f"steady: {s['rate']} msg/s for {s['seconds']} s into mosquitto + Sluice (fsync interval {s['flush_ms']} ms), "
            f"{s['published']} published, {s['published'] - s['stored']} lost, {lat['partitions']} active partitions")
        out("")
        out("| ms | p50 | p90 | p99 | p99.9 | max | count |")
        out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        rows = [("append", "Sluice: publish → append (pwrite returned)", lat), ("durable", "Sluice: **publish → durable** (fdatasync returned)", lat),
                ("wait", "… of which, per record: append → its fdatasync starts", lat), ("sync", "… of which, per record: its fdatasync's duration", lat),
                ("fsync_gap", "Sluice: time between fdatasync starts, per partition", lat), ("fdatasync_ms", "Sluice: fdatasync duration, per call", lat)]
        if s.get("reference"):
            rows.insert(0, ("hop", "reference: publish → mosquitto_sub received (broker hop alone)", s["reference"]))
        for key, label, source in rows:
            v = source[key]
            out(f"| {label} | {v['p50']:.1f} | {v['p90']:.1f} | {v['p99']:.1f} | {v['p999']:.1f} | {v['max']:.1f} | {v['n']} |")
        out("")
        out("| process | CPU s / 100k rec | RSS MiB min / median / max (after warm-up) | peak RSS MiB | written B/rec | disk B/rec | log bytes B/rec | fsyncs / 1000 rec | fsyncs per partition per flush interval |")
        out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        rk = s["rss_kib"]
        per_interval = sl["fsyncs"] / max(1, lat["partitions"]) / (s["seconds"] * 1000 / s["flush_ms"])
        out(f"| sluice | {per_100k(sl['cpu'], s['published']):.2f} | {rk['min'] / 1024:.1f} / {rk['median'] / 1024:.1f} / {rk['max'] / 1024:.1f} | "
            f"{sl['hwm_kib'] / 1024:.1f} | {sl['write_bytes'] / s['published']:.1f} | {s['disk_bytes'] / max(1, s['stored']):.1f} | "
            f"{s['bytes_written_log'] / s['published']:.1f} | {sl['fsyncs'] / s['published'] * 1000:.2f} | {per_interval:.2f} |")
        out(f"| mosquitto | {per_100k(mq['cpu'], s['published']):.2f} | | {mq['hwm_kib'] / 1024:.1f} | {mq['write_bytes'] / s['published']:.1f} | | | | |")
        out("")
        out(f"(Sluice ran under `perf record` of 6 syscall tracepoints in this part; {lat['unmatched']} records could not be matched to a "
            f"pwrite/fdatasync; {lat['fsyncs_traced']} fdatasyncs traced on telemetry segments; clock offset drift {s['clock_drift_us']:.0f} µs)")
    # Goals
    out("")
    goals = []
    def goal(text, value, limit, ok, unit=""):
        goals.append(f"goal {text}: {value}{unit} (limit {limit}{unit}) — {'met' if ok else 'NOT met'}")
    if "sluice" in chosen and "mosquitto_sub" in chosen:
        ratio = chosen["sluice"]["rate"] / chosen["mosquitto_sub"]["rate"]
        goal("Sluice msg/s ≥ 0.9 × mosquitto_sub's", f"{ratio:.2f} ×", "0.9 ×", ratio >= 0.9)
        sl = next(p for p in chosen["sluice"]["processes"] if p["name"] == "sluice")
        sub = next(p for p in chosen["mosquitto_sub"]["processes"] if p["name"] == "mosquitto_sub")
        ratio = per_100k(sl["cpu"], chosen["sluice"]["published"]) / per_100k(sub["cpu"], chosen["mosquitto_sub"]["published"])
        goal("Sluice CPU per record ≤ 2 × mosquitto_sub's", f"{ratio:.2f} ×", "2 ×", ratio <= 2)
    if "sluice" in chosen and "nats" in chosen:
        ratio = chosen["sluice"]["total_cpu_per_100k"] / chosen["nats"]["total_cpu_per_100k"]
        goal("mosquitto + Sluice CPU per durable record ≤ 1 × nats-server's", f"{ratio:.2f} ×", "1 ×", ratio <= 1)
    for name, r in chosen.items():
        if r["published"] != r["stored"]:
            goals.append(f"check {name}: {r['published'] - r['stored']} of {r['published']} messages lost")
        if r.get("dead_letters"):
            goals.append(f"check {name}: {r['dead_letters']} messages went to the dead-letter topic")
    if steady and (steady["published"] != steady["stored"] or steady["dead_letters"]):
        goals.append(f"check steady: {steady['published'] - steady['stored']} lost, {steady['dead_letters']} dead letters")
    if steady:
        p99 = steady["latency"]["durable"]["p99"]
        limit = steady["flush_ms"] + 10
        goal("p99 publish → durable ≤ flush interval + 10 ms", f"{p99:.1f}", f"{limit}", p99 <= limit, " ms")
        rss = steady["rss_kib"]["max"] / 1024
        goal(f"steady RSS of Sluice at {steady['rate']} msg/s ≤ 32 MiB", f"{rss:.1f}", "32", rss <= 32, " MiB")
        sl = next(p for p in steady["processes"] if p["name"] == "sluice")
        written, stored = sl["write_bytes"] / steady["published"], steady["disk_bytes"] / max(1, steady["stored"])
        goal(f"(design) bytes written to the device ≤ 1.1 × stored bytes at {steady['rate']} msg/s", f"{written / stored:.2f} ×", "1.1 ×", written / stored <= 1.1)
        per_interval = sl["fsyncs"] / max(1, steady["latency"]["partitions"]) / (steady["seconds"] * 1000 / steady["flush_ms"])
        goal(f"(design) fsyncs ≤ 4 per flush interval per active partition at {steady['rate']} msg/s", f"{per_interval:.2f}", "4", per_interval <= 4)
    lines.append("```")
    lines.extend(goals)
    lines.append("```")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200_000, dest="count")
    parser.add_argument("--latency-seconds", type=int, default=60)
    parser.add_argument("--latency-rate", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1, help="burst rounds (targets interleaved); the table shows each target's median run")
    parser.add_argument("--targets", default="mosquitto_sub,sluice,nats")
    parser.add_argument("--sluice", required=True)
    parser.add_argument("--load", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--set", action="append", default=[], help="override a key of the Sluice config: KEY=VALUE (e.g. compression=none)")
    config = parser.parse_args()
    config.processes = Processes()
    config.sluice_overrides = dict(item.split("=", 1) for item in config.set)
    config.perf = subprocess.run(["perf", "stat", "-x", ",", "-e", FSYNC_EVENTS[0], "--", "true"], capture_output=True).returncode == 0 if shutil.which("perf") else False
    if not config.perf:
        log("perf cannot count syscall tracepoints here: fsyncs of mosquitto and nats-server are 'n/m', and the latency part cannot run")
    def on_signal(number, _frame):
        raise KeyboardInterrupt(f"signal {number}")
    signal.signal(signal.SIGTERM, on_signal)
    try:
        config.messages_file = os.path.join(config.work, "messages.bin")
        config.probe_file = os.path.join(config.work, "probe.bin")
        log(f"writing {config.count} messages")
        write_messages(config.messages_file, max(config.count, config.latency_seconds * config.latency_rate))
        write_probe(config.probe_file)
        burst = {}
        targets = [t for t in config.targets.split(",") if t]
        parts = {"mosquitto_sub": burst_mosquitto_sub, "sluice": burst_sluice, "sluice_scraped": burst_sluice_scraped, "nats": burst_nats}
        for run in range(1, config.runs + 1):
            for target in targets:
                if target in parts:
                    load_before = loadavg()
                    result = parts[target](config, run)
                    result["loadavg"] = load_before
                    log(f"run {run}: {target}: {result['published']} published, {result['stored']} stored in {result['seconds']:.2f} s "
                        f"({result['published'] / result['seconds']:.0f} msg/s)")
                    burst.setdefault(target, []).append(result)
        steady = None
        if config.latency_seconds > 0 and config.perf:
            reference = steady_reference(config)
            steady = steady_sluice(config)
            steady["reference"] = reference
        if config.json:
            json.dump({"burst": burst, "steady": steady}, open(config.json, "w"), indent=1, default=str)
        print(report(config, burst, steady))
    finally:
        config.processes.stop_all()


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        log(f"failed: {error}")
        sys.exit(1)
    except KeyboardInterrupt as error:
        log(f"interrupted ({error})")
        sys.exit(130)
