#!/usr/bin/env python3
"""Exercises Kafka consumer groups against a broker with confluent-kafka and prints JSON results.

Used by the Swift tests of Sluice's Kafka listener (run with the venv's Python). Each scenario
starts real consumers in child processes, so a "crash" is a real SIGKILL.

  assignment  N consumers join one group on a topic; prints each one's partitions once the group
              is stable, then consumer 0 leaves and prints the remaining consumers' partitions.
  resume      reads --count records committing after each, stops; a second consumer in the same
              group reads the rest; prints the offsets each saw.
  crash       a consumer processes records (appending "partition:offset" to a file) and commits
              after processing; it is SIGKILLed midway; a new consumer finishes the topic; prints
              the processed records so the caller can check nothing was lost.
  read-group  one consumer reads --limit records (default: until idle), committing after each;
              prints the records' partition/offset.
Exit status 0 with a JSON object on stdout; 2 on a client error.
"""
import argparse
import json
import multiprocessing as mp
import os
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaException


def consumer_config(args, group, **extra):
    config = {
        "bootstrap.servers": args.bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
        "partition.assignment.strategy": args.strategy,
        "topic.metadata.refresh.interval.ms": 1000,
    }
    config.update(extra)
    return config


def assignment_member(args, index, queue, commands):
    """A group member that reports its assignment whenever it changes, until told to stop."""
    consumer = Consumer(consumer_config(args, args.group, **{"client.id": f"member-{index}"}))
    current = set()

    def on_assign(c, partitions):
        if args.strategy == "cooperative-sticky":
            current.update(p.partition for p in partitions)
        else:
            current.clear()
            current.update(p.partition for p in partitions)
        queue.put((index, sorted(current)))

    def on_revoke(c, partitions):
        if args.strategy == "cooperative-sticky":
            current.difference_update(p.partition for p in partitions)
        else:
            current.clear()
        queue.put((index, sorted(current)))

    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        consumer.poll(0.2)
        if not commands.empty() and commands.get() == "leave":
            break
    consumer.close()  # LeaveGroup


def wait_for_cover(queue, members, partitions, timeout):
    """Collects assignment reports until the members' sets are disjoint and cover every partition."""
    latest = {m: [] for m in members}
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            index, assigned = queue.get(timeout=0.5)
            if index in latest:
                latest[index] = assigned
        except Exception:
            pass
        union = [p for m in members for p in latest[m]]
        if sorted(union) == list(range(partitions)) and all(latest[m] for m in members):
            # Stable for a moment: no further report arrives.
            settle = time.time() + 2
            stable = True
            while time.time() < settle:
                try:
                    index, assigned = queue.get(timeout=0.2)
                    if index in latest:
                        latest[index] = assigned
                        stable = False
                except Exception:
                    pass
            if stable:
                return latest
    return latest


def scenario_assignment(args):
    queue = mp.Queue()
    commands = [mp.Queue() for _ in range(args.members)]
    processes = [mp.Process(target=assignment_member, args=(args, i, queue, commands[i])) for i in range(args.members)]
    for p in processes:
        p.start()
    before = wait_for_cover(queue, list(range(args.members)), args.partitions, args.timeout)
    commands[0].put("leave")
    processes[0].join(30)
    after = wait_for_cover(queue, list(range(1, args.members)), args.partitions, args.timeout)
    for c in commands[1:]:
        c.put("leave")
    for p in processes[1:]:
        p.join(30)
    return {"before": {str(k): v for k, v in before.items()}, "after": {str(k): v for k, v in after.items()}}


def read(consumer, limit, idle, on_record=None, first_wait=60.0):
    """Reads until `limit` records, or `idle` seconds without one (waiting up to `first_wait` for
    the first: joining a group may wait for a dead member's session to expire)."""
    seen = []
    last = time.time() + first_wait - idle
    while len(seen) < limit and time.time() - last < idle:
        message = consumer.poll(0.2)
        if message is None:
            continue
        if message.error():
            raise KafkaException(message.error())
        last = time.time()
        seen.append([message.partition(), message.offset()])
        if on_record:
            on_record(message)
    return seen


def scenario_resume(args):
    first = Consumer(consumer_config(args, args.group))
    first.subscribe([args.topic])
    seen_first = read(first, args.count, args.idle, lambda m: first.commit(message=m, asynchronous=False))
    first.close()
    second = Consumer(consumer_config(args, args.group))
    second.subscribe([args.topic])
    seen_second = read(second, 10**9, args.idle, lambda m: second.commit(message=m, asynchronous=False))
    second.close()
    return {"first": seen_first, "second": seen_second}


def crash_worker(args, path):
    consumer = Consumer(consumer_config(args, args.group))
    consumer.subscribe([args.topic])
    with open(path, "a") as out:
        def process(message):
            out.write(f"{message.partition()}:{message.offset()}\n")
            out.flush()
            consumer.commit(message=message, asynchronous=False)  # commit after processing: at least once
        read(consumer, 10**9, args.idle, process)
    consumer.close()


def scenario_crash(args):
    path = args.work_file
    open(path, "w").close()
    worker = mp.Process(target=crash_worker, args=(args, path))
    worker.start()
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        with open(path) as f:
            if sum(1 for _ in f) >= args.count:
                break
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    with open(path) as f:
        processed_before_crash = sum(1 for _ in f)
    successor = mp.Process(target=crash_worker, args=(args, path))
    successor.start()
    successor.join(args.timeout)
    with open(path) as f:
        processed = [line.strip().split(":") for line in f if line.strip()]
    return {"processed_before_crash": processed_before_crash, "processed": [[int(p), int(o)] for p, o in processed]}


def scenario_read_group(args):
    consumer = Consumer(consumer_config(args, args.group))
    consumer.subscribe([args.topic])
    seen = read(consumer, args.limit or 10**9, args.idle, lambda m: consumer.commit(message=m, asynchronous=False))
    consumer.close()
    return {"records": seen}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["assignment", "resume", "crash", "read-group"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--strategy", default="range")
    parser.add_argument("--idle", type=float, default=4.0)
    parser.add_argument("--timeout", type=float, default=90.0)
    parser.add_argument("--work-file", default="/tmp/sluice-group-crash.txt")
    args = parser.parse_args()
    try:
        result = {"assignment": scenario_assignment, "resume": scenario_resume, "crash": scenario_crash,
                  "read-group": scenario_read_group}[args.scenario](args)
    except KafkaException as error:
        print(f"kafka-group-check: {error}", file=sys.stderr)
        sys.exit(2)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    mp.set_start_method("fork")
    main()
