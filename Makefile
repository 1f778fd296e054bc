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
# simulator SMS backend, SQLite. Ctrl-C stops both processes.
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server and the worker)"
	@DEBUG=$${DEBUG:-true} PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} bash -c 'trap "kill 0" EXIT INT TERM; \
	  $(BIN)/celery -A compliance_center worker --beat --loglevel=INFO --concurrency=2 \
	    --schedule=.celery/beat-schedule & \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload & \
	  wait'

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
