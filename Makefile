# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
AB := $(VENV)/bin/awardbooks
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test samples sample-returns bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## The whole cycle on bundled sample data: generate the sample partnership's workbooks,
## then analyse the sample returns (filled in LibreOffice) into a consolidated workbook
demo: $(STAMP)
	$(AB) generate lppa --roster samples/roster.csv --year 2026-27 --term autumn \
		--out generated/sample-partnership
	$(AB) analyse samples/returns --manifest samples/manifest.csv \
		--out generated/consolidated.xlsx --data generated/data
	@echo "Open generated/consolidated.xlsx (and the workbooks in generated/sample-partnership/)."

## Rebuild samples/returns/ by filling sample workbooks in LibreOffice
sample-returns: $(STAMP)
	$(PY) scripts/make_sample_returns.py

## Lint and run the whole test suite (LibreOffice tests skip locally if it is missing)
test: $(STAMP)
	$(VENV)/bin/ruff check awardbooks tests scripts benchmarks
	$(VENV)/bin/pytest

## Rebuild generated/samples/: one sample workbook per built-in framework
samples: $(STAMP)
	for f in family-partnership multi-agency lppa behaviour-attendance achievement-action-plan; do \
		$(AB) generate $$f --setting "Sample Primary School" --urn 999999 \
			--partnership "Sample Partnership" --local-authority "Sample Borough" \
			--year 2026-27 --term autumn --out generated/samples --force || exit 1; \
	done

## The performance benchmark (about two minutes): prints medians and ratios, writes
## benchmarks/results.json
bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) .pytest_cache
