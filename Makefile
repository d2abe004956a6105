# notify: the two commands are `make run` and `make test`; everything else is for ops and CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROJECTS := shared services/api services/sender services/status-receiver services/scheduler tools
PYPROJECTS := $(addsuffix /pyproject.toml,$(PROJECTS))

.PHONY: run test lint check-deploy package lock clean help drill bench bench-receipts bench-retention bench-sender

help:
	@echo "make run            start the whole stack locally (embedded PostgreSQL and SQS emulator)"
	@echo "make test           install what is needed, lint, and run every test"
	@echo "make check-deploy   check that manifests, compose file and app defaults agree"
	@echo "make drill          the health-check incident drill and the fault drills"
	@echo "make bench          every benchmark in bench/; writes bench/results/latest.json and report.md"
	@echo "make bench-sender / bench-receipts / bench-retention   single benchmarks (bench/)"
	@echo "make package SERVICE=sender   build a pushable folder under dist/"

$(STAMP): constraints.txt requirements-dev.txt $(PYPROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		$(addprefix -e ,$(PROJECTS)) -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m notify_devstack

lint: $(STAMP)
	$(BIN)/ruff check .

check-deploy: $(STAMP)
	$(BIN)/python -m notify_devstack.check_deploy

test: $(STAMP) lint check-deploy
	$(BIN)/python -m pytest -m "not long_drill"

# The incident drill (health probes under a DB-bound spike, naive vs ours), then the long fault drills.
drill: $(STAMP)
	$(BIN)/python bench/drill.py
	$(BIN)/python -m pytest -m "drill" tests/drills

# Every benchmark, one after the other (bench/run_all.py), then the report with plots.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

bench-sender: $(STAMP)
	$(BIN)/python bench/sender.py

bench-receipts: $(STAMP)
	$(BIN)/python bench/receipts.py

bench-retention: $(STAMP)
	$(BIN)/python bench/retention.py

package: $(STAMP)
	@test -n "$(SERVICE)" || (echo "usage: make package SERVICE=api|sender|status-receiver|scheduler" && exit 2)
	$(BIN)/python -m notify_devstack.package $(SERVICE)

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt.new
	(head -n 2 constraints.txt; cat constraints.txt.new) > constraints.txt.tmp && rm constraints.txt.new && mv constraints.txt.tmp constraints.txt

clean:
	rm -rf $(VENV) dist
