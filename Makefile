# The two commands a newcomer runs (see README.md).

.PHONY: demo test setup setup-test bench

# Set up, generate the fictional demo force, load it, write the March 2026 meeting pack, make
# one web account per role and serve the web app until Ctrl-C (`make demo SERVE=no` stops
# before serving, for scripts and CI).
SERVE ?= yes
demo: setup
	.venv/bin/peel demo-data
	.venv/bin/peel demo-accounts
	.venv/bin/peel demo-link
	.venv/bin/peel pack --month 2026-03
	@if [ "$(SERVE)" = "no" ]; then echo "Not serving (SERVE=no): start the web app with .venv/bin/peel serve"; \
	else .venv/bin/peel serve; fi

# Set up with the test extras and system services, then run the whole test suite.
test: setup-test
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

setup-test:
	PEEL_EXTRAS="[test]" PEEL_EXTRA_APT="postgresql default-jre-headless chromium" bash scripts/setup.sh

# Benchmarks: each compares peel with a baseline in the same run and prints the figures.
bench: setup-test
	.venv/bin/python -m bench $(BENCH)
