# invoice_extract — two commands: `make run` and `make test`.
# Both install what is missing first (Debian packages, then a virtualenv in .venv).

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8069
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu \
	tesseract-ocr-nld tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-osd \
	libzbar0 poppler-utils python3-venv
# The review form's browser tests drive Debian's Chromium (never a downloaded browser).
APT_TEST_PACKAGES := chromium fonts-dejavu-core

.PHONY: run test install install-test apt apt-test bench clean

run: install
	$(BIN)/invoice-extract serve --host $(HOST) --port $(PORT)

test: install-test
	bash tests/run_suite.sh $(BIN)/python

bench: install
	$(BIN)/python -m invoice_extract.bench.corpus
	$(BIN)/python -m invoice_extract.bench.speed

install: apt $(VENV)/.installed

install-test: apt apt-test $(VENV)/.installed-test

# Install only the Debian packages that are missing (dpkg knows), so a second run is instant.
apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

apt-test:
	@missing=$$(for p in $(APT_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

clean:
	rm -rf $(VENV) var bench/out test-artifacts *.egg-info
