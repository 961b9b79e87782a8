#!/usr/bin/env python3
"""Produces and consumes with kafka-python (an implementation independent of librdkafka) and
prints JSON: what was produced (partition, offset) and what a consumer group read back.

Used by the Swift tests of Sluice's Kafka listener; run with the venv's Python.
  produce-consume  sends --count keyed records with a header (kafka-python 3 is an idempotent
                   producer by default), then reads the topic in group --group and commits.
Exit status 0 with a JSON object on stdout; 2 on a client error.
"""
import argparse
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--compression", default="zstd")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    try:
        producer = KafkaProducer(bootstrap_servers=args.bootstrap, compression_type=args.compression, acks="all")
        futures = [
            producer.send(args.topic, key=f"device-{i % 7}".encode(), value=f"reading {i}".encode(),
                          headers=[("seq", str(i).encode())])
            for i in range(args.count)
        ]
        producer.flush()
        produced = [[f.get(timeout=args.timeout).partition, f.get(timeout=args.timeout).offset] for f in futures]
        producer.close()

        consumer = KafkaConsumer(
            args.topic, bootstrap_servers=args.bootstrap, group_id=args.group, auto_offset_reset="earliest",
            enable_auto_commit=False, consumer_timeout_ms=5000)
        records = []
        deadline = time.time() + args.timeout
        while len(records) < args.count and time.time() < deadline:
            for message in consumer:
                records.append({
                    "partition": message.partition, "offset": message.offset, "key": message.key.decode(),
                    "value": message.value.decode(), "headers": [[k, v.decode()] for k, v in message.headers],
                    "timestamp": message.timestamp,
                })
                if len(records) >= args.count:
                    break
        consumer.commit()
        committed = {str(p.partition): consumer.committed(p) for p in consumer.assignment()}
        consumer.close()
    except KafkaError as error:
        print(f"kafka-python-check: {error!r}", file=sys.stderr)
        sys.exit(2)
    json.dump({"produced": produced, "records": records, "committed": committed}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
