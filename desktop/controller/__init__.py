"""Kept only so that ``desktop.controller.analysis`` still resolves (the exports' figure
imports it by that name). The window's model is `desktop.model`."""
