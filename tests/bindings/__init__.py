"""Tests of the language bindings in bindings/ (Ruby through ruby-ffi)."""
