# Everything a fresh clone needs comes from this file, requirements*.txt and tests/comfy_harness.py.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# The CPU build of torch (a wheel on this kind of machine's disk). A plain `torch` would pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0

.PHONY: venv comfyui test demo bench

venv: $(VENV)/.stamp

# An existing torch is kept (a developer's venv may carry another build, with torchvision beside it);
# only a venv without torch gets $(TORCH).
$(VENV)/.stamp: requirements.txt requirements-dev.txt
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -c 'import torch' 2>/dev/null || $(VPY) -m pip install --disable-pip-version-check '$(TORCH)'
	$(VPY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

# ComfyUI 0.3.75 unpacked into .cache/ComfyUI (idempotent; the comfy_server test fixture also does it when missing).
comfyui: venv
	$(VPY) tests/comfy_harness.py prepare

test: venv comfyui
	$(VPY) -m pytest -q

demo: venv
	$(VPY) -m llm_sketch demo --out demo-out

bench: venv
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; $(VPY) "$$script"; \
	done
