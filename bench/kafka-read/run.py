#!/usr/bin/env python3
"""Local read benchmark, driven by bench/kafka-read.sh (which builds the release binaries and
writes the backlog and the kcat input file first). Run with the venv's Python (confluent-kafka).

The same N records (128 B JSON values, 1000 keys, 3 partitions) are held by two brokers:

  sluice   `sluice run` over the backlog as MQTT ingest stores it (zstd batches, 2 headers per
           record), with its Kafka listener on a free loopback port (the MQTT port is closed on
           purpose: ingest retries in the background, nothing else runs)
  tansu    a fresh tansu broker (memory storage) loaded, untimed, with `kcat -P` from the same
           key<TAB>value file: zstd, linger 5 ms, batch.size 1 MiB, acks=all

Each measured run is one `kcat -C -e -o beginning` reading every partition to its end, with the
same consumer settings for both brokers and librdkafka 2.16 from the wheel (Debian's 2.0.2
cannot talk to tansu). Runs alternate between the brokers. Measured per run: wall time from
launch to exit, records and bytes read (kcat prints key and value per line into a file that is
counted afterwards), kcat's CPU seconds (wait4's rusage), the broker's CPU seconds (utime+stime
from /proc before and after). A run that reads fewer records than it should is reported, not
hidden: tansu's end offset can be one batch short (NOTES.md).

Every process started here is stopped here (finally + SIGTERM handler), every wait is bounded.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(*parts):
    print("kafka-read:", *parts, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


class Processes:
    """Every process this script starts; `stop_all` ends the ones still running."""

    def __init__(self, pid_file):
        self.started = []
        self.pid_file = pid_file

    def start(self, args, name, env=None, stdout=None, stderr=None, stdin=None):
        process = subprocess.Popen(args, env=env, stdin=stdin or subprocess.DEVNULL,
                                   stdout=stdout or subprocess.DEVNULL, stderr=stderr or subprocess.DEVNULL)
        process.bench_name = name
        self.started.append(process)
        with open(self.pid_file, "a") as f:  # so the shell's trap can stop it if this script dies
            f.write(f"{process.pid}\n")
        return process

    def stop(self, process, timeout=15):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{process.bench_name} (pid {process.pid}) still running {timeout} s after SIGTERM: SIGKILL")
                process.kill()
                process.wait(5)
        return process.returncode

    def stop_all(self):
        for process in reversed(self.started):
            if process.poll() is None:
                self.stop(process, timeout=5)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, process, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{process.bench_name} exited ({process.returncode}) before listening on {port}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise BenchError(f"{process.bench_name} is not listening on {port} after {timeout} s")


class Bench:
    def __init__(self, args):
        self.args = args
        self.processes = Processes(os.path.join(args.work, "pids"))
        self.env = dict(os.environ, LD_LIBRARY_PATH=args.librdkafka_dir + ":" + os.environ.get("LD_LIBRARY_PATH", ""))

    def start_tansu(self):
        from confluent_kafka.admin import AdminClient, NewTopic

        port = free_port()
        url = f"tcp://127.0.0.1:{port}"
        tansu = self.processes.start(
            [self.args.tansu, "broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
            "tansu", stdout=open(os.path.join(self.args.work, "tansu.log"), "w"), stderr=subprocess.STDOUT)
        wait_listening(port, tansu)
        admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{port}", "log_level": 3})
        for _, future in admin.create_topics([NewTopic(self.args.topic, self.args.partitions, 1)]).items():
            future.result(15)
        log(f"loading tansu on {port} with kcat -P (not timed)")
        load = subprocess.run(
            ["kcat", "-P", "-b", f"127.0.0.1:{port}", "-t", self.args.topic, "-K", "\t", "-z", "zstd",
             "-X", "acks=all", "-X", "linger.ms=5", "-X", "batch.size=1048576", "-X", "partitioner=murmur2_random",
             "-l", self.args.kcat_file],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
        if load.returncode != 0:
            raise BenchError(f"kcat -P into tansu exited {load.returncode}: {load.stderr.decode()[-2000:]}")
        return tansu, port

    def start_sluice(self):
        port = free_port()
        runtime = os.path.join(self.args.work, "runtime")
        os.makedirs(runtime, exist_ok=True)
        devices = os.path.join(self.args.work, "devices")
        os.makedirs(devices, exist_ok=True)
        with open(os.path.join(devices, "env-sensor.yaml"), "w") as f:
            f.write(
                'filter: "sensors/{device}/env"\n'
                "device_id: { from: topic, wildcard: device }\n"
                f"topic: {self.args.topic}\n"
                "format: json\n"
                "schema: { ts: integer }\n"
                "timestamp: { field: ts, unit: milliseconds }\n")
        config = os.path.join(self.args.work, "sluice.yaml")
        with open(config, "w") as f:
            f.write(
                "gateway_id: gw-bench-0001\n"
                f"data_dir: {self.args.backlog}\n"
                f"devices_dir: {devices}\n"
                f"mqtt: {{ host: 127.0.0.1, port: {free_port()}, client_id: sluice-bench }}\n"
                f"topic_defaults: {{ partitions: {self.args.partitions}, compression: zstd, retention: null, segment_duration: null }}\n"
                f"kafka_listener: {{ listen: 127.0.0.1:{port} }}\n")
        sluice = self.processes.start(
            [self.args.sluice, "run", "--config", config], "sluice", env=dict(self.env, RUNTIME_DIRECTORY=runtime),
            stderr=open(os.path.join(self.args.work, "sluice.log"), "w"))
        wait_listening(port, sluice)
        return sluice, port

    def read_all(self, broker, port, server, round_index):
        out_path = os.path.join(self.args.work, f"read-{broker}-{round_index}.txt")
        args = ["kcat", "-C", "-b", f"127.0.0.1:{port}", "-t", self.args.topic, "-o", "beginning", "-e", "-q",
                "-f", "%k\t%s\n", "-X", "fetch.max.bytes=52428800"]
        server_cpu = cpu_seconds(server.pid)
        start = time.monotonic()
        with open(out_path, "wb") as out:
            kcat = self.processes.start(args, "kcat", env=self.env, stdout=out, stderr=open(out_path + ".log", "w"))
            deadline = start + self.args.read_timeout
            while True:
                pid, status, usage = os.wait4(kcat.pid, os.WNOHANG)
                if pid == kcat.pid:
                    wall = time.monotonic() - start
                    kcat.returncode = os.waitstatus_to_exitcode(status)
                    break
                if time.monotonic() > deadline:
                    self.processes.stop(kcat)
                    raise BenchError(f"kcat -C from {broker} did not finish in {self.args.read_timeout} s")
                time.sleep(0.01)
        server_cpu = cpu_seconds(server.pid) - server_cpu
        if kcat.returncode != 0:
            raise BenchError(f"kcat -C from {broker} exited {kcat.returncode}: {open(out_path + '.log').read()[-2000:]}")
        records = 0
        payload = 0
        with open(out_path, "rb") as f:
            for line in f:
                records += 1
                payload += len(line) - 2  # key and value, without the tab and the newline
        os.remove(out_path)
        return {"broker": broker, "wall": wall, "records": records, "bytes": payload,
                "client_cpu": usage.ru_utime + usage.ru_stime, "server_cpu": server_cpu}

    def run(self):
        tansu, tansu_port = self.start_tansu()
        sluice, sluice_port = self.start_sluice()
        results = []
        try:
            # One unmeasured read each: page cache and broker warm-up are the same for both.
            for broker, port, server in (("sluice", sluice_port, sluice), ("tansu", tansu_port, tansu)):
                self.read_all(broker, port, server, "warm-up")
            for round_index in range(self.args.runs):
                order = [("sluice", sluice_port, sluice), ("tansu", tansu_port, tansu)]
                if round_index % 2:
                    order.reverse()
                for broker, port, server in order:
                    result = self.read_all(broker, port, server, round_index)
                    log(f"run {round_index + 1} {broker}: {result['records']} records in {result['wall']:.2f} s, "
                        f"kcat {result['client_cpu']:.2f} s CPU, broker {result['server_cpu']:.2f} s CPU")
                    results.append(result)
            rss = {"sluice": peak_rss_kib(sluice.pid), "tansu": peak_rss_kib(tansu.pid)}
        finally:
            self.processes.stop_all()
        return results, rss


def render(results, rss, args):
    rows = {}
    for broker in ("sluice", "tansu"):
        mine = [r for r in results if r["broker"] == broker]
        wall = statistics.median(r["wall"] for r in mine)
        rows[broker] = {
            "records": min(r["records"] for r in mine), "max_records": max(r["records"] for r in mine),
            "rate": statistics.median(r["records"] / r["wall"] for r in mine),
            "mbps": statistics.median(r["bytes"] / r["wall"] / 1e6 for r in mine),
            "wall": wall,
            "client_cpu": statistics.median(r["client_cpu"] for r in mine),
            "server_cpu": statistics.median(r["server_cpu"] for r in mine),
            "rss": rss[broker] / 1024,
        }
    lines = [
        "| broker | records read (min–max) | wall s (median) | records/s | MB/s (keys+values) | kcat CPU s | broker CPU s | broker CPU µs/record | broker peak RSS MiB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for broker, row in rows.items():
        per_record = row["server_cpu"] / max(row["records"], 1) * 1e6
        lines.append(
            f"| {broker} | {row['records']}–{row['max_records']} | {row['wall']:.2f} | {row['rate']:,.0f} | {row['mbps']:.1f} | "
            f"{row['client_cpu']:.2f} | {row['server_cpu']:.2f} | {per_record:.2f} | {row['rss']:.1f} |")
    ratio = rows["sluice"]["rate"] / rows["tansu"]["rate"]
    cpu_ratio = rows["sluice"]["server_cpu"] / max(rows["tansu"]["server_cpu"], 1e-9)
    lines += [
        "",
        f"read rate, Sluice / tansu: **{ratio:.2f} ×** (goal ≥ 1 ×: {'met' if ratio >= 1 else 'NOT met'}); "
        f"broker CPU per read, Sluice / tansu: {cpu_ratio:.2f} ×",
    ]
    for broker, row in rows.items():
        if row["records"] != args.records or row["max_records"] != args.records:
            lines.append(f"note: {broker} served {row['records']}–{row['max_records']} of {args.records} records in some run")
    return "\n".join(lines) + "\n", ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--topic", default="telemetry")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--sluice", required=True)
    parser.add_argument("--tansu", required=True)
    parser.add_argument("--librdkafka-dir", required=True)
    parser.add_argument("--backlog", required=True)
    parser.add_argument("--kcat-file", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--json")
    parser.add_argument("--read-timeout", type=float, default=300)
    args = parser.parse_args()
    bench = Bench(args)

    def terminate(signum, frame):
        bench.processes.stop_all()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    try:
        results, rss = bench.run()
    except BenchError as error:
        log(f"failed: {error}")
        bench.processes.stop_all()
        return 1
    finally:
        bench.processes.stop_all()
    table, _ = render(results, rss, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "rss_kib": rss}, f, indent=1)
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
