# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
AB := $(VENV)/bin/awardbooks
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint samples bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Generate the sample partnership's workbooks into generated/sample-partnership/
demo: $(STAMP)
	$(AB) generate lppa --roster samples/roster.csv --year 2026-27 --term autumn \
		--out generated/sample-partnership

## Lint and run the whole test suite (LibreOffice tests skip locally if it is missing)
test: $(STAMP)
	$(VENV)/bin/ruff check awardbooks tests
	$(VENV)/bin/pytest

## Rebuild generated/samples/: one sample workbook per built-in framework
samples: $(STAMP)
	for f in family-partnership multi-agency lppa behaviour-attendance achievement-action-plan; do \
		$(AB) generate $$f --setting "Sample Primary School" --urn 999999 \
			--partnership "Sample Partnership" --local-authority "Sample Borough" \
			--year 2026-27 --term autumn --out generated/samples --force || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache
