# The analyst notebooks (backend/notebooks/*.ipynb), stored without outputs.
#   make notebooks         execute both on the canonical data and render HTML under backend/reports/notebooks/
#   make notebooks-check   fail when a stored notebook holds outputs
#   make notebooks-strip   remove outputs from the stored notebooks (before committing)
#   make test-notebooks    the notebook tests alone (they also run in `make test-python`, marked slow)
# The notebooks write into NOTEBOOK_ARTIFACTS (SEGMENTATION_ARTIFACTS_ROOT inside the kernel), never over
# the model and reports the pipeline wrote in backend/.
NOTEBOOK_HTML ?= backend/reports/notebooks
NOTEBOOK_ARTIFACTS ?= $(NOTEBOOK_HTML)/artifacts
NOTEBOOK_TOOL := $(PY) -m customer_segmentation.notebooks

.PHONY: notebooks notebooks-check notebooks-strip test-notebooks

notebooks: setup ## Execute both notebooks (nbclient) and render them to HTML under backend/reports/notebooks/
	MPLBACKEND=Agg $(NOTEBOOK_TOOL) run --artifacts-root $(NOTEBOOK_ARTIFACTS) --html-dir $(NOTEBOOK_HTML)

notebooks-check: setup ## Fail when a stored notebook holds outputs
	$(NOTEBOOK_TOOL) check

notebooks-strip: setup ## Remove outputs from the stored notebooks
	$(NOTEBOOK_TOOL) strip

test-notebooks: setup ## Run the notebook tests only (stored form, kernel, both notebooks end to end)
	cd backend && ../$(PY) -m pytest -q tests/test_notebooks.py tests/test_explore.py
