/*
 * mqtt-load: the load generator of bench/ingest.sh. Publishes precomputed MQTT messages over
 * one libmosquitto connection, as fast as the broker takes them (--rate 0) or at a steady rate,
 * and reports what it did as one JSON line on stdout.
 *
 * Input (--messages FILE): fixed-size records, each `topic_len` bytes of topic followed by
 * `payload_len` bytes of payload (both given on the command line; bench/ingest/run.py writes
 * the file). Right before each PUBLISH the payload's fixed-width fields
 *   "ts":<13 digits, ms since the epoch>  and  "sent_us":<16 digits, µs since the epoch>
 * are overwritten with the wall clock (CLOCK_REALTIME, the clock strace -ttt uses), so the
 * log records carry their send time. Every target gets the very same bytes otherwise.
 *
 * Flow control: at most --window QoS 1 messages are unacknowledged (PUBACK from the broker)
 * at once; the publisher never queues beyond that inside libmosquitto.
 *
 * build: cc -O2 -o mqtt-load mqtt-load.c -lmosquitto
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <mosquitto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long acked;

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_publish(struct mosquitto *m, void *ctx, int mid) {
    (void)m; (void)ctx; (void)mid;
    acked++;
}

static int connected = -1;
static void on_connect(struct mosquitto *m, void *ctx, int rc) {
    (void)m; (void)ctx;
    connected = rc;
}

/* Writes `value` as exactly `width` decimal digits at `at` (no leading zeros expected). */
static void put_digits(char *at, int width, int64_t value) {
    for (int i = width - 1; i >= 0; i--) {
        at[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

static void die(const char *what, int rc) {
    fprintf(stderr, "mqtt-load: %s: %s\n", what, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
    exit(1);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *file = NULL, *client_id = "bench-load";
    int port = 1883, qos = 1, topic_len = 0, payload_len = 0, window = 1000;
    long count = -1;
    double rate = 0, ack_timeout = 60;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--host")) host = v;
        else if (!strcmp(k, "--port")) port = atoi(v);
        else if (!strcmp(k, "--messages")) file = v;
        else if (!strcmp(k, "--topic-len")) topic_len = atoi(v);
        else if (!strcmp(k, "--payload-len")) payload_len = atoi(v);
        else if (!strcmp(k, "--count")) count = atol(v);
        else if (!strcmp(k, "--rate")) rate = atof(v);
        else if (!strcmp(k, "--qos")) qos = atoi(v);
        else if (!strcmp(k, "--window")) window = atoi(v);
        else if (!strcmp(k, "--client-id")) client_id = v;
        else if (!strcmp(k, "--ack-timeout")) ack_timeout = atof(v);
        else { fprintf(stderr, "mqtt-load: unknown option %s\n", k); return 2; }
    }
    if (!file || topic_len <= 0 || payload_len <= 0) {
        fprintf(stderr, "usage: mqtt-load --messages FILE --topic-len N --payload-len N [--host H] [--port P] [--count N] [--rate R|0] [--qos Q] [--window W]\n");
        return 2;
    }
    FILE *f = fopen(file, "rb");
    if (!f) { perror(file); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) { perror("read"); return 1; }
    fclose(f);
    const long record = topic_len + payload_len;
    const long records = size / record;
    if (count < 0) count = records;
    if (records == 0) { fprintf(stderr, "mqtt-load: no messages in %s\n", file); return 1; }

    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(client_id, true, NULL);
    if (!m) die("mosquitto_new", MOSQ_ERR_NOMEM);
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, window);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_publish_callback_set(m, on_publish);
    int rc = mosquitto_connect(m, host, port, 60);
    if (rc) die("connect", rc);
    int64_t deadline = now_us() + 10000000;
    while (connected < 0 && now_us() < deadline) {
        rc = mosquitto_loop(m, 100, 1);
        if (rc) die("loop (connecting)", rc);
    }
    if (connected != 0) { fprintf(stderr, "mqtt-load: CONNACK %d\n", connected); return 1; }

    char topic[1024];
    if (topic_len >= (int)sizeof topic) { fprintf(stderr, "mqtt-load: topic too long\n"); return 1; }
    int64_t start = now_us(), first_us = 0, last_us = 0;
    long sent = 0;
    while (sent < count) {
        if (rate > 0) {
            int64_t due = start + (int64_t)((double)sent * 1e6 / rate);
            int64_t now = now_us();
            if (now < due) {
                long wait_ms = (long)((due - now) / 1000);
                if (wait_ms > 1) {
                    rc = mosquitto_loop(m, (int)(wait_ms > 50 ? 50 : wait_ms - 1), 1);
                    if (rc) die("loop", rc);
                    continue;
                }
                /* The last ms: read what arrived, then sleep to the due time (no spinning:
                   a spinning publisher would take a whole core from the broker and Sluice). */
                rc = mosquitto_loop(m, 0, 1);
                if (rc) die("loop", rc);
                struct timespec at = {(time_t)(due / 1000000), (long)(due % 1000000) * 1000};
                while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL) == EINTR) {}
            }
        }
        if (qos > 0 && sent - acked >= window) {
            rc = mosquitto_loop(m, 10, 1);
            if (rc) die("loop", rc);
            continue;
        }
        char *rec = data + (sent % records) * record;
        char *payload = rec + topic_len;
        memcpy(topic, rec, (size_t)topic_len);
        topic[topic_len] = 0;
        int64_t t = now_us();
        /* The fields' positions differ between messages (numbers have different widths). */
        char *sent_field = memmem(payload, (size_t)payload_len, "\"sent_us\":", 10);
        char *ts_field = memmem(payload, (size_t)payload_len, "\"ts\":", 5);
        if (sent_field) put_digits(sent_field + 10, 16, t);
        if (ts_field) put_digits(ts_field + 5, 13, t / 1000);
        rc = mosquitto_publish(m, NULL, topic, payload_len, payload, qos, false);
        if (rc) die("publish", rc);
        if (sent == 0) first_us = t;
        last_us = t;
        sent++;
        /* Read PUBACKs without waiting, so the window moves (every 64 messages at full rate). */
        if (rate > 0 || (sent & 63) == 0) {
            rc = mosquitto_loop(m, 0, 1);
            if (rc) die("loop", rc);
        }
    }
    int64_t ack_deadline = now_us() + (int64_t)(ack_timeout * 1e6);
    while ((qos > 0 ? acked < sent : mosquitto_want_write(m)) && now_us() < ack_deadline) {
        rc = mosquitto_loop(m, 10, 1);
        if (rc) die("loop (draining)", rc);
    }
    int64_t done_us = now_us();
    mosquitto_disconnect(m);
    mosquitto_loop(m, 100, 1);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    printf("{\"published\": %ld, \"acknowledged\": %ld, \"first_publish_us\": %lld, \"last_publish_us\": %lld, \"done_us\": %lld}\n",
           sent, qos > 0 ? acked : sent, (long long)first_us, (long long)last_us, (long long)done_us);
    return (qos > 0 && acked < sent) ? 3 : 0;
}
