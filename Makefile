# The two commands: `make run` starts the whole product, `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check install bench browser

# The runtime lock (all the production image installs) and the dev lock (local PostgreSQL and
# Temporal, tests, linters) together.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) run.py

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

# Three pytest processes at once, each with its own PostgreSQL and Temporal (session fixtures on
# free ports and private directories), balanced by their durations: the worker-kill end-to-end
# test, the browser, edge and studio tests, and everything else (so a new test is never left
# out). Each one's output is kept, a failing one's printed whole; the summary lines come last,
# and any failure fails the target. Then, on a quiet machine, the message-order trials: they prove the
# settle window holds when deliveries reach the edge within it, and three suites at once on two
# cores can delay the edge by more than the window. On the 2-core machine: about 9 minutes.
TESTS_A := tests/e2e/test_worker_kill.py
TESTS_B := tests/browser tests/api tests/studio
TESTS_QUIET := tests/e2e/test_order.py
TEST_GROUPS := "$(TESTS_A)" "$(TESTS_B)" "tests $(addprefix --ignore=,$(TESTS_A) $(TESTS_B) $(TESTS_QUIET))"

test: $(STAMP) browser check
	@logs=$$(mktemp -d); n=0; pids=""; \
	for group in $(TEST_GROUPS); do \
	  n=$$((n + 1)); echo "$$group" > $$logs/$$n.group; echo "pytest $$group"; \
	  $(VENV)/bin/pytest -p no:cacheprovider $$group > $$logs/$$n.log 2>&1 & pids="$$pids $$!"; \
	done; \
	n=0; failed=0; \
	for pid in $$pids; do \
	  n=$$((n + 1)); \
	  if ! wait $$pid; then failed=1; echo "== pytest $$(cat $$logs/$$n.group): FAILED"; cat $$logs/$$n.log; fi; \
	done; \
	n=$$((n + 1)); echo "$(TESTS_QUIET)" > $$logs/$$n.group; echo "pytest $(TESTS_QUIET)"; \
	if ! $(VENV)/bin/pytest -p no:cacheprovider $(TESTS_QUIET) > $$logs/$$n.log 2>&1; then \
	  failed=1; echo "== pytest $(TESTS_QUIET): FAILED"; cat $$logs/$$n.log; fi; \
	for log in $$logs/*.log; do \
	  echo "pytest $$(cat $${log%.log}.group): $$(tail -n 1 $$log)"; \
	done; \
	tail -q -n 1 $$logs/*.log | awk '{ for (i = 2; i <= NF; i++) { w = $$i; sub(/,$$/, "", w); \
	  if (w == "passed") p += $$(i - 1); if (w == "failed" || w == "errors" || w == "error") f += $$(i - 1) } } \
	  END { printf "total: %d passed, %d failed\n", p, f }'; \
	rm -rf $$logs; exit $$failed

bench: $(STAMP)
	$(PY) bench/load.py --suite
