#!/usr/bin/env python3
"""Upstream drain benchmark, driven by bench/upstream-drain.sh (which builds the release binaries,
writes the backlogs and the kcat input file first). Run with the venv's Python (confluent-kafka).

Each measured run gets a fresh tansu broker (memory storage) on a free loopback port, with the
topic `telemetry` created beforehand with 3 partitions, then one of these producers:

  kcat            `kcat -P -l FILE -K '\\t'`: the same N records (key<TAB>value lines), no headers
  kcat+6h         the same with 6 `-H` headers of the sizes Sluice sends (kcat's headers are per
                  invocation, so every record carries the same values); kcat+Nh (N = 1…6) carries
                  the last N of them (kcat+4h: the 4 sluice.* headers, as sluice-noh sends)
  sluice          `sluice run` draining the backlog ingest would have written (zstd batches of
                  ~167 records, 2 ingest headers per record) to the broker: 6 headers per record
                  upstream (mqtt.topic, mqtt.qos + sluice.gateway/topic/partition/offset)
  sluice-noh      the same backlog written without the 2 ingest headers: 4 headers upstream

Same producer settings on both sides: acks=all, enable.idempotence=true, compression lz4 (or
--compression), linger.ms=5, batch.size=1 MiB, partitioner=murmur2_random, librdkafka 2.16 from
the wheel (LD_LIBRARY_PATH).

Measured per run: wall time from launch until every record is delivered (kcat: process exit;
Sluice: `upstream.lastDeliveryMillis` of the status.json that first shows delivered == N; the
file is rewritten every 2 s, so the poll finds out late but the timestamp is the forwarder's own),
CPU seconds (utime+stime from /proc at the first 50 ms sample after the last delivery; kcat:
wait4's rusage), peak RSS (the largest VmHWM sampled), RSS sampled every 50 ms, tansu's CPU seconds. Then every
record is read back from tansu and counted (distinct values too, so duplicates show), and the
header count per record is checked.

Every process started here is stopped here (finally + SIGTERM handler), every wait is bounded.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
SAMPLE = 0.05  # s between samples

# kcat+6h: Sluice's 6 headers with representative values (the offset has 6 digits for most records).
SLUICE_LIKE_HEADERS = [
    "mqtt.topic=sensors/dev-0000/env", "mqtt.qos=1", "sluice.gateway=gw-bench-0001", "sluice.topic=telemetry",
    "sluice.partition=0", "sluice.offset=123456",
]


def log(*parts):
    print("upstream-drain:", *parts, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


class Processes:
    """Every process this script starts; `stop_all` ends the ones still running."""

    def __init__(self, pid_file):
        self.started = []
        self.pid_file = pid_file

    def start(self, args, name, env=None, stdout=None, stderr=None, cwd=None):
        process = subprocess.Popen(args, env=env, cwd=cwd, stdout=stdout or subprocess.DEVNULL, stderr=stderr or subprocess.DEVNULL)
        process.bench_name = name
        self.started.append(process)
        with open(self.pid_file, "a") as f:  # so the shell's trap can stop it if this script dies
            f.write(f"{process.pid}\n")
        return process

    def stop(self, process, timeout=15, sig=signal.SIGTERM):
        if process.poll() is None:
            try:
                process.send_signal(sig)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{process.bench_name} (pid {process.pid}) still running {timeout} s after signal {sig}: SIGKILL")
                process.kill()
                process.wait(5)
        return process.returncode

    def stop_all(self):
        for process in reversed(self.started):
            if process.poll() is None:
                self.stop(process, timeout=5)


class Sample:
    """CPU seconds and memory of one process at one moment, from /proc (None once it is gone)."""

    def __init__(self, pid, now):
        self.time = now
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        self.cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
        status = open(f"/proc/{pid}/status").read()
        self.rss_kib = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        self.hwm_kib = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))

    @staticmethod
    def take(pid, now):
        try:
            return Sample(pid, now)
        except (OSError, AttributeError, IndexError):
            return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, process, timeout=10.0):
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


# ---------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.processes = Processes(os.path.join(args.work, "pids"))
        self.env = dict(os.environ, LD_LIBRARY_PATH=args.librdkafka_dir + ":" + os.environ.get("LD_LIBRARY_PATH", ""))

    # tansu ------------------------------------------------------------------------------------

    def start_tansu(self, run_dir):
        from confluent_kafka.admin import AdminClient, NewTopic

        for _ in range(3):
            port = free_port()
            url = f"tcp://127.0.0.1:{port}"
            tansu = self.processes.start(
                [self.args.tansu, "broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
                "tansu", stdout=open(os.path.join(run_dir, "tansu.log"), "w"), stderr=subprocess.STDOUT)
            try:
                wait_listening(port, tansu)
            except BenchError as error:
                log(f"tansu on {port}: {error}; trying another port")
                self.processes.stop(tansu, sig=signal.SIGKILL)
                continue
            admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{port}", "log_level": 3})
            for topic, future in admin.create_topics([NewTopic(self.args.topic, self.args.partitions, 1)]).items():
                future.result(15)
            metadata = admin.list_topics(self.args.topic, timeout=10)
            count = len(metadata.topics[self.args.topic].partitions)
            if count != self.args.partitions:
                raise BenchError(f"tansu created {self.args.topic} with {count} partitions, not {self.args.partitions}")
            return tansu, port
        raise BenchError("tansu did not start")

    def read_back(self, port, expect_headers):
        """Every record of the topic: count, distinct values, header counts. Stops when idle 3 s."""
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

        consumer = Consumer({
            "bootstrap.servers": f"127.0.0.1:{port}", "group.id": "upstream-drain-bench", "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "log_level": 3, "fetch.max.bytes": 52428800,
        })
        try:
            metadata = consumer.list_topics(self.args.topic, timeout=10)
            partitions = sorted(metadata.topics[self.args.topic].partitions)
            consumer.assign([TopicPartition(self.args.topic, p, OFFSET_BEGINNING) for p in partitions])
            count = 0
            values = set()
            header_counts = {}
            keys_in = {}
            start = last = time.monotonic()
            while True:
                now = time.monotonic()
                if count >= self.args.records and now - last >= 0.5 or now - last >= 3.0 or now - start >= self.args.read_timeout:
                    break
                for message in consumer.consume(num_messages=10000, timeout=0.2):
                    if message.error() is not None:
                        continue
                    count += 1
                    values.add(message.value())
                    n = len(message.headers() or [])
                    header_counts[n] = header_counts.get(n, 0) + 1
                    keys_in.setdefault(message.key(), set()).add(message.partition())
                    last = time.monotonic()
        finally:
            consumer.close()
        split_keys = sum(1 for p in keys_in.values() if len(p) > 1)
        problems = []
        if count != self.args.records:
            problems.append(f"read {count} records, expected {self.args.records}")
        if len(values) != self.args.records:
            problems.append(f"{len(values)} distinct values, expected {self.args.records} (duplicates or loss)")
        if set(header_counts) != {expect_headers}:
            problems.append(f"header counts {header_counts}, expected {expect_headers} on every record")
        if split_keys:
            problems.append(f"{split_keys} keys landed in more than one partition")
        return {"read": count, "distinct": len(values), "headers": header_counts, "problems": problems}

    # producers --------------------------------------------------------------------------------

    def run_kcat(self, run_dir, port, headers):
        args = [
            "kcat", "-P", "-b", f"127.0.0.1:{port}", "-t", self.args.topic, "-K", "\t", "-z", self.args.compression,
            "-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=5", "-X", "batch.size=1048576",
            "-X", "partitioner=murmur2_random", "-l", self.args.kcat_file,
        ]
        for header in headers:
            args += ["-H", header]
        stderr_path = os.path.join(run_dir, "kcat.log")
        samples = []
        start = time.monotonic()
        kcat = self.processes.start(args, "kcat", env=self.env, stderr=open(stderr_path, "w"))
        deadline = start + self.args.drain_timeout
        rusage = None
        while True:
            pid, status, usage = os.wait4(kcat.pid, os.WNOHANG)
            if pid == kcat.pid:
                end = time.monotonic()
                rusage = usage
                kcat.returncode = os.waitstatus_to_exitcode(status)
                break
            now = time.monotonic()
            if now > deadline:
                self.processes.stop(kcat)
                raise BenchError(f"kcat did not finish in {self.args.drain_timeout} s")
            sample = Sample.take(kcat.pid, now)
            if sample:
                samples.append(sample)
            time.sleep(SAMPLE)
        output = open(stderr_path).read()
        if kcat.returncode != 0 or "fail" in output.lower() or "error" in output.lower():
            raise BenchError(f"kcat exited {kcat.returncode}: {output[-2000:]}")
        # Peak RSS from VmHWM samples, not wait4's ru_maxrss: Linux carries the forking parent's
        # (this script's) peak over exec into the child's ru_maxrss.
        return {
            "wall": end - start, "cpu": rusage.ru_utime + rusage.ru_stime, "hwm_kib": max((s.hwm_kib for s in samples), default=0),
            "startup": None, "samples": [(s.time - start, s.rss_kib) for s in samples],
        }

    def run_sluice(self, run_dir, port, backlog):
        data = os.path.join(run_dir, "data")
        shutil.copytree(backlog, data)
        runtime = os.path.join(run_dir, "runtime")
        os.mkdir(runtime)
        devices = os.path.join(run_dir, "devices")
        os.mkdir(devices)
        with open(os.path.join(devices, "env-sensor.yaml"), "w") as f:
            f.write(
                'filter: "sensors/{device}/env"\n'
                "device_id: { from: topic, wildcard: device }\n"
                f"topic: {self.args.topic}\n"
                "format: json\n"
                "schema: { ts: integer }\n"
                "timestamp: { field: ts, unit: milliseconds }\n")
        config = os.path.join(run_dir, "sluice.yaml")
        with open(config, "w") as f:
            # The MQTT port is closed on purpose: ingest retries in the background, the forwarder drains.
            f.write(
                "gateway_id: gw-bench-0001\n"
                f"data_dir: {data}\n"
                f"devices_dir: {devices}\n"
                f"mqtt: {{ host: 127.0.0.1, port: {free_port()}, client_id: sluice-bench }}\n"
                "log: { fsync: interval, flush_interval: 250ms }\n"
                f"topic_defaults: {{ partitions: {self.args.partitions}, compression: zstd, retention: null, segment_duration: null }}\n"
                "upstream:\n"
                f"  bootstrap_servers: 127.0.0.1:{port}\n"
                "  acks: all\n"
                "  idempotence: true\n"
                f"  compression: {self.args.compression}\n"
                "  linger: 5ms\n"
                "  batch_bytes: 1MiB\n")
            for line in self.args.upstream_set:
                key, _, value = line.partition("=")
                f.write(f"  {key}: {value}\n")
        status_path = os.path.join(runtime, "status.json")
        env = dict(self.env, RUNTIME_DIRECTORY=runtime)
        samples = []
        wall_start = time.time()
        start = time.monotonic()
        sluice = self.processes.start(
            [self.args.sluice, "run", "--config", config], "sluice", env=env,
            stderr=open(os.path.join(run_dir, "sluice.log"), "w"))
        deadline = start + self.args.drain_timeout
        first_status = None
        try:
            while True:
                now = time.monotonic()
                if sluice.poll() is not None:
                    raise BenchError(f"sluice exited ({sluice.returncode}); see {run_dir}/sluice.log")
                if now > deadline:
                    raise BenchError(f"sluice did not deliver {self.args.records} records in {self.args.drain_timeout} s")
                sample = Sample.take(sluice.pid, now)
                if sample:
                    samples.append(sample)
                try:
                    with open(status_path) as f:
                        status = json.load(f)
                except (OSError, ValueError):
                    status = None
                if status and first_status is None:
                    first_status = status
                upstream = (status or {}).get("upstream") or {}
                if upstream.get("failed"):
                    raise BenchError(f"sluice reports failed records: {upstream}")
                if upstream.get("delivered", 0) >= self.args.records:
                    break
                time.sleep(SAMPLE)
            last_delivery = upstream["lastDeliveryMillis"] / 1000 - wall_start  # s since launch
            # Sample once more so that at least one sample follows the last delivery.
            time.sleep(SAMPLE)
            final = Sample.take(sluice.pid, time.monotonic())
            samples.append(final)
            after = [s for s in samples if s.time - start >= last_delivery]
            cpu = after[0].cpu
            started = first_status["startedAtMillis"] / 1000 - wall_start
        finally:
            self.processes.stop(sluice)
        if sluice.returncode != 0:
            raise BenchError(f"sluice exited {sluice.returncode} on SIGTERM; see {run_dir}/sluice.log")
        return {
            "wall": last_delivery, "cpu": cpu, "hwm_kib": final.hwm_kib, "startup": started,
            "produced": upstream["produced"], "samples": [(s.time - start, s.rss_kib) for s in samples],
        }

    # one run ----------------------------------------------------------------------------------

    def measure(self, variant, round_index):
        run_dir = os.path.join(self.args.work, f"run-{round_index}-{variant}")
        os.makedirs(run_dir)
        tansu, port = self.start_tansu(run_dir)
        try:
            tansu_before = Sample.take(tansu.pid, time.monotonic())
            if variant == "kcat":
                result = self.run_kcat(run_dir, port, [])
                headers = 0
            elif re.fullmatch(r"kcat\+[1-6]h", variant):
                # The last N of Sluice's 6 headers: kcat+4h carries the 4 sluice.* ones (pairs with sluice-noh).
                headers = int(variant[5])
                result = self.run_kcat(run_dir, port, SLUICE_LIKE_HEADERS[6 - headers:])
            elif variant == "sluice":
                result = self.run_sluice(run_dir, port, self.args.backlog)
                headers = 2 + self.args.origin_headers
            elif variant == "sluice-noh":
                result = self.run_sluice(run_dir, port, self.args.backlog_no_headers)
                headers = self.args.origin_headers
            else:
                raise BenchError(f"unknown variant {variant}")
            tansu_after = Sample.take(tansu.pid, time.monotonic())
            result["tansu_cpu"] = tansu_after.cpu - tansu_before.cpu
            result["check"] = self.read_back(port, headers)
        finally:
            self.processes.stop(tansu, sig=signal.SIGKILL)  # memory storage: nothing to shut down
        result.update(variant=variant, round=round_index, headers=headers)
        if not self.args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        return result


def rss_summary(result):
    """RSS (MiB) over the drain after warm-up: the samples from 25 % of the way through to the end."""
    start = result["startup"] or 0.0
    window = [rss for t, rss in result["samples"] if start + 0.25 * (result["wall"] - start) <= t <= result["wall"]]
    if not window:
        return None
    return min(window) / 1024, max(window) / 1024, len(window)


def render(results, args):
    lines = []
    by_variant = {}
    for result in results:
        by_variant.setdefault(result["variant"], []).append(result)
    medians = {}
    for variant in args.variants:
        runs = sorted(by_variant.get(variant, []), key=lambda r: r["wall"])
        if runs:
            medians[variant] = runs[len(runs) // 2]
    payload_mb = args.payload_bytes / 1e6
    lines.append("| producer | headers/rec | records/s | range (runs) | MB/s (values) | wall s | Sluice startup s | CPU s | CPU µs/rec | tansu CPU s | peak RSS MiB | RSS after warm-up MiB (min–max, samples) | ×kcat rate | read back |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    kcat_rate = args.records / medians["kcat"]["wall"] if "kcat" in medians else None
    for variant in args.variants:
        if variant not in medians:
            continue
        median = medians[variant]
        rates = [args.records / r["wall"] for r in by_variant[variant]]
        rate = args.records / median["wall"]
        rss = rss_summary(median)
        rss_text = f"{rss[0]:.1f}–{rss[1]:.1f} ({rss[2]})" if rss else "—"
        check = median["check"]
        ok = all(not r["check"]["problems"] for r in by_variant[variant])
        startup = "—" if median["startup"] is None else "%.2f" % median["startup"]
        versus = "—" if kcat_rate is None else "%.2f" % (rate / kcat_rate)
        lines.append(
            f"| {variant} | {median['headers']} | {rate:.0f} | {min(rates):.0f}–{max(rates):.0f} ({len(rates)}) | {payload_mb / median['wall']:.1f} "
            f"| {median['wall']:.2f} | {startup} | {median['cpu']:.2f} "
            f"| {median['cpu'] / args.records * 1e6:.2f} | {median['tansu_cpu']:.2f} | {median['hwm_kib'] / 1024:.1f} | {rss_text} "
            f"| {versus} | {'ok' if ok else 'PROBLEM'} {check['read']}/{check['distinct']} |")
    lines.append("")
    if "kcat" in medians and "sluice" in medians:
        # Ratio per round (same round = same machine state), then the median of those.
        ratios = []
        for round_index in range(args.runs):
            pair = {r["variant"]: r for r in results if r["round"] == round_index}
            if "kcat" in pair and "sluice" in pair:
                ratios.append(pair["kcat"]["wall"] / pair["sluice"]["wall"])
        verdict = "met" if statistics.median(ratios) >= 0.9 else "NOT met"
        lines.append(f"goal sluice ≥ 0.90 × kcat records/s: {statistics.median(ratios):.2f} (per round: {', '.join(f'{r:.2f}' for r in ratios)}) — {verdict}")
        if "kcat+6h" in medians:
            same = [pair_ratio for pair_ratio in (
                ({r["variant"]: r for r in results if r["round"] == i}) for i in range(args.runs)) if "kcat+6h" in pair_ratio and "sluice" in pair_ratio]
            ratios6 = [p["kcat+6h"]["wall"] / p["sluice"]["wall"] for p in same]
            lines.append(f"sluice ÷ kcat with the same 6 headers: {statistics.median(ratios6):.2f} (per round: {', '.join(f'{r:.2f}' for r in ratios6)})")
    for result in results:
        if result["check"]["problems"]:
            lines.append(f"PROBLEM round {result['round']} {result['variant']}: {'; '.join(result['check']['problems'])}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--payload-bytes", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", default="kcat,kcat+6h,sluice,sluice-noh")
    parser.add_argument("--topic", default="telemetry")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--compression", default="lz4")
    parser.add_argument("--sluice", required=True)
    parser.add_argument("--tansu", required=True)
    parser.add_argument("--librdkafka-dir", required=True)
    parser.add_argument("--backlog", required=True)
    parser.add_argument("--backlog-no-headers", required=True)
    parser.add_argument("--kcat-file", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--drain-timeout", type=float, default=0)
    parser.add_argument("--read-timeout", type=float, default=0)
    parser.add_argument("--origin-headers", type=int, default=4, help="diagnostic: sluice.* headers a patched binary adds per record")
    parser.add_argument("--upstream-set", action="append", default=[], help="diagnostic: KEY=VALUE added to Sluice's upstream section")
    args = parser.parse_args()
    args.variants = args.variants.split(",")
    args.drain_timeout = args.drain_timeout or max(120.0, args.records / 10000)
    args.read_timeout = args.read_timeout or max(120.0, args.records / 10000)

    bench = Bench(args)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    results = []
    try:
        for round_index in range(args.runs):
            for variant in args.variants:
                log(f"round {round_index + 1}/{args.runs} {variant}")
                result = bench.measure(variant, round_index)
                results.append(result)
                check = result["check"]
                log(f"  {args.records / result['wall']:.0f} records/s, wall {result['wall']:.2f} s, CPU {result['cpu']:.2f} s, "
                    f"peak RSS {result['hwm_kib'] / 1024:.1f} MiB, tansu CPU {result['tansu_cpu']:.2f} s, read back {check['read']} "
                    f"({check['distinct']} distinct, headers {check['headers']}){' PROBLEM: ' + '; '.join(check['problems']) if check['problems'] else ''}")
                with open(args.json, "w") as f:
                    json.dump(results, f)
    finally:
        bench.processes.stop_all()
    print(render(results, args))
    return 1 if any(r["check"]["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
