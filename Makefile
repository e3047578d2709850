# Two commands matter: `make run` (set up, index, open the chat) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install lint format pytest eval bench clean

run: install
	$(BIN)/survey-rag ingest
	$(BIN)/survey-rag ui

# eval before pytest, so the run ends on pytest's summary line
test: install lint eval pytest

install: $(STAMP)

# Reinstall only when the project's dependencies change; pip takes torch from the local wheel.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check rag ingest ui evals tests
	$(BIN)/ruff format --check rag ingest ui evals tests
	$(BIN)/mypy rag ingest evals

format: install
	$(BIN)/ruff check --fix rag ingest ui evals tests
	$(BIN)/ruff format rag ingest ui evals tests

pytest: install
	$(BIN)/pytest

# The eval gates sit at the level the engine reaches, a couple of cases below it (float noise in
# the embeddings), so a regression fails `make test`. The test split is the headline: written
# before tuning and never tuned on; it runs beside the plain-LangChain baseline.
eval: install
	$(BIN)/survey-rag eval --cases evals/test.yaml --out evals/out/test \
	  --min-overall 0.77 --min-accuracy 0.88 --max-unsupported 0
	$(BIN)/survey-rag eval --no-baseline --out evals/out \
	  --min-overall 0.88 --min-accuracy 0.86 --max-unsupported 0
	$(BIN)/survey-rag eval --cases evals/dev.yaml --no-baseline --out evals/out/dev \
	  --min-overall 0.93 --min-accuracy 0.84 --max-unsupported 0
	# conversations: a validation set never fitted on (the follow-up decision and the locality
	# weight are fitted on evals/dialogue_tuning.yaml)
	$(BIN)/survey-rag eval --cases evals/dialogue_dev.yaml --no-baseline --out evals/out/dialogue_dev \
	  --min-overall 0.46 --max-unsupported 0
	# the public reports of evals/reports/, each ingested aside and answered on its own; a report
	# whose file is not restored (see its SOURCE.md) is skipped with a note; a report's own
	# gates.toml holds the level its cases reached, the options below the rest
	$(BIN)/survey-rag eval --reports all --no-bundled --min-overall 0.76 --min-accuracy 0.80 \
	  --max-unsupported 0

bench: install
	$(BIN)/survey-rag bench ingest
	$(BIN)/survey-rag bench query
	$(BIN)/survey-rag bench scale --reports 100

clean:
	rm -rf $(VENV) .survey-rag .pytest_cache .mypy_cache .ruff_cache evals/out
