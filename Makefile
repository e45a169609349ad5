# torsh: two commands on a fresh machine.
#   make demo   set up .venv, build libtorsh, run the main example
#   make test   set up .venv, build libtorsh, run the whole test suite
PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.torsh-installed
LIB    := torsh/lib/libtorsh.so
RUNTIME_SRC := $(wildcard runtime/*.c runtime/*.h include/*.h) runtime/build.py torsh/_aot.py $(wildcard torsh/codegen/*.py)

.PHONY: all install lib test demo bench lint clean

all: lib

$(VPY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VPY) pyproject.toml setup.py
	$(VPY) -m pip install -q -e '.[test,demo]'
	@# torch (CPU, from the local wheel where the machine has one) is a test oracle only;
	@# without it the torch cross-checks skip and every other test still runs.
	-$(VPY) -m pip install -q 'torch==2.13.0' || echo "torch not installed: torch cross-checks will be skipped"
	touch $@

install: $(STAMP) lib

lib: $(LIB)

$(LIB): $(RUNTIME_SRC) | $(STAMP)
	$(VPY) runtime/build.py --out torsh

# pytest exits 5 when it collected no tests: that is a failure here, not a pass.
test: install
	$(VPY) -m pytest -q tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

demo: install
	$(VPY) examples/demo.py
	@echo
	@echo "== training an MLP on scikit-learn's digits =="
	$(VPY) examples/train_digits.py
	@echo
	@echo "== the C API: examples/c =="
	$(VPY) examples/c/run.py

bench: install
	$(VPY) benchmarks/run_all.py

lint: install
	$(VPY) -m ruff check torsh tests benchmarks examples

clean:
	rm -rf build dist *.egg-info torsh/lib torsh/include .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
