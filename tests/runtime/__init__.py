"""Tests of the C runtime (libtorsh), its header and its Python binding."""
