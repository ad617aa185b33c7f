# SPDX-License-Identifier: MIT
"""Reproductions of the paper's experiments."""
