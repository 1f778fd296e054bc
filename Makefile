# Compliance Center: `make run` serves the embedded demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: setup run test lint bench faults clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Web server, Celery worker (with embedded beat for the sweeper) on the filesystem broker,
# simulator SMS backend, SQLite; `make run PORT=8001` serves on another port.
#
# Ctrl-C stops both quietly: from a terminal, RUN_BOTH runs as a job of its own (bash -m) that
# owns the terminal, so Ctrl-C reaches it alone (not make, which would print "Interrupt", nor the
# two processes, which run in sessions of their own where setsid exists); it stops them with
# SIGTERM, waits for them and exits 0. Without a terminal, make's SIGTERM reaches it (exec) and
# does the same. If either process exits by itself, the other is stopped too.
define RUN_BOTH
alone() { if command -v setsid >/dev/null 2>&1; then exec setsid "$$@"; else exec "$$@"; fi; }
alone $(BIN)/celery -A compliance_center worker --beat --loglevel=INFO --concurrency=2 \
  --schedule=.celery/beat-schedule & worker=$$!
alone $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload & server=$$!
stop() {
  trap "" INT TERM HUP
  kill -TERM $$server $$worker 2>/dev/null
  wait $$server $$worker 2>/dev/null
  echo "Stopped the server and the worker."
  exit $${1:-0}
}
trap stop INT TERM HUP
# `wait -n` (either one exits) needs bash 4.3; an older bash (macOS's 3.2) waits for both.
if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 403 )); then wait -n; else wait; fi
stop $$?  # one of them exited by itself: its status
endef
export RUN_BOTH

run: setup
	$(BIN)/python manage.py migrate --noinput
	@PORT=$(PORT) PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} \
	  $(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server and the worker)"
	@export DEBUG=$${DEBUG:-true} PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}; \
	  if [ -t 0 ]; then bash -m -c 'bash -c "$$RUN_BOTH"'; else exec bash -c "$$RUN_BOTH"; fi

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, the layers contract (pyproject.toml: [tool.importlinter]) and the types of services,
# selectors and pure rules ([tool.mypy]).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Every phase, the broadcasts and imports ones too (bench/run.py alone runs the default ones).
BENCH_ARGS ?= --phases all
bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The fault suite (docs/reliability.md): Redis and the worker killed -9 mid-burst, poison rows,
# CRM deliveries across a broker outage; exits 1 if anything is lost, done twice or stuck.
faults: setup
	$(BIN)/python faults/run.py $(FAULTS_ARGS)

clean:
	rm -rf .celery db.sqlite3 staticfiles
