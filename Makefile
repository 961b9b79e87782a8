# Sluice: every target installs what it needs first (scripts/bootstrap.sh), so each works on a
# fresh Debian 12 machine. The two that matter: `make demo` and `make test`.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: bootstrap build release deb demo test bench clean

bootstrap:
	@./scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release --product sluice

## The Debian package for this machine's architecture: .build-deb/sluice_<version>_<arch>.deb
## (and the link .build-deb/sluice.deb). Release build with the Swift runtime linked in.
deb: bootstrap
	./scripts/build-deb.sh

## The main job: mosquitto + simulated devices + sluice run, printing what flows.
demo: release
	./scripts/demo.sh

## Every test: unit, property and end-to-end (they mount a small tmpfs, so run as root).
## librdkafka 2.16 from the confluent-kafka wheel goes first on LD_LIBRARY_PATH: Debian's 2.0.2
## cannot talk to tansu, the test broker (same SONAME, backward-compatible ABI; see README).
## The .deb is built first for DebianPackageTests, which installs it on this machine and purges it:
## it runs alone, after the rest, because while it runs /etc/sluice exists (which the default
## devices_dir of the configuration tests must not find). The tests of the in-process servers (the
## Kafka listener, the metrics endpoint) run apart too: they serve real clients from this process,
## and the blocking end-to-end tests running beside them took the cooperative threads long enough
## for kcat and curl to time out (seen in full runs on 2 cores).
test: bootstrap deb
	$(SWIFT) build --build-tests
	LD_LIBRARY_PATH=$$(scripts/librdkafka-path.sh) $(SWIFT) test --skip-build --skip DebianPackageTests --skip SluiceKafkaAPITests --skip SluiceMetricsTests
	LD_LIBRARY_PATH=$$(scripts/librdkafka-path.sh) $(SWIFT) test --skip-build --filter "SluiceKafkaAPITests|SluiceMetricsTests"
	$(SWIFT) test --skip-build --filter DebianPackageTests

## Benchmarks (not tests): figures go to BENCHMARKS.md.
bench: bootstrap
	./bench/log-append.sh

clean:
	rm -rf .build .build-bench .build-deb demo demo-data bench/out
