# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
AB := $(VENV)/bin/awardbooks
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test samples sample-returns bench bench-collection clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## A year in a collection on the bundled sample data (README, first section): a collection for
## the sample partnership, its autumn workbooks issued and drafted, the sample returns taken in
## (a misspelt rating, a school that returned twice, one that never returned), the status,
## feedback reports, and spring's workbooks carried forward. Then a one-shot analysis.
DEMO := generated/demo
demo: $(STAMP)
	rm -rf $(DEMO)
	$(AB) new $(DEMO) --framework lppa --roster samples/roster.csv --year 2026-27 \
		--title "Sample Partnership 2026-27" --issued samples/workbooks/autumn
	$(AB) -C $(DEMO) generate --term autumn
	$(AB) -C $(DEMO) mail drafts
	cp samples/returns/autumn/*.xlsx $(DEMO)/returns/
	$(AB) -C $(DEMO) update
	$(AB) -C $(DEMO) status
	$(AB) -C $(DEMO) report
	$(AB) -C $(DEMO) generate --term spring
	$(AB) analyse samples/returns --manifest samples/workbooks \
		--out generated/consolidated.xlsx --data generated/data
	@echo "Open $(DEMO)/outputs/consolidated.xlsx, $(DEMO)/workbooks/ and generated/consolidated.xlsx."

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

## The collection benchmark (about eight minutes): a collection of 10,000 returns; writes
## benchmarks/collection-results.json
bench-collection: $(STAMP)
	$(PY) benchmarks/bench_collection.py

clean:
	rm -rf $(VENV) .pytest_cache
