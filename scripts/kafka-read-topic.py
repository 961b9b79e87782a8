#!/usr/bin/env python3
"""Reads every record of one topic from a Kafka broker and prints one JSON object per line.

Used by the Swift tests (SluiceTestKit's KafkaReader) to check what reached the broker; run it
with the venv's Python (.venv/bin/python), which has confluent-kafka. It assigns every partition
from the beginning (no consumer group) and reads until the topic has been idle for
--idle-seconds, until --expect records were read, or until --timeout-seconds passed.
It reads until idle rather than to the high watermark because tansu's "latest offset" answer
can be one batch short.

Each line: {"partition": int, "offset": int, "timestamp": int (ms, -1 if none),
            "key": str|null (UTF-8, null if absent or not UTF-8), "key_b64": str|null,
            "value": str|null, "value_b64": str|null,
            "headers": [[name, value_b64|null], ...]}
Exit status: 0 after reading, 2 if the topic does not exist or the broker cannot be reached.
"""
import argparse
import base64
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def text(data):
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="host:port of a broker")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--expect", type=int, default=0, help="stop once this many records were read (0: read until idle)")
    parser.add_argument("--idle-seconds", type=float, default=3.0, help="stop after this long without a new record")
    parser.add_argument("--timeout-seconds", type=float, default=60.0, help="stop after this long in any case")
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "sluice-kafka-read-topic",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
        "auto.offset.reset": "earliest",
        "log_level": 3,
    })
    try:
        metadata = consumer.list_topics(args.topic, timeout=10)
    except KafkaException as error:
        print(f"kafka-read-topic: cannot reach {args.bootstrap}: {error}", file=sys.stderr)
        return 2
    topic = metadata.topics.get(args.topic)
    if topic is None or topic.error is not None or not topic.partitions:
        print(f"kafka-read-topic: topic {args.topic!r} not found: {topic.error if topic else 'absent'}", file=sys.stderr)
        return 2
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in sorted(topic.partitions)])

    count = 0
    start = last = time.monotonic()
    out = sys.stdout
    while True:
        now = time.monotonic()
        if (args.expect and count >= args.expect) or now - last >= args.idle_seconds or now - start >= args.timeout_seconds:
            break
        for message in consumer.consume(num_messages=10000, timeout=0.2):
            if message.error() is not None:
                if message.error().code() != KafkaError._PARTITION_EOF:
                    print(f"kafka-read-topic: {message.error()}", file=sys.stderr)
                continue
            kind, timestamp = message.timestamp()
            out.write(json.dumps({
                "partition": message.partition(),
                "offset": message.offset(),
                "timestamp": timestamp if kind != 0 else -1,
                "key": text(message.key()), "key_b64": b64(message.key()),
                "value": text(message.value()), "value_b64": b64(message.value()),
                "headers": [[name, b64(value)] for name, value in (message.headers() or [])],
            }, separators=(",", ":")))
            out.write("\n")
            count += 1
            last = time.monotonic()
    out.flush()
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
