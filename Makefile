# Everything a fresh clone needs comes from this file, requirements*.txt and tests/comfy_harness.py.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# ComfyUI 0.3.75 cannot start without torchvision (comfy/sd.py imports it), and PyPI's torchvision does not
# import beside the CPU build torch==2.13.0. This pair is the one that works here on the CPU: a CUDA build whose
# wheels lie on this kind of machine's disk (pip takes them from there; elsewhere it downloads several GB).
TORCH ?= torch==2.14.1 torchvision==0.29.1

.PHONY: venv comfyui browser test demo bench

venv: $(VENV)/.stamp

# A venv whose torch and torchvision already import together keeps them; any other gets $(TORCH).
$(VENV)/.stamp: requirements.txt requirements-dev.txt
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -c 'import torchvision' 2>/dev/null || $(VPY) -m pip install --disable-pip-version-check $(TORCH)
	$(VPY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

# ComfyUI 0.3.75 unpacked into .cache/ComfyUI (idempotent; the comfy_server test fixture also does it when missing).
comfyui: venv
	$(VPY) tests/comfy_harness.py prepare

# The real-browser test's tools: Debian's chromium (apt, as root; never a downloaded browser) and playwright-core.
browser: node_modules/.package-lock.json
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
		else \
			echo "chromium is missing and this is not root: run 'apt-get install chromium' as root" >&2; \
		fi; \
	fi

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

test: venv comfyui browser
	$(VPY) -m pytest -q

demo: venv
	$(VPY) -m llm_sketch demo --out demo-out

bench: venv
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; $(VPY) "$$script"; \
	done
